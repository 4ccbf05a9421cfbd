"""A Redis outage costs the cache, not the request, and says so in one log line per call."""

import logging

from django_redis.cache import RedisCache


def closed_port_cache(settings):
    settings.DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
    settings.DJANGO_REDIS_LOGGER = "config.cache"
    # Port 1 on loopback: nothing listens, so every call fails at once.
    return RedisCache(
        "redis://127.0.0.1:1/0",
        {"OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}},
    )


def test_with_redis_down_the_cache_misses_and_logs_one_line_without_a_traceback(settings, caplog):
    cache = closed_port_cache(settings)

    with caplog.at_level(logging.WARNING, logger="config.cache"):
        assert cache.get("page") is None
        assert cache.set("page", "html") is None  # dropped, not raised

    records = [r for r in caplog.records if r.name == "config.cache"]
    assert len(records) == 2
    assert all(r.exc_info is None for r in records)
    assert records[0].getMessage().startswith("Cache unavailable, carrying on without it:")
    assert "127.0.0.1:1" in records[0].getMessage()  # the cause is kept
