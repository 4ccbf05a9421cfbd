"""Staff close a round early and apply its results on pages that say what will happen in plain
words and ask before doing what cannot be undone."""

import pytest
from django.urls import reverse

from consultation import services
from consultation.models import Proposal, Round
from tests.factories import LeaderFactory

from .factories import open_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(staff):
    round = open_round(staff=staff)
    commitment = round.version.commitments.order_by("pk").first()
    proposal = services.propose(
        actor=LeaderFactory(full_name="Priya Author"),
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text=commitment.text.replace("promise", "pledge"),
        rationale="Plainer.",
    )
    for _ in range(3):
        services.cast_vote(actor=LeaderFactory(), round=round, commitment=commitment, choice=proposal)
    services.cast_vote(actor=LeaderFactory(), round=round, commitment=commitment, choice="current")
    services.close_round(round=round, actor=staff, reason="Board date")
    return round, commitment, proposal


def apply_url(round):
    return reverse("consultation:staff_apply", kwargs={"pk": round.pk})


def test_apply_page_shows_each_question_in_plain_words(staff_client, closed):
    round, commitment, proposal = closed
    page = staff_client.get(apply_url(round)).content.decode()
    assert "proposal:" not in page.replace(f'value="proposal:{proposal.pk}"', "")
    assert f"Proposal #{proposal.pk} by Priya Author" in page
    assert '<del class="app-diff__removed">' in page and '<ins class="app-diff__added">' in page
    assert f"Accept the leaders’ choice: Proposal #{proposal.pk} by Priya Author" in page
    assert "75%" in page and "25%" in page
    # The override fields are revealed by the override radio (shown anyway without JavaScript).
    result = round.results.get()
    assert f'data-aria-controls="conditional-decision-{result.pk}"' in page and "data-app-conditional" in page
    assert (
        f'class="nhsuk-radios__conditional nhsuk-radios__conditional--hidden" id="conditional-decision-{result.pk}"'
        in page
    )


def test_an_override_without_a_reason_is_shown_beside_the_field_and_nothing_is_applied(staff_client, closed):
    round, _, _ = closed
    result = round.results.get()
    response = staff_client.post(
        apply_url(round), {f"decision-{result.pk}": "override", f"option-{result.pk}": "current"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="#reason-{result.pk}">Question 1: give the reason for overriding' in page
    assert f'id="reason-{result.pk}-error"' in page
    assert '<option value="current" selected>' in page
    assert "nhsuk-radios__conditional--hidden" not in page
    assert Round.objects.get(pk=round.pk).status == Round.Status.CLOSED


def test_applying_asks_for_confirmation_first_and_says_it_can_be_done_once(staff_client, closed):
    round, _, proposal = closed
    result = round.results.get()
    decision = {
        f"decision-{result.pk}": "override",
        f"option-{result.pk}": "current",
        f"reason-{result.pk}": "Board view.",
    }
    page = staff_client.post(apply_url(round), decision).content.decode()
    assert "This can be done once" in page
    assert "Staff decision: Keep the current wording. Reason: Board view." in page
    assert Round.objects.get(pk=round.pk).status == Round.Status.CLOSED

    response = staff_client.post(apply_url(round), {**decision, "confirmed": "yes"}, follow=True)
    assert Round.objects.get(pk=round.pk).status == Round.Status.APPLIED
    assert "staff override, reason: Board view." in response.content.decode()


def test_closing_early_is_a_confirmation_page_not_one_click(staff_client, staff):
    round = open_round(staff=staff)
    manage = staff_client.get(reverse("consultation:staff_round", kwargs={"pk": round.pk})).content.decode()
    close_url = reverse("consultation:staff_close", kwargs={"pk": round.pk})
    assert f'href="{close_url}">Close the round early</a>' in manage
    assert 'name="action" value="close"' not in manage

    page = staff_client.get(close_url).content.decode()
    assert "This cannot be undone" in page and "Close the round now" in page
    assert Round.objects.get(pk=round.pk).status == Round.Status.OPEN

    response = staff_client.post(
        reverse("consultation:staff_round", kwargs={"pk": round.pk}), {"action": "close", "reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert (
        '<a href="#id_reason">Give the reason for closing the round early; leaders will see it.</a>' in page
    )
    assert Round.objects.get(pk=round.pk).status == Round.Status.OPEN

    staff_client.post(
        reverse("consultation:staff_round", kwargs={"pk": round.pk}),
        {"action": "close", "reason": "Board date"},
    )
    round.refresh_from_db()
    assert round.status == Round.Status.CLOSED
    manage = staff_client.get(reverse("consultation:staff_round", kwargs={"pk": round.pk})).content.decode()
    assert "Closed early on" in manage
