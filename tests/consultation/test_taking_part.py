"""Leaders propose, vote and comment; the rules hold for every role and every path."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from compact.errors import DomainError, NotAllowed
from consultation import services
from consultation.models import Comment, Proposal, Round, Vote
from tests.factories import LeaderFactory, UserFactory

from .factories import open_round, scheduled_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round(staff):
    return open_round(staff=staff)


@pytest.fixture
def commitment(round):
    return round.version.commitments.order_by("pk").first()


def reword(round, leader, commitment, text="We will listen first, then act.", rationale="Clearer."):
    return services.propose(
        actor=leader,
        round=round,
        kind=Proposal.Kind.REWORDING,
        commitment=commitment,
        text=text,
        rationale=rationale,
    )


# --- Proposals ---------------------------------------------------------------------------------------
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


# --- Votes -------------------------------------------------------------------------------------------
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


# --- Comments ----------------------------------------------------------------------------------------
def test_comment_markdown_is_rendered_and_script_does_not_survive(round, leader):
    comment = services.post_comment(
        actor=leader,
        round=round,
        body="**Good** point <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>",
    )
    html = comment.body_html
    assert "<strong>Good</strong>" in html
    assert set(re.findall(r"<(\w+)", html)) <= {"p", "strong"}
    assert 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as the text the person typed, never run


def test_replies_to_a_reply_join_the_thread(round, leader, commitment):
    top = services.post_comment(
        actor=leader, round=round, body="Top", target=Comment.Target.COMMITMENT, commitment=commitment
    )
    reply = services.post_comment(actor=LeaderFactory(), round=round, body="Reply", parent=top)
    deeper = services.post_comment(actor=leader, round=round, body="Reply to reply", parent=reply)
    assert reply.parent == top and deeper.parent == top
    assert deeper.commitment == commitment


def test_comments_can_be_edited_for_15_minutes_only(round, leader):
    comment = services.post_comment(actor=leader, round=round, body="First thought")
    services.edit_comment(actor=leader, comment=comment, body="Second thought")
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    comment.refresh_from_db()
    with pytest.raises(DomainError, match="15 minutes"):
        services.edit_comment(actor=leader, comment=comment, body="Third thought")


def test_deleting_a_comment_leaves_a_placeholder(round, leader):
    comment = services.post_comment(actor=leader, round=round, body="Regrettable")
    services.delete_comment(actor=leader, comment=comment)
    comment.refresh_from_db()
    assert comment.is_deleted and comment.body == "" and Comment.objects.filter(pk=comment.pk).exists()


def test_others_cannot_delete_a_comment(round, leader):
    comment = services.post_comment(actor=leader, round=round, body="Mine")
    with pytest.raises(NotAllowed):
        services.delete_comment(actor=LeaderFactory(), comment=comment)


def test_hiding_a_comment_needs_staff_and_a_reason_and_tells_the_author(
    round, leader, staff, django_capture_on_commit_callbacks
):
    comment = services.post_comment(actor=leader, round=round, body="Rude words")
    services.report_comment(actor=UserFactory(verified=False), comment=comment, reason="Rude")
    with pytest.raises(NotAllowed):
        services.hide_comment(actor=LeaderFactory(), comment=comment, reason="Rude")
    with pytest.raises(DomainError, match="reason"):
        services.hide_comment(actor=staff, comment=comment, reason="")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.hide_comment(actor=staff, comment=comment, reason="Personal attack")
    assert mail.outbox[0].to == [leader.email]
    assert "Personal attack" in mail.outbox[0].body
    assert not comment.reports.filter(resolved_at__isnull=True).exists()
    services.restore_comment(actor=staff, comment=comment)
    comment.refresh_from_db()
    assert comment.is_visible


def test_reporting_twice_is_refused_politely(round, leader):
    comment = services.post_comment(actor=leader, round=round, body="Hmm")
    reporter = LeaderFactory()
    services.report_comment(actor=reporter, comment=comment, reason="Off topic")
    with pytest.raises(DomainError, match="already reported"):
        services.report_comment(actor=reporter, comment=comment, reason="Off topic")
