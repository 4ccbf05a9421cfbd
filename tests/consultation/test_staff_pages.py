"""Staff pages of a round (consultation/views/staff.py): scheduling, applying results, and who may
reach them. Closing early and the apply page's wording are in test_apply_and_close_pages.py, the
moderation queue in test_moderation_queue.py."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultation import services
from consultation.models import Round
from tests.factories import LeaderFactory, draft_version

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["staff_round", "staff_apply"])
def test_staff_round_pages_refuse_leaders(leader_client, round, name):
    assert leader_client.get(reverse(f"consultation:{name}", kwargs={"pk": round.pk})).status_code == 403


def test_leaders_cannot_reach_the_moderation_queue(leader_client, client):
    assert leader_client.get(reverse("consultation:moderation")).status_code == 403


def test_staff_open_a_round_through_the_form(staff_client):
    version = draft_version()
    now = timezone.localtime()
    response = staff_client.post(
        reverse(
            "consultation:staff_schedule", kwargs={"slug": version.compact.slug, "number": version.number}
        ),
        {
            "title": "Autumn round",
            "opens_at": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "participation": "everyone",
        },
    )
    round = Round.objects.get()
    assert response.status_code == 302 and round.status == Round.Status.OPEN


def test_schedule_form_names_unknown_invited_addresses(staff_client):
    version = draft_version()
    now = timezone.localtime()
    response = staff_client.post(
        reverse(
            "consultation:staff_schedule", kwargs={"slug": version.compact.slug, "number": version.number}
        ),
        {
            "title": "Invited round",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
            "participation": "invited",
            "invited_emails": "nobody@example.org",
        },
    )
    assert response.status_code == 400
    assert "No leader is registered with: nobody@example.org" in response.content.decode()
    assert not Round.objects.exists()


def test_staff_apply_results_through_the_form_and_see_the_change_log(
    staff_client, staff, round, commitment, proposal
):
    services.cast_vote(actor=LeaderFactory(), round=round, commitment=commitment, choice=proposal)
    staff_client.post(
        reverse("consultation:staff_round", kwargs={"pk": round.pk}),
        {"action": "close", "reason": "Board date"},
    )
    response = staff_client.post(
        reverse("consultation:staff_apply", kwargs={"pk": round.pk}), {"confirmed": "yes"}, follow=True
    )
    page = response.content.decode()
    assert "We will listen, then act together." in page
    assert f"wording from proposal #{proposal.pk}, 1 of 1 votes" in page
