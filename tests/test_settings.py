"""Settings switch on the environment. Each case reads `config/settings.py` afresh under its own
environment (runpy, as a new process would read it); the deployment checklist, which needs Django
set up with those settings, runs in a fresh interpreter."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "config" / "settings.py"
CLEAR = (
    # Set by the browser tier for its own process (Playwright runs an event loop in the test
    # thread); a deployment never has it, and `check --deploy` rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "DATABASE_PREPARED_STATEMENTS",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DJANGO_ENV",
    "DJANGO_DEBUG",
    "EMAIL_HOST",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "OIDC_SERVER_URL",
    "NHS_FONTS",
)


def environment(env):
    return {**{k: v for k, v in os.environ.items() if k not in CLEAR}, **env}


def settings_under(env):
    """The settings `config/settings.py` makes in this environment, read afresh."""
    with pytest.MonkeyPatch.context() as patch:
        # The settings read os.environ (so do the libraries they call): a plain mapping stands in
        # for it, so nothing set here reaches this process's own environment.
        patch.setattr(os, "environ", environment(env))
        return runpy.run_path(str(SETTINGS))


def refusal_under(env):
    """The message settings refuse to start with in this environment."""
    with pytest.raises(ImproperlyConfigured) as refused:
        settings_under(env)
    return str(refused.value)


def test_nothing_configured_means_sqlite_in_the_project_folder_eager_tasks_and_console_email():
    found = settings_under({})
    assert found["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
    assert str(found["DATABASES"]["default"]["NAME"]) == str(ROOT / "db.sqlite3")
    assert found["CELERY_TASK_ALWAYS_EAGER"] is True
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert found["DEBUG"] is False


def test_debug_is_on_only_when_asked_for():
    assert settings_under({"DJANGO_DEBUG": "1"})["DEBUG"] is True


def test_database_url_selects_postgresql_through_psycopg():
    database = settings_under({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/compact"})["DATABASES"]
    assert database["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert database["default"]["NAME"] == "compact"


def test_broker_url_selects_a_real_worker_and_a_shared_redis_cache():
    found = settings_under({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert found["CELERY_TASK_ALWAYS_EAGER"] is False
    assert found["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert found["CACHES"]["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    # Never the broker's database: clearing the cache must not drop queued tasks.
    assert found["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"


def test_email_host_selects_smtp():
    found = settings_under({"EMAIL_HOST": "smtp.example.org"})
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_to_start_and_names_what_is_missing():
    message = refusal_under({"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60})
    assert "ALLOWED_HOSTS" in message and "DATABASE_URL" in message


PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "kq8#3v!x9z@p2m$w7r^t6y&u1i*o0e(lj4h5g_f-d+s=a)c]b[n{m}v|q;w:r,t.y",
    "ALLOWED_HOSTS": "compact.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_HOST": "smtp.example.org",
    "DEFAULT_FROM_EMAIL": "compact@example.org",
}


@pytest.mark.parametrize("address", ["http://login.example.org/realms/nhs", "login.example.org"])
def test_production_refuses_an_organisation_sign_in_provider_not_reached_over_https(address):
    message = refusal_under({**PRODUCTION, "OIDC_SERVER_URL": address})
    assert "OIDC_SERVER_URL must be an https:// address" in message


def test_production_accepts_an_organisation_sign_in_provider_over_https_and_development_any():
    production = settings_under({**PRODUCTION, "OIDC_SERVER_URL": "https://login.example.org/realms/nhs"})
    development = settings_under({"OIDC_SERVER_URL": "http://127.0.0.1:9000/realms/test"})
    assert production["OIDC_SERVER_URL"] == "https://login.example.org/realms/nhs"
    assert development["OIDC_SERVER_URL"] == "http://127.0.0.1:9000/realms/test"


def test_production_settings_pass_the_deployment_checklist():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment({**PRODUCTION, "DJANGO_SETTINGS_MODULE": "config.settings"}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_ignores_a_request_for_debug():
    assert settings_under({**PRODUCTION, "DJANGO_DEBUG": "1"})["DEBUG"] is False


def test_prepared_statements_are_on_for_postgresql_and_can_be_turned_off_for_a_pooler():
    def options(env):
        found = settings_under(env)["DATABASES"]["default"].get("OPTIONS", {})
        return [found.get("server_side_binding"), found.get("prepare_threshold")]

    url = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/never_connected"}
    binding, threshold = options(url)
    assert binding is True and threshold > 0
    # Off: Django's defaults, client-side binding and nothing prepared, which any pooler takes.
    assert options({**url, "DATABASE_PREPARED_STATEMENTS": "0"}) == [None, None]
    assert options({}) == [None, None]


def test_organisation_sign_in_lets_forms_reach_the_providers_origin_and_nowhere_else():
    def form_action(env):
        return list(settings_under(env)["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["form-action"])

    assert form_action({}) == ["'self'"]
    assert form_action({"OIDC_SERVER_URL": "https://login.example.nhs.uk/tenant/v2.0"}) == [
        "'self'",
        "https://login.example.nhs.uk",
    ]


def test_fonts_come_only_from_this_site_unless_nhs_fonts_are_asked_for():
    def fonts(env):
        return list(settings_under(env)["CONTENT_SECURITY_POLICY"]["DIRECTIVES"]["font-src"])

    assert fonts({}) == ["'self'", "data:"]
    assert fonts({"NHS_FONTS": "1"}) == ["'self'", "data:", "https://assets.nhs.uk"]


def test_production_refuses_per_process_throttles_without_a_shared_cache():
    message = refusal_under({**PRODUCTION, "CELERY_BROKER_URL": "amqp://guest@127.0.0.1//"})
    assert "cache shared by every worker" in message


def test_production_with_a_non_redis_broker_starts_when_cache_url_is_set():
    found = settings_under(
        {
            **PRODUCTION,
            "CELERY_BROKER_URL": "amqp://guest@127.0.0.1//",
            "CACHE_URL": "redis://127.0.0.1:6379/7",
        }
    )
    assert found["CACHES"]["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert found["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/7"
