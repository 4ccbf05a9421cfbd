"""Role fixtures, and the rule that tests needing real services fail in CI rather than skip."""

import os

import pytest
from django.conf import settings

from tests.factories import LeaderFactory, StaffFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _redis_reachable():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis"):
        return False
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except Exception:
        return False


def pytest_runtest_setup(item):
    missing = []
    if item.get_closest_marker("postgres") and not settings.USING_POSTGRES:
        missing.append("PostgreSQL (set DATABASE_URL)")
    if item.get_closest_marker("redis") and not _redis_reachable():
        missing.append("Redis (set CELERY_BROKER_URL to a running Redis)")
    if missing:
        message = "needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(f"CI must run this test but it {message}", pytrace=False)
        pytest.skip(message)


@pytest.fixture(autouse=True)
def _tasks_run_in_process(request):
    """Unit tests run Celery tasks eagerly; integration tests marked `redis` use a real worker."""
    from config.celery import app

    if request.node.get_closest_marker("redis"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and page caches must not leak from one test into the next: each test's
    database starts its ids and generations again, which would pick an earlier test's pages."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _rate_limit_clock_stands_still(monkeypatch):
    """The rate limits count in fixed windows of wall-clock time (accounts/ratelimits.py). A test
    whose requests straddled the turn of a window would see its counts start again and get no 429:
    more likely the slower the machine. The limiter's clock stands still for the length of a test;
    tests/security/test_rate_limits.py moves it on by hand."""
    from accounts import ratelimits

    now = ratelimits.clock()
    monkeypatch.setattr(ratelimits, "clock", lambda: now)


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def leader(db):
    return LeaderFactory()


@pytest.fixture
def unverified_user(db):
    return UserFactory(verified=False)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def leader_client(client, leader):
    client.force_login(leader)
    return client


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many accounts; a deliberately slow hash would only slow them down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
