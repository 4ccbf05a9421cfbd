"""Staff remind the leaders taking part in an open round who have not answered every question: the
page says how many beforehand, and exactly those people get one e-mail ("You have answered 2 of
3 questions"), unless they switched these reminders off or were reminded today already."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from consultation import services
from consultation.models import Round
from consultation.participation import not_yet_voted
from core.errors import DomainError, NotAllowed
from notifications import services as notifications
from notifications.kinds import Kind, Mode
from notifications.models import Outgoing
from tests.consultation.participation_data import PEOPLE, TRUTH, national_round
from tests.mailbox import delivered, to

pytestmark = pytest.mark.django_db


@pytest.fixture
def national(staff):
    return national_round(staff=staff)


def _remind_url(national):
    return reverse("consultation:staff_remind", kwargs={"pk": national.round.pk})


def _count_shown(staff_client, national):
    page = staff_client.get(_remind_url(national)).content.decode()
    found = re.search(r"This reminder will go to (\d+) leaders? who", page)
    return int(found.group(1)) if found else 0


def _reminded(national):
    """Who received a reminder: {key: "answered of questions" as their e-mail says it}."""
    received = {}
    for key, *_ in PEOPLE:
        for message in to(national.people[key].email):
            said = re.search(r"You have answered (\d+) of (\d+) questions", " ".join(message.body.split()))
            received[key] = (int(said.group(1)), int(said.group(2)))
    return received


def test_it_reaches_exactly_those_taking_part_who_have_not_answered_everything(national, staff_client):
    shown = _count_shown(staff_client, national)
    assert shown == len(TRUTH["not_yet_voted"]) == 10
    response = staff_client.post(_remind_url(national), follow=True)
    assert (
        "Queued the reminder for 10 leaders who have not answered every question."
        in response.content.decode()
    )
    assert _reminded(national) == {key: (answered, 3) for key, answered in TRUTH["not_yet_voted"]}
    # Not those who answered all three (a1, b1, w2), nor eligible leaders who never took part.
    assert len(delivered()) == shown


def test_the_email_is_well_made_and_links_to_the_round(national, staff, settings):
    services.remind_not_yet_voted(actor=staff, round=national.round)
    [message] = to(national.people["a2"].email)
    assert message.subject.startswith(
        "[Leadership Compact] Refreshing the compact: “spring” round – <national>"
    )
    assert "You have answered 2 of 3 questions" in " ".join(message.body.split())
    assert settings.SITE_URL + national.round.get_absolute_url() in message.body
    [(html_part, _)] = message.alternatives
    assert "&lt;national&gt;" in html_part and "<national>" not in html_part
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "/unsubscribe/not_yet_voted/" in message.extra_headers["List-Unsubscribe"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_someone_who_switched_these_reminders_off_gets_none_and_is_not_counted(national, staff, staff_client):
    notifications.set_preference(user=national.people["a3"], kind=Kind.NOT_YET_VOTED, mode=Mode.OFF)
    assert _count_shown(staff_client, national) == 9
    assert services.remind_not_yet_voted(actor=staff, round=national.round) == 9
    assert "a3" not in _reminded(national)


def test_one_click_unsubscribe_from_the_reminder_stops_the_next_one(national, staff, client):
    services.remind_not_yet_voted(actor=staff, round=national.round)
    [message] = to(national.people["c1"].email)
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert client.post(unsubscribe).status_code == 200
    tomorrow = timezone.localdate() + timedelta(days=1)
    services.remind_not_yet_voted(actor=staff, round=national.round, today=tomorrow)
    assert len(to(national.people["c1"].email)) == 1
    assert len(to(national.people["c2"].email)) == 2


def test_at_most_one_a_day_per_round_per_person(national, staff, staff_client):
    assert services.remind_not_yet_voted(actor=staff, round=national.round) == 10
    assert _count_shown(staff_client, national) == 0
    page = staff_client.get(_remind_url(national)).content.decode()
    assert "Nobody to remind today" in page and "Send the reminder" not in page
    again = staff_client.post(_remind_url(national), follow=True).content.decode()
    assert "Nobody new to remind today: no reminder was queued." in again
    assert Outgoing.objects.filter(kind="not-yet-voted").count() == 10
    # The outbox's unique key holds the day: even written behind the selector's back, no second row.
    from notifications import outbox

    outbox.put(
        letters=[
            outbox.Letter(
                key=Outgoing.objects.filter(kind="not-yet-voted").first().key,
                kind="not-yet-voted",
                to="someone@example.org",
                rendered=outbox.Rendered(subject="Again", text="Again", html=""),
            )
        ]
    )
    assert Outgoing.objects.filter(kind="not-yet-voted").count() == 10
    # The next day, those still short of every question are reminded again.
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert services.remind_not_yet_voted(actor=staff, round=national.round, today=tomorrow) == 10


def test_answering_every_question_takes_a_leader_off_the_list(national, staff):
    a2 = national.people["a2"]
    services.cast_vote(actor=a2, round=national.round, proposal=national.questions["R"], choice="oppose")
    reached = {reminder.user_id for reminder in not_yet_voted(round=national.round, day=timezone.localdate())}
    assert a2.pk not in reached and len(reached) == 9
    services.remind_not_yet_voted(actor=staff, round=national.round)
    assert to(a2.email) == []


def test_only_while_the_round_is_open(national, staff, staff_client):
    services.close_round(round=national.round, actor=staff, reason="Enough heard – thank you.")
    page = staff_client.get(_remind_url(national)).content.decode()
    assert "Reminders go only while a round is open." in page and "Send the reminder" not in page
    with pytest.raises(DomainError, match="only while a round is open"):
        services.remind_not_yet_voted(actor=staff, round=Round.objects.get(pk=national.round.pk))
    assert not Outgoing.objects.filter(kind="not-yet-voted").exists()


def test_only_staff_may_send_it(national, client, leader):
    with pytest.raises(NotAllowed):
        services.remind_not_yet_voted(actor=national.people["a1"], round=national.round)
    assert client.post(_remind_url(national)).status_code == 302  # a visitor is sent to sign in
    client.force_login(leader)
    assert client.get(_remind_url(national)).status_code == 403
    assert client.post(_remind_url(national)).status_code == 403
    assert not Outgoing.objects.filter(kind="not-yet-voted").exists()


def test_sending_it_is_in_the_audit_trail(national, staff):
    services.remind_not_yet_voted(actor=staff, round=national.round)
    event = AuditEvent.objects.get(action="remind leaders who have not voted")
    assert event.actor == staff and event.object_id == str(national.round.pk)
    assert event.after == {"day": timezone.localdate().isoformat(), "reminders": 10}


def test_the_participation_page_says_how_many_a_reminder_would_reach(national, staff_client):
    page = staff_client.get(reverse("consultation:staff_participation", kwargs={"pk": national.round.pk}))
    assert "A reminder today would go to 10 leaders taking part who have not answered every question." in (
        page.content.decode()
    )
