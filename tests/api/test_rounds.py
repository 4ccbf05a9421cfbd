"""Rounds as open data: questions always, totals only when the round shows them, never a voter."""

import pytest
from django.urls import reverse

from consultation import services as consultation
from consultation.models import Proposal
from tests.consultation.factories import open_round, scheduled_round
from tests.factories import LeaderFactory

from .conftest import close

pytestmark = pytest.mark.django_db


def questions(api_get, round):
    return api_get(reverse("api:questions", kwargs={"round_id": round.pk})).json()


def results_url(round):
    return reverse("api:results", kwargs={"round_id": round.pk})


def test_an_open_round_lists_its_questions_without_totals(api_get, closed_round):
    asked = questions(api_get, closed_round)
    assert [q["kind"] for q in asked] == ["wording", "removal"]
    wording = asked[0]
    assert [o["label"] for o in wording["options"]][1] == "We will listen, then act."
    assert all(option["count"] is None for q in asked for option in q["options"])
    assert all(q["total_votes"] is None for q in asked)


def test_no_results_before_the_round_closes(api_get, closed_round):
    response = api_get(results_url(closed_round))
    assert response.status_code == 404
    assert "closes" in response.json()["detail"]
    round = api_get(reverse("api:round", kwargs={"round_id": closed_round.pk})).json()
    assert round["results_url"] is None and round["totals_visible"] is False


def test_a_round_that_shows_running_totals_shows_them_while_open(api_get, staff):
    round = open_round(staff=staff, show_running_totals=True)
    commitment = round.version.commitments.order_by("pk").first()
    author, voter = LeaderFactory.create_batch(2)
    proposal = consultation.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Better.",
        rationale=".",
    )
    consultation.cast_vote(actor=voter, round=round, commitment=commitment, choice=proposal)
    (question,) = questions(api_get, round)
    assert {o["option"]: o["count"] for o in question["options"]} == {
        "current": 0,
        f"proposal:{proposal.pk}": 1,
    }
    assert api_get(reverse("api:round", kwargs={"round_id": round.pk})).json()["totals_visible"] is True
    assert api_get(results_url(round)).status_code == 404  # the frozen tally comes at close


def test_after_closing_the_questions_and_results_give_totals(api_get, closed_round, staff):
    round = close(closed_round, staff)
    wording, removal = questions(api_get, round)
    counts = {o["option"]: o["count"] for o in wording["options"]}
    assert counts == {"current": 1, f"proposal:{round.rewording.pk}": 3}
    assert wording["total_votes"] == 4
    assert {o["option"]: o["count"] for o in removal["options"]} == {"support": 3, "oppose": 0}
    results = api_get(results_url(round)).json()
    assert results[0]["total_votes"] == 4
    assert results[0]["leading_option"] == f"proposal:{round.rewording.pk}"
    assert results[1]["kind"] == "removal"


def test_no_answer_names_a_voter(client, api_get, closed_round, staff):
    round = close(closed_round, staff)
    bodies = [
        api_get(url).content.decode()
        for url in (
            reverse("api:questions", kwargs={"round_id": round.pk}),
            results_url(round),
            reverse("api:round", kwargs={"round_id": round.pk}),
            reverse("api:rounds", kwargs={"slug": round.version.compact.slug}),
        )
    ]
    for voter in round.voters:
        for body in bodies:
            assert voter.email not in body
            assert voter.full_name not in body
            assert '"voter"' not in body


def test_a_scheduled_round_is_not_public(api_get, staff):
    round = scheduled_round(staff=staff)
    assert api_get(reverse("api:round", kwargs={"round_id": round.pk})).status_code == 404
    assert api_get(reverse("api:questions", kwargs={"round_id": round.pk})).status_code == 404
    # Its compact has nothing public yet (no published version, no open round): not there at all.
    assert api_get(reverse("api:rounds", kwargs={"slug": round.version.compact.slug})).status_code == 404
