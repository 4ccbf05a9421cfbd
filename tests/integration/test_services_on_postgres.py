"""Checks that only mean something on the real services CI provides."""

import pytest
from django.conf import settings
from django.db import connection

from compact import services
from compact.models import Version
from tests.concurrency import all_at_once, errors_of
from tests.factories import StaffFactory, published_version


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_database_is_postgresql_through_psycopg_3():
    assert connection.vendor == "postgresql"
    import psycopg

    assert connection.connection.__class__.__module__.startswith("psycopg")
    assert psycopg.__version__.startswith("3.")


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_query_the_application_repeats_is_planned_once_per_connection():
    """Prepared statements by configuration (config/settings.py): after a few runs PostgreSQL
    keeps the plan of a repeated ORM query, whatever its values."""
    version = published_version(staff=StaffFactory())

    def prepared_here():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            return cursor.fetchone()[0]

    before = prepared_here()
    for number in range(8):
        Version.objects.filter(pk=version.pk + number).exists()

    assert prepared_here() > before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_staff_starting_a_draft_at_once_get_one_draft():
    staff = StaffFactory()
    version = published_version(staff=staff)
    drafts = []

    # The loser gets a domain error, not a crash.
    errors = errors_of(
        all_at_once(
            2, lambda i: drafts.append(services.start_new_draft(actor=staff, compact=version.compact))
        )
    )
    assert len(drafts) == 1
    assert [type(e).__name__ for e in errors] == ["DomainError"]
    assert Version.objects.filter(compact=version.compact, status="draft").count() == 1


@pytest.mark.redis
def test_the_shared_cache_is_redis_when_a_broker_is_configured():
    import redis
    from django.core.cache import cache

    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    cache.set("integration-probe", "seen", 30)
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    assert any(b"integration-probe" in key for key in client.keys("*integration-probe*"))
