"""A closed round shows its answers, not a greyed voting form: the totals, staff's decision and
its reason, the wording adopted once the results are applied, and the reader's own vote."""

import pytest
from django.urls import reverse

from consultation import services
from consultation.models import Proposal
from tests.charts import bar_figures
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
        text="We will pledge protected time to every leader.",
        rationale="Plainer.",
    )
    voter = LeaderFactory()
    services.cast_vote(actor=voter, round=round, commitment=commitment, choice="current")
    for _ in range(3):
        services.cast_vote(actor=LeaderFactory(), round=round, commitment=commitment, choice=proposal)
    services.close_round(round=round, actor=staff, reason="Board date")
    return round, commitment, proposal, voter


def commitment_page(client, round, commitment):
    url = reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment.pk})
    return client.get(url).content.decode()


def test_a_closed_rounds_commitment_shows_totals_and_the_persons_vote_and_no_form(client, closed):
    round, commitment, proposal, voter = closed
    client.force_login(voter)
    page = commitment_page(client, round, commitment)
    assert "Which wording should stand?" not in page
    assert "until the round closes" not in page
    assert 'name="choice"' not in page and "Save my vote" not in page
    assert "Votes at close" in page
    # Drawn as bars and written in a table beside them.
    position = round.results.get(commitment=commitment).position
    assert bar_figures(page, f"question-{position}") == [
        ("Keep the current wording", 1),
        (f"Proposal #{proposal.pk}: “We will pledge protected time to every leader.” — most votes", 3),
    ]
    assert "3 votes, 75%" in page and "1 vote, 25%" in page
    assert f"Proposal #{proposal.pk} by Priya Author" in page
    assert "Your vote: keep the current wording." in page
    assert "have not applied the results yet" in page


def test_once_applied_the_page_says_what_staff_decided_why_and_which_wording_stands(client, staff, closed):
    round, commitment, proposal, _ = closed
    result = round.results.get(commitment=commitment)
    services.apply_results(
        actor=staff, round=round, decisions={result.pk: ("override", "current", "Legal advice on pledges.")}
    )
    page = commitment_page(client, round, commitment)
    assert "The current wording stands." in page
    assert "chose an option other than the one most leaders voted for" in page
    assert "Their reason: Legal advice on pledges." in page
    assert "Wording adopted:" in page and commitment.text in page


def test_an_accepted_proposal_is_shown_as_the_wording_adopted(client, staff, closed):
    round, commitment, proposal, _ = closed
    services.apply_results(actor=staff, round=round)
    page = commitment_page(client, round, commitment)
    assert f"Proposal #{proposal.pk} by Priya Author is adopted." in page
    assert "accepted the option most leaders voted for" in page
    assert "We will pledge protected time to every leader." in page


def test_the_round_page_says_votes_at_close_not_so_far_once_closed(client, closed):
    round, *_ = closed
    page = client.get(round.get_absolute_url()).content.decode()
    assert "Votes so far" not in page and "Votes at close" in page
