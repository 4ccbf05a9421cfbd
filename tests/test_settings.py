"""Settings switch on the environment; each case runs in a fresh interpreter."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "db = s.DATABASES['default']; "
    "print(json.dumps({'engine': db['ENGINE'], 'name': str(db['NAME']), "
    "'eager': s.CELERY_TASK_ALWAYS_EAGER, 'broker': s.CELERY_BROKER_URL, 'email': s.EMAIL_BACKEND, "
    "'debug': s.DEBUG, 'cache': s.CACHES['default']['BACKEND'], 'cache_location': s.CACHES['default'].get('LOCATION')}))"
)
CLEAR = (
    # Set by the browser tier for its own process (Playwright runs an event loop in the test
    # thread); a deployment never has it, and `check --deploy` rightly refuses it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "CACHE_URL",
    "DJANGO_ENV",
    "DJANGO_DEBUG",
    "EMAIL_HOST",
    "SECRET_KEY",
)


def run_with(env, code=PROBE, args=None):
    base = {k: v for k, v in os.environ.items() if k not in CLEAR}
    base["DJANGO_SETTINGS_MODULE"] = "config.settings"
    command = [sys.executable, *(args or ["-c", code])]
    return subprocess.run(command, cwd=ROOT, env={**base, **env}, capture_output=True, text=True, timeout=60)


def probe(env):
    result = run_with(env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_configured_means_sqlite_in_the_project_folder_eager_tasks_and_console_email():
    found = probe({})
    assert found["engine"] == "django.db.backends.sqlite3"
    assert found["name"] == str(ROOT / "db.sqlite3")
    assert found["eager"] is True
    assert found["email"] == "django.core.mail.backends.console.EmailBackend"
    assert found["debug"] is False


def test_debug_is_on_only_when_asked_for():
    assert probe({"DJANGO_DEBUG": "1"})["debug"] is True


def test_database_url_selects_postgresql_through_psycopg():
    found = probe({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/compact"})
    assert found["engine"] == "django.db.backends.postgresql"
    assert found["name"] == "compact"


def test_broker_url_selects_a_real_worker_and_a_shared_redis_cache():
    found = probe({"CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert found["eager"] is False
    assert found["broker"] == "redis://127.0.0.1:6379/0"
    assert found["cache"] == "django_redis.cache.RedisCache"
    # Never the broker's database: clearing the cache must not drop queued tasks.
    assert found["cache_location"] == "redis://127.0.0.1:6379/1"


def test_email_host_selects_smtp():
    assert probe({"EMAIL_HOST": "smtp.example.org"})["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_to_start_and_names_what_is_missing():
    result = run_with({"DJANGO_ENV": "production", "SECRET_KEY": "x" * 60})
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr and "DATABASE_URL" in result.stderr


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
    result = run_with({**PRODUCTION, "OIDC_SERVER_URL": address})
    assert result.returncode != 0
    assert "OIDC_SERVER_URL must be an https:// address" in result.stderr


def test_production_accepts_an_organisation_sign_in_provider_over_https_and_development_any():
    assert run_with({**PRODUCTION, "OIDC_SERVER_URL": "https://login.example.org/realms/nhs"}).returncode == 0
    assert run_with({"OIDC_SERVER_URL": "http://127.0.0.1:9000/realms/test"}).returncode == 0


def test_production_settings_pass_the_deployment_checklist():
    result = run_with(PRODUCTION, args=["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("variable", ["DEBUG"])
def test_production_ignores_a_request_for_debug(variable):
    result = run_with({**PRODUCTION, "DJANGO_DEBUG": "1"})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["debug"] is False


def test_prepared_statements_are_on_for_postgresql_and_can_be_turned_off_for_a_pooler():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "o = s.DATABASES['default'].get('OPTIONS', {}); "
        "print(json.dumps([o.get('server_side_binding'), o.get('prepare_threshold')]))"
    )
    url = {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/never_connected"}
    on = run_with(url, code)
    off = run_with({**url, "DATABASE_PREPARED_STATEMENTS": "0"}, code)
    sqlite = run_with({}, code)
    assert on.returncode == off.returncode == sqlite.returncode == 0, on.stderr + off.stderr
    binding, threshold = json.loads(on.stdout.strip().splitlines()[-1])
    assert binding is True and threshold > 0
    # Off: Django's defaults, client-side binding and nothing prepared, which any pooler takes.
    assert json.loads(off.stdout.strip().splitlines()[-1]) == [None, None]
    assert json.loads(sqlite.stdout.strip().splitlines()[-1]) == [None, None]


def test_organisation_sign_in_lets_forms_reach_the_providers_origin_and_nowhere_else():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']))"
    )
    plain = run_with({}, code=code)
    assert json.loads(plain.stdout.strip().splitlines()[-1]) == ["'self'"]
    configured = run_with({"OIDC_SERVER_URL": "https://login.example.nhs.uk/tenant/v2.0"}, code=code)
    assert json.loads(configured.stdout.strip().splitlines()[-1]) == [
        "'self'",
        "https://login.example.nhs.uk",
    ]


def test_fonts_come_only_from_this_site_unless_nhs_fonts_are_asked_for():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['font-src']))"
    )
    plain = run_with({}, code=code)
    assert json.loads(plain.stdout.strip().splitlines()[-1]) == ["'self'", "data:"]
    nhs = run_with({"NHS_FONTS": "1"}, code=code)
    assert json.loads(nhs.stdout.strip().splitlines()[-1]) == ["'self'", "data:", "https://assets.nhs.uk"]


def test_production_refuses_per_process_throttles_without_a_shared_cache():
    result = run_with({**PRODUCTION, "CELERY_BROKER_URL": "amqp://guest@127.0.0.1//"})
    assert result.returncode != 0
    assert "cache shared by every worker" in result.stderr


def test_production_with_a_non_redis_broker_starts_when_cache_url_is_set():
    settings = probe(
        {
            **PRODUCTION,
            "CELERY_BROKER_URL": "amqp://guest@127.0.0.1//",
            "CACHE_URL": "redis://127.0.0.1:6379/7",
        }
    )
    assert settings["cache"] == "django_redis.cache.RedisCache"
    assert settings["cache_location"] == "redis://127.0.0.1:6379/7"
