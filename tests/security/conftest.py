"""The world the access matrix, the CSRF checks and the fuzz act on, built once per module."""

import copy

import pytest

from tests.conftest import a_transaction_for_the_module, as_a_test_builds


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """build_world() once for a module: hundreds of cells each act on the same world, and building
    it takes longer than most cells. Each test acts on it in a savepoint that is rolled back."""
    from tests.security.test_access_matrix import build_world

    with a_transaction_for_the_module(django_db_blocker):
        with as_a_test_builds(django_db_blocker):
            world = build_world()
        yield world


@pytest.fixture
def world(shared_world, db):
    """The module's world for one test: its objects copied, so what one test changes in memory
    (as the database's changes are rolled back) no other test sees."""
    return copy.deepcopy(shared_world)
