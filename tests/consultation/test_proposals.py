"""Leaders propose changes (services/proposals.py); the rules hold for every role and every path."""

from datetime import timedelta

import pytest
from django.utils import timezone

from compact.errors import DomainError, NotAllowed
from consultation import services
from consultation.models import Proposal, Vote
from tests.factories import LeaderFactory

from .factories import reword

pytestmark = pytest.mark.django_db


def test_leader_can_propose_new_wording_with_a_rationale(round, leader, commitment):
    proposal = reword(round, leader, commitment)
    assert proposal.status == Proposal.Status.OPEN
    assert proposal.author == leader


def test_duplicate_wording_is_refused_with_a_pointer_to_the_first(round, leader, commitment):
    first = reword(round, leader, commitment, text="We will listen first, then act.")
    with pytest.raises(services.DuplicateProposal) as refused:
        reword(round, LeaderFactory(), commitment, text="  we will LISTEN first,   then act ")
    assert refused.value.existing == first
    assert f"#{first.pk}" in refused.value.message


def test_a_proposal_needs_a_rationale(round, leader, commitment):
    with pytest.raises(DomainError, match="Explain why"):
        reword(round, leader, commitment, rationale="  ")


def test_leader_can_propose_a_new_commitment_and_a_removal(round, leader, commitment):
    theme, party = commitment.theme, commitment.party
    new = services.propose(
        actor=leader,
        round=round,
        kind=Proposal.Kind.NEW_COMMITMENT,
        theme=theme,
        party=party,
        text="We will protect time for reflection.",
        rationale="Burnout.",
    )
    removal = services.propose(
        actor=leader, round=round, kind=Proposal.Kind.REMOVAL, commitment=commitment, rationale="Vague."
    )
    assert new.is_support_question and removal.is_support_question


def test_author_can_edit_for_a_short_while_after_proposing_then_never(round, leader, commitment):
    proposal = reword(round, leader, commitment)
    services.edit_proposal(
        actor=leader, proposal=proposal, text="We will listen, then act.", rationale="Shorter."
    )
    Proposal.objects.filter(pk=proposal.pk).update(
        created_at=timezone.now() - services.PROPOSAL_EDIT_WINDOW - timedelta(seconds=1)
    )
    with pytest.raises(DomainError, match="can be changed for 15 minutes"):
        services.edit_proposal(
            actor=leader, proposal=proposal, text="Something else entirely.", rationale="x"
        )


def test_only_the_author_can_edit_or_withdraw(round, leader, commitment):
    proposal = reword(round, leader, commitment)
    with pytest.raises(NotAllowed):
        services.withdraw_proposal(actor=LeaderFactory(), proposal=proposal)


def test_withdrawing_voids_the_votes_for_the_proposal(round, leader, commitment):
    proposal = reword(round, leader, commitment)
    services.cast_vote(actor=LeaderFactory(), round=round, commitment=commitment, choice=proposal)
    services.withdraw_proposal(actor=leader, proposal=proposal)
    assert not Vote.objects.filter(chosen_proposal=proposal).exists()


def test_staff_can_stop_new_proposals_while_votes_go_on(round, staff, leader, commitment):
    proposal = reword(round, leader, commitment)
    services.stop_proposals(actor=staff, round=round)
    with pytest.raises(NotAllowed, match="no longer taking new proposals"):
        reword(round, LeaderFactory(), commitment, text="Another wording.")
    services.cast_vote(actor=leader, round=round, commitment=commitment, choice=proposal)
