"""Role fixtures, and the rule that tests needing real services fail in CI rather than skip."""

import os
from contextlib import contextmanager

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.factories import LeaderFactory, StaffFactory, UserFactory
from tests.triggers import bypassing_the_triggers

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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


def pytest_collection_modifyitems(items):
    """Slow tests first, then the browser tier, then the rest, each in the order collected: under
    xdist the quick tests then fill the gaps at the end, rather than one slow test running alone
    while the other workers wait."""
    items.sort(key=lambda item: (not item.get_closest_marker("slow"), "tests/browser/" not in item.nodeid))


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


@contextmanager
def as_a_test_builds(django_db_blocker):
    """Data built in a fixture wider than one test, under the rules every test has: database
    access, tasks run in process, quick password hashes (the function-scoped fixtures that set
    these have not run yet)."""
    from django.test.utils import override_settings

    from config.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            yield
    finally:
        app.conf.task_always_eager = eager


@contextmanager
def a_transaction_for_the_module(django_db_blocker):
    """A transaction that stays open around a module's tests and is rolled back after them.

    Data that takes longer to build than most tests take to run is built once, inside it; each
    test then runs in a savepoint within it (pytest-django's `db`) and is rolled back, so every
    test starts from the data as built. Only for modules whose tests all use `db`, not
    `transactional_db`, which would commit through it."""
    from django.db import transaction

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="session")
def demo_fixture_file(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo (`manage.py load_demo`) as a Django fixture file, made once per test process.

    The demo takes seconds to build (its PDFs are typeset as it is published); loading the file it
    leaves takes a fraction of one. It is built as `make run` builds it, in its own transaction,
    and emptied out again before any test runs: a test asks for it through `demo`.
    """
    from django.core.management import call_command

    path = tmp_path_factory.mktemp("demo") / "demo.json"
    with as_a_test_builds(django_db_blocker):
        # Committed, as `make run` commits it: the PDFs are typeset once the demo is.
        call_command("load_demo", verbosity=0)
        # Content types, permissions and the staff group are made by migrate in every database;
        # rows refer to them by name (natural keys), not by an id that could differ.
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=["contenttypes", "auth.permission", "auth.group", "sessions"],
            output=str(path),
            verbosity=0,
        )
        files = {name: default_storage.open(name).read() for name in _stored_file_names()}
        call_command("flush", interactive=False, verbosity=0)
    return path, files


def _stored_file_names():
    """The names of the files the database's file fields refer to (the demo's PDFs)."""
    from django.apps import apps
    from django.db.models import FileField

    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, FileField):
                yield from model.objects.exclude(**{field.name: ""}).values_list(field.name, flat=True)


@pytest.fixture
def demo(db, demo_fixture_file):
    """The demo's compact, people, rounds and signatories; the open round is returned. Its stored
    files are put back as they were made: an earlier test may have replaced a PDF."""
    from django.core.management import call_command

    from consultation.models import Round

    path, files = demo_fixture_file
    # On PostgreSQL a trigger refuses new parts for a ratified version (compact/models.py), and
    # the file holds the version before its parts. Loading it restores rows as they were, as a
    # dump is restored: no change to a ratified text, so the triggers stand aside for the load.
    with bypassing_the_triggers():
        call_command("loaddata", str(path), verbosity=0)
    for name, content in files.items():
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, ContentFile(content))
    return Round.objects.get(status=Round.Status.OPEN)


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
    settings.PASSWORD_HASHERS = FAST_HASHERS
