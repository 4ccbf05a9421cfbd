"""Leaders vote (services/votes.py), only while they may take part, one vote per question."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compact.errors import DomainError, NotAllowed
from consultation import services
from consultation.models import Proposal, Round, Vote
from tests.factories import LeaderFactory

from .factories import open_round, reword, scheduled_round

pytestmark = pytest.mark.django_db


def test_a_vote_can_be_changed_and_stays_one_vote(round, leader, commitment):
    proposal = reword(round, LeaderFactory(), commitment)
    services.cast_vote(actor=leader, round=round, commitment=commitment, choice=proposal)
    services.cast_vote(actor=leader, round=round, commitment=commitment, choice=Vote.Choice.CURRENT)
    votes = Vote.objects.filter(voter=leader)
    assert votes.count() == 1
    assert votes.get().choice == Vote.Choice.CURRENT


def test_leader_cannot_vote_after_round_closes(round, leader, commitment):
    proposal = reword(round, LeaderFactory(), commitment)
    Round.objects.filter(pk=round.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    # The scheduler has not run yet: the clock alone refuses the vote.
    with pytest.raises(NotAllowed, match="has closed"):
        services.cast_vote(actor=leader, round=round, commitment=commitment, choice=proposal)


def test_leader_cannot_vote_before_the_round_opens(staff, leader):
    round = scheduled_round(staff=staff)
    commitment = round.version.commitments.first()
    with pytest.raises(NotAllowed, match="not opened yet"):
        services.cast_vote(actor=leader, round=round, commitment=commitment, choice=Vote.Choice.CURRENT)


def test_leader_not_invited_cannot_take_part(staff, commitment):
    invited, outsider = LeaderFactory(), LeaderFactory()
    round = open_round(staff=staff, participation=Round.Participation.INVITED, invited=[invited])
    with pytest.raises(NotAllowed, match="invited leaders only"):
        services.post_comment(actor=outsider, round=round, body="Hello")
    services.post_comment(actor=invited, round=round, body="Hello")


def test_unverified_person_cannot_take_part(round, unverified_user):
    with pytest.raises(NotAllowed, match="Confirm your e-mail"):
        services.post_comment(actor=unverified_user, round=round, body="Hello")


def test_support_questions_take_support_or_oppose(round, leader, commitment):
    removal = services.propose(
        actor=leader, round=round, kind=Proposal.Kind.REMOVAL, commitment=commitment, rationale="x"
    )
    with pytest.raises(DomainError, match="support or oppose"):
        services.cast_vote(actor=leader, round=round, proposal=removal, choice=Vote.Choice.CURRENT)
    vote = services.cast_vote(actor=leader, round=round, proposal=removal, choice=Vote.Choice.SUPPORT)
    assert vote.choice == "support"
