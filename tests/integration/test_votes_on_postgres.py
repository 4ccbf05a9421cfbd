"""Votes under real concurrency, on PostgreSQL: one leader, many simultaneous submits, one vote."""

import pytest

from consultation import services
from consultation.models import Proposal, Result, Vote
from tests.concurrency import all_at_once, errors_of
from tests.consultation.factories import open_round
from tests.factories import LeaderFactory, StaffFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submits_from_one_leader_leave_exactly_one_vote():
    round = open_round(staff=StaffFactory())
    commitment = round.version.commitments.first()
    leader = LeaderFactory()
    proposal = services.propose(
        actor=leader,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Other words.",
        rationale="x",
    )
    choices = [proposal, "current"] * 4

    errors = errors_of(
        all_at_once(
            8,
            lambda i: services.cast_vote(actor=leader, round=round, commitment=commitment, choice=choices[i]),
        )
    )

    assert errors == []
    assert Vote.objects.filter(round=round, voter=leader, commitment=commitment).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_vote_racing_the_close_is_either_counted_or_refused_never_lost():
    staff = StaffFactory()
    round = open_round(staff=staff)
    commitment = round.version.commitments.first()
    voters = LeaderFactory.create_batch(6)
    proposal = services.propose(
        actor=voters[0],
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Other words.",
        rationale="x",
    )

    def work(index):
        if index == 0:
            services.close_round(round=round, actor=staff, reason="Race")
        else:
            services.cast_vote(actor=voters[index], round=round, commitment=commitment, choice=proposal)

    all_at_once(len(voters), work)

    stored = Vote.objects.filter(round=round).count()
    assert Result.objects.get(round=round, commitment=commitment).total_votes == stored


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_vote_racing_the_withdrawal_of_its_proposal_is_deleted_with_it_or_refused():
    round = open_round(staff=StaffFactory())
    commitment = round.version.commitments.first()
    author, *voters = LeaderFactory.create_batch(8)
    proposal = services.propose(
        actor=author,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text="Other words.",
        rationale="x",
    )
    removal = services.propose(
        actor=author, round=round, kind=Proposal.Kind.REMOVAL, commitment=commitment, rationale="x"
    )

    def work(index):
        if index == 0:
            services.withdraw_proposal(actor=author, proposal=proposal)
        elif index == 1:
            services.withdraw_proposal(actor=author, proposal=removal)
        elif index % 2:
            services.cast_vote(actor=voters[index], round=round, commitment=commitment, choice=proposal)
        else:
            services.cast_vote(actor=voters[index], round=round, proposal=removal, choice="support")

    errors = errors_of(all_at_once(len(voters), work))

    assert {type(error).__name__ for error in errors} <= {"DomainError"}
    assert not Vote.objects.filter(chosen_proposal=proposal).exists()
    assert not Vote.objects.filter(question_proposal=removal).exists()
