"""The auth middleware's `User.objects.get(pk=n)` is one plain statement on PostgreSQL
(accounts.models.UserManager.get): it must give exactly what the ORM gives, read afresh."""

import pytest
from django.db.models import QuerySet

from accounts.models import User
from tests.factories import LeaderFactory

pytestmark = pytest.mark.django_db


def test_the_person_read_by_id_is_the_one_the_orm_reads():
    leader = LeaderFactory(full_name="Ada Lovelace", job_title="Chair")
    read = User.objects.get(pk=leader.pk)
    by_orm = QuerySet(User).get(pk=leader.pk)
    for field in User._meta.concrete_fields:
        assert getattr(read, field.attname) == getattr(by_orm, field.attname), field.name
    assert read._state.adding is False and read._state.db == "default"
    assert read.get_session_auth_hash() == by_orm.get_session_auth_hash()


def test_a_change_is_seen_at_once_and_a_missing_id_is_does_not_exist():
    leader = LeaderFactory()
    User.objects.filter(pk=leader.pk).update(is_active=False, full_name="Changed")
    read = User.objects.get(pk=leader.pk)
    assert read.is_active is False and read.full_name == "Changed"
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=leader.pk + 1000)
    assert User.objects.get(email=leader.email) == leader  # other lookups: the ORM as before


def test_a_deactivated_person_is_signed_out_on_their_next_request(client):
    leader = LeaderFactory()
    client.force_login(leader)
    assert client.get("/account/profile/").status_code == 200
    User.objects.filter(pk=leader.pk).update(is_active=False)
    assert client.get("/account/profile/").status_code == 302
