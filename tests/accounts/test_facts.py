"""Staff role and verified address are read from the cache, and every change that alters them
is seen by the very next request: a person removed from academy staff loses staff pages at once."""

from unittest import mock

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group, Permission

from accounts import facts
from accounts.models import User
from accounts.roles import ACADEMY_STAFF_GROUP, has_verified_email, is_academy_staff
from tests.factories import LeaderFactory, StaffFactory


def fresh(user):
    """The user as the next request loads it: a new object, nothing remembered on it."""
    return User.objects.get(pk=user.pk)


def test_a_second_request_asks_the_database_nothing(db, django_assert_num_queries):
    staff = StaffFactory()
    assert is_academy_staff(fresh(staff)) and has_verified_email(fresh(staff))
    person = fresh(staff)
    with django_assert_num_queries(0):
        assert is_academy_staff(person)
        assert has_verified_email(person)


def test_removed_from_the_staff_group_is_not_staff_on_the_next_request(
    db, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    assert is_academy_staff(fresh(staff))
    with django_capture_on_commit_callbacks(execute=True):
        staff.groups.clear()
    assert not is_academy_staff(fresh(staff))


def test_removed_from_the_group_by_the_group_side_is_not_staff_either(db, django_capture_on_commit_callbacks):
    staff = StaffFactory()
    assert is_academy_staff(fresh(staff))
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name=ACADEMY_STAFF_GROUP).user_set.remove(staff)
    assert not is_academy_staff(fresh(staff))


def test_a_group_losing_the_permission_takes_it_from_every_member(db, django_capture_on_commit_callbacks):
    first, second = StaffFactory(), StaffFactory()
    assert is_academy_staff(fresh(first)) and is_academy_staff(fresh(second))
    with django_capture_on_commit_callbacks(execute=True):
        Group.objects.get(name=ACADEMY_STAFF_GROUP).permissions.remove(
            Permission.objects.get(codename="manage_compacts")
        )
    assert not is_academy_staff(fresh(first))
    assert not is_academy_staff(fresh(second))


def test_a_leader_added_to_the_group_is_staff_on_the_next_request(db, django_capture_on_commit_callbacks):
    leader = LeaderFactory()
    StaffFactory()  # the group exists, with its permission
    assert not is_academy_staff(fresh(leader))
    with django_capture_on_commit_callbacks(execute=True):
        leader.groups.add(Group.objects.get(name=ACADEMY_STAFF_GROUP))
    assert is_academy_staff(fresh(leader))


def test_a_deactivated_account_is_never_staff_whatever_the_cache_says(db):
    staff = StaffFactory()
    assert is_academy_staff(fresh(staff))
    User.objects.filter(pk=staff.pk).update(is_active=False)  # no signal fires for this
    assert not is_academy_staff(fresh(staff))


def test_verifying_an_address_is_seen_at_once(db, django_capture_on_commit_callbacks):
    person = LeaderFactory(verified=False)
    assert not has_verified_email(fresh(person))
    with django_capture_on_commit_callbacks(execute=True):
        EmailAddress.objects.create(user=person, email=person.email, verified=True, primary=True)
    assert has_verified_email(fresh(person))


def test_an_answer_read_before_a_change_and_stored_after_it_is_not_used(
    db, django_capture_on_commit_callbacks
):
    """The race a plain delete loses: a request reads 'staff' from the database, the person is
    removed from the group (and the cache told), then the request stores its stale answer."""
    staff = StaffFactory()
    slow = fresh(staff)

    def removed_meanwhile():
        answer = slow.has_perm("compact.manage_compacts")  # read before the change
        with django_capture_on_commit_callbacks(execute=True):
            staff.groups.clear()
        return answer

    assert facts.known(slow, "academy_staff", removed_meanwhile) is True  # that request's answer
    assert not is_academy_staff(fresh(staff))  # the next request does not believe it


def test_without_the_cache_the_answer_comes_from_the_database(db):
    staff = StaffFactory()
    with mock.patch.object(facts.cache, "get_many", return_value={}), mock.patch.object(facts.cache, "set"):
        assert is_academy_staff(fresh(staff))
        assert not is_academy_staff(fresh(LeaderFactory()))


def test_other_keys_read_with_the_facts_cost_one_round_trip_and_keep_the_rules(
    db, django_capture_on_commit_callbacks
):
    """The round page reads its generations with the person's facts (facts.read_with)."""
    from django.core.cache import cache

    staff = StaffFactory()
    cache.set("other", 7)
    assert is_academy_staff(fresh(staff))  # now remembered
    person = fresh(staff)
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as reads:
        assert facts.read_with(person, ["other", "missing"]) == {"other": 7}
        assert is_academy_staff(person) and has_verified_email(person)
    assert reads.call_count == 1
    with django_capture_on_commit_callbacks(execute=True):
        staff.groups.clear()
    person = fresh(staff)
    facts.read_with(person, ["other"])
    assert not is_academy_staff(person)  # what was remembered before the change is refused
    visitor_reads = facts.read_with(mock.Mock(is_authenticated=False), ["other"])
    assert visitor_reads == {"other": 7}
