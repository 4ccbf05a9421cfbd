"""The world the access matrix, the CSRF checks and the fuzz act on, built once per module."""

import copy

import pytest
from django.db import transaction

from tests.conftest import as_a_test_builds


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """build_world() once for a module: hundreds of cells each act on the same world, and building
    it takes longer than most cells. It is made inside a transaction that stays open for the
    module; each test runs in a savepoint within it (pytest-django's `db`) and is rolled back, so
    every test starts from the world as built. Rolled back at the end of the module."""
    from tests.security.test_access_matrix import build_world

    with as_a_test_builds(django_db_blocker):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = build_world()
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield world
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(shared_world, db):
    """The module's world for one test: its objects copied, so what one test changes in memory
    (as the database's changes are rolled back) no other test sees."""
    return copy.deepcopy(shared_world)
