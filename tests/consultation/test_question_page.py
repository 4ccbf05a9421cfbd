"""A question's page and the vote on it (consultation/views/questions.py), without JavaScript."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from consultation.models import Round, Vote

pytestmark = pytest.mark.django_db


def test_leader_votes_through_the_form_without_javascript(leader_client, leader, round, commitment, proposal):
    url = reverse("consultation:vote", kwargs={"round_pk": round.pk})
    response = leader_client.post(
        url, {"commitment": commitment.pk, "choice": f"proposal:{proposal.pk}"}, follow=True
    )
    assert "Your vote is saved" in response.content.decode()
    assert Vote.objects.get(voter=leader).chosen_proposal == proposal


def test_a_vote_posted_from_a_stale_tab_after_close_is_refused_with_a_message(
    leader_client, leader, round, commitment, proposal
):
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    url = reverse("consultation:vote", kwargs={"round_pk": round.pk})
    response = leader_client.post(url, {"commitment": commitment.pk, "choice": "current"}, follow=True)
    assert "This round has closed" in response.content.decode()
    assert not Vote.objects.filter(voter=leader).exists()
