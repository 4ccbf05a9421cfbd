"""/healthz and /readyz, as a load balancer and the compose file's health checks use them."""

import logging
import socket
from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from config.settings import object_storage

pytestmark = pytest.mark.django_db


def closed_port():
    """A loopback port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_answers_without_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Cache-Control"] == "no-store"


def test_readyz_is_ready_when_the_database_is_migrated_and_storage_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_readyz_is_not_ready_while_a_migration_is_unapplied(client):
    # A deploy whose code is newer than the database: its last migration is not recorded yet.
    recorder = MigrationRecorder(connection)
    app, name = recorder.migration_qs.order_by("-id").values_list("app", "name").first()
    recorder.record_unapplied(app, name)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: database\n"


def test_readyz_is_not_ready_when_redis_does_not_answer(client, settings, caplog):
    url = f"redis://127.0.0.1:{closed_port()}/1"
    settings.CACHE_URL = url
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 1},
        }
    }
    with caplog.at_level(logging.ERROR, logger="config.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: redis\n"
    assert "the redis check failed" in caplog.text


def test_readyz_is_not_ready_when_the_object_store_does_not_answer(client, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    storage = object_storage(
        "compact", endpoint_url=f"http://127.0.0.1:{closed_port()}", region_name="eu-west-2"
    )
    settings.STORAGES = {**settings.STORAGES, "default": storage}
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"not ready: storage\n"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_health_checks_answer_a_balancer_asking_by_address_over_plain_http(client, settings, path):
    # In production every other page redirects to HTTPS and refuses a Host it does not serve.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["compact.example.org"]
    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400
    response = client.get(path, HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200


def test_health_checks_take_only_get_and_head(client):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_gunicorn_leaves_health_checks_out_of_the_access_log(capsys):
    from gunicorn.config import Config

    from config import gunicorn_conf

    config = Config()
    config.set("accesslog", "-")
    log = gunicorn_conf.QuietHealthChecks(config)

    class Response:
        status = "200 OK"
        headers = []
        sent = 3
        response_length = 3

    class Request:
        headers = []

    def access(path):
        environ = {
            "PATH_INFO": path,
            "RAW_URI": path,
            "REQUEST_METHOD": "GET",
            "QUERY_STRING": "",
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        log.access(Response(), Request(), environ, timedelta(milliseconds=3))

    access("/healthz")
    access("/readyz")
    access("/compacts/")
    logged = capsys.readouterr().out
    assert "/compacts/" in logged
    assert "/healthz" not in logged and "/readyz" not in logged
