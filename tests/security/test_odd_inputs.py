"""Odd values a prober sent that gave server errors (issue 34, item 11): each now gets a plain answer.

- a follow button's `next` that is not a path (redirect() took it for a view's name);
- a follow of an id of 400 digits (PostgreSQL refused to store it);
- staff moving or removing part 0 (0 was taken for "no part");
- confirmations written at once on SQLite ("database is locked").
"""

import threading
import time

import pytest
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.urls import reverse

from tests.factories import LeaderFactory, draft_version

pytestmark = pytest.mark.django_db

ODD_NEXT = ["abc", "0", "-1", "1e308", "home", "compact:verify", "//evil.example/", "/\\evil.example", ""]


@pytest.fixture
def leader_client(client):
    client.force_login(LeaderFactory())
    return client


@pytest.mark.parametrize("view", ["notifications:follow", "notifications:unfollow"])
@pytest.mark.parametrize("next_value", ODD_NEXT)
def test_a_follow_button_with_an_odd_next_goes_home(leader_client, view, next_value):
    response = leader_client.post(reverse(view, kwargs={"what": "round", "pk": 1}), {"next": next_value})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_a_follow_button_still_goes_back_to_a_page_of_this_site(leader_client):
    response = leader_client.post(
        reverse("notifications:follow", kwargs={"what": "round", "pk": 1}), {"next": "/rounds/1/?x=1#votes"}
    )
    assert response["Location"] == "/rounds/1/?x=1#votes"


@pytest.mark.parametrize("view", ["follow", "unfollow"])
@pytest.mark.parametrize("digits", ["9" * 19, "1" + "0" * 399])
def test_an_id_too_long_for_any_row_is_not_found(leader_client, view, digits):
    response = leader_client.post(f"/{view}/round/{digits}/", {"next": "/"})
    assert response.status_code == 404


@pytest.mark.parametrize("action", ["move", "remove", ""])
@pytest.mark.parametrize("kind", ["themes", "commitments", "parties", "sections"])
def test_staff_acting_on_part_0_is_told_it_is_not_found(staff_client, action, kind):
    version = draft_version(themes=1)
    path = f"/staff/compacts/{version.compact.slug}/versions/{version.number}/{kind}/0/{action + '/' if action else ''}"
    response = staff_client.post(path, {"direction": "down"})
    assert response.status_code == 404


def test_transactions_that_read_then_write_at_once_on_sqlite_all_succeed(settings, tmp_path):
    """`make run` on SQLite: each confirmation reads its signature, then writes it. With SQLite's
    default (a transaction takes the write lock only at its first write) the second of two such
    transactions fails at once with "database is locked"; with the project's options it waits."""
    database = {
        **connections["default"].settings_dict,
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(tmp_path / "db.sqlite3"),
        "OPTIONS": settings.SQLITE_OPTIONS,
        "TEST": {},
    }
    setup = DatabaseWrapper(database, alias="setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (value integer)")
        cursor.execute("INSERT INTO counter VALUES (0)")
    setup.close()
    failures, start = [], threading.Barrier(6)

    def confirm_many(number):
        alias = f"writer{number}"
        connections[alias] = DatabaseWrapper(database, alias=alias)  # this thread's own
        start.wait()
        try:
            for _ in range(20):
                with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                    cursor.execute("SELECT value FROM counter")
                    (value,) = cursor.fetchone()
                    time.sleep(0.002)  # as a request does between its read and its write: others start
                    cursor.execute("UPDATE counter SET value = %s", [value + 1])
        except Exception as error:  # noqa: BLE001 - what a request would have shown as a 500
            failures.append(error)
        finally:
            connections[alias].close()

    writers = [threading.Thread(target=confirm_many, args=(number,)) for number in range(6)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    check = DatabaseWrapper(database, alias="check")
    with check.cursor() as cursor:
        cursor.execute("SELECT value FROM counter")
        assert cursor.fetchone() == (120,)
    check.close()
