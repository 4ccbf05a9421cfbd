"""Rounds open and close by the clock, freeze the draft while open, and e-mail leaders once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compact import services as compact_services
from compact.errors import DomainError, NotAllowed, VersionLocked
from compact.models import Version
from consultation import services
from consultation.models import Round
from tests.factories import LeaderFactory, UserFactory, draft_version
from tests.mailbox import delivered

from .factories import open_round, reload, scheduled_round

pytestmark = pytest.mark.django_db


def test_round_opening_now_puts_the_draft_in_consultation(staff):
    round = open_round(staff=staff)
    assert round.status == Round.Status.OPEN
    assert round.version.status == Version.Status.CONSULTATION


def test_staff_cannot_edit_a_draft_while_its_round_is_open(staff):
    round = open_round(staff=staff)
    with pytest.raises(VersionLocked, match="in consultation"):
        compact_services.update_vision(actor=staff, version=round.version, vision="Changed mid-round")


def test_only_staff_can_open_a_round(leader):
    with pytest.raises(NotAllowed):
        open_round(staff=leader)


def test_a_round_cannot_close_before_it_opens(staff):
    now = timezone.now()
    with pytest.raises(DomainError, match="close after it opens"):
        open_round(staff=staff, opens_at=now + timedelta(days=2), closes_at=now + timedelta(days=1))


def test_a_draft_takes_one_round_at_a_time(staff):
    round = scheduled_round(staff=staff)
    with pytest.raises(DomainError, match="already has a round"):
        open_round(staff=staff, version=round.version)


def test_a_scheduled_round_opens_by_itself_when_its_time_comes(staff):
    round = scheduled_round(staff=staff, opens_in=timedelta(hours=1))
    assert reload(round).status == Round.Status.SCHEDULED
    services.advance_rounds(now=timezone.now())
    assert reload(round).status == Round.Status.SCHEDULED

    round.opens_at = timezone.now() - timedelta(seconds=1)
    round.save(update_fields=["opens_at"])
    assert services.advance_rounds()["opened"] == 1
    assert reload(round).status == Round.Status.OPEN
    assert reload(round).version.status == Version.Status.CONSULTATION


def test_an_open_round_closes_by_itself_at_closing_time(staff, leader):
    round = open_round(staff=staff)
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert services.advance_rounds()["closed"] == 1
    closed = reload(round)
    assert closed.status == Round.Status.CLOSED
    assert closed.closed_at is not None
    # Running the scheduler again changes nothing.
    assert services.advance_rounds() == {"opened": 0, "closed": 0, "reminded": 0, "failed": 0}


def test_staff_closing_early_must_give_a_reason(staff):
    round = open_round(staff=staff)
    with pytest.raises(DomainError, match="reason"):
        services.close_round(round=round, actor=staff, reason="  ")
    services.close_round(round=round, actor=staff, reason="The board meets early.")
    assert reload(round).closed_early_reason == "The board meets early."


def test_leaders_are_emailed_once_when_a_round_opens(staff, django_capture_on_commit_callbacks):
    leaders = LeaderFactory.create_batch(3)
    UserFactory(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        round = open_round(staff=staff)
    opened = [m for m in delivered() if "is open until" in m.subject]
    recipients = sorted(address for message in opened for address in message.to)
    assert sorted([*[leader.email for leader in leaders], staff.email]) == recipients
    from consultation.tasks import send_opening_notices

    assert send_opening_notices(round.pk) == 0
    assert len([m for m in delivered() if "is open until" in m.subject]) == 3 + 1


def test_only_invited_leaders_are_emailed_about_an_invited_round(staff, django_capture_on_commit_callbacks):
    invited, _other = LeaderFactory(), LeaderFactory()
    with django_capture_on_commit_callbacks(execute=True):
        open_round(staff=staff, participation=Round.Participation.INVITED, invited=[invited])
    assert [m.to for m in delivered()] == [[invited.email]]


def test_a_reminder_goes_48_hours_before_closing_and_not_twice(staff, leader):
    round = open_round(staff=staff, days=10)
    delivered().clear()
    services.advance_rounds()
    assert delivered() == []  # ten days to go

    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() + timedelta(hours=47))
    services.advance_rounds()
    services.advance_rounds()
    reminders = [m for m in delivered() if "Two days left" in m.subject]
    assert {tuple(m.to) for m in reminders} == {(leader.email,), (staff.email,)}
    assert len(reminders) == 2


def test_a_round_on_a_ratified_version_is_refused(staff):
    version = draft_version()
    compact_services.ratify(actor=staff, version=version)
    with pytest.raises(DomainError, match="only a draft"):
        open_round(staff=staff, version=version)


def test_cancelling_a_scheduled_round_frees_its_draft_for_a_new_round(staff, client):
    round = scheduled_round(staff=staff)
    services.close_round(round=round, actor=staff, reason="Wrong dates")
    cancelled = reload(round)
    assert cancelled.status == Round.Status.CANCELLED and not cancelled.has_results
    assert cancelled.version.status == Version.Status.DRAFT
    compact_services.update_vision(actor=staff, version=cancelled.version, vision="Still editable")

    again = scheduled_round(staff=staff, version=cancelled.version)
    assert again.status == Round.Status.SCHEDULED

    client.force_login(staff)
    page = client.get(reverse("consultation:staff_round", kwargs={"pk": cancelled.pk})).content.decode()
    assert "Cancelled before it opened" in page and "apply the results" not in page


def test_a_round_that_cannot_open_does_not_stop_the_scheduler_closing_or_reminding_others(
    staff, leader, client
):
    stuck = scheduled_round(staff=staff, opens_in=timedelta(hours=1))
    # A draft ratified under a scheduled round (the state earlier releases allowed): it can never open.
    Version.objects.filter(pk=stuck.version_id).update(
        status=Version.Status.RATIFIED, content_hash=stuck.version.compute_content_hash()
    )
    due_to_close = open_round(staff=staff)
    Round.objects.filter(pk=due_to_close.pk).update(closes_at=timezone.now() + timedelta(minutes=30))
    due_reminder = open_round(staff=staff)
    Round.objects.filter(pk=due_reminder.pk).update(closes_at=timezone.now() + timedelta(hours=47))
    delivered().clear()

    done = services.advance_rounds(now=timezone.now() + timedelta(hours=1, minutes=1))

    assert done["closed"] == 1 and done["reminded"] == 1 and done["failed"] == 1
    assert reload(due_to_close).status == Round.Status.CLOSED
    assert any("Two days left" in m.subject for m in delivered())
    failed = reload(stuck)
    assert failed.status == Round.Status.SCHEDULED and "no longer a draft" in failed.scheduler_error
    client.force_login(staff)
    page = client.get(reverse("consultation:staff_round", kwargs={"pk": stuck.pk})).content.decode()
    assert "The scheduler could not open this round" in page and "no longer a draft" in page


def test_the_scheduler_closes_by_the_time_it_was_given(staff):
    round = open_round(staff=staff)
    assert services.advance_rounds(now=round.closes_at + timedelta(minutes=1))["closed"] == 1
    closed = reload(round)
    assert closed.status == Round.Status.CLOSED and closed.closed_at == round.closes_at + timedelta(minutes=1)


def test_a_scheduled_round_whose_closing_time_passes_unopened_is_cancelled(staff):
    round = scheduled_round(staff=staff)
    services.advance_rounds(now=round.closes_at + timedelta(minutes=1))
    assert reload(round).status == Round.Status.CANCELLED
    assert scheduled_round(staff=staff, version=round.version).status == Round.Status.SCHEDULED


def test_a_draft_with_a_scheduled_round_cannot_be_ratified(staff):
    round = scheduled_round(staff=staff)
    with pytest.raises(DomainError, match="scheduled"):
        compact_services.ratify(actor=staff, version=round.version)
    assert reload(round).version.status == Version.Status.DRAFT
    services.close_round(round=round, actor=staff, reason="Ratifying as it stands")
    assert compact_services.ratify(actor=staff, version=round.version).status == Version.Status.RATIFIED
