"""Leaders answer a round's questions; one vote per person per question, which they may change."""

from typing import Any

from django.db import transaction

from accounts.models import User
from compact.models import Commitment
from core.errors import DomainError

from ..models import Proposal, Round, Vote
from .access import require_participant


def cast_vote(
    *,
    actor: User,
    round: Round,
    choice: str | Proposal,
    commitment: Commitment | None = None,
    proposal: Proposal | None = None,
) -> Vote:
    """Record (or change) a leader's answer to one question.

    `commitment` + `choice` ("current" or a Proposal) answers a wording question;
    `proposal` + `choice` ("support" / "oppose") answers a new-commitment or removal proposal.

    The round's row is re-read and held FOR SHARE (`require_participant`) until the vote is
    written: closing takes it FOR UPDATE, so a vote either lands before the tally (and is counted)
    or waits and then finds the round closed. Two submits at once from one person leave exactly
    one vote: `update_or_create` locks an existing vote, and when both insert, the database
    refuses the second (a unique constraint) and that one then updates the first.
    """
    with transaction.atomic():
        round = require_participant(user=actor, round=round)
        question, answer = _vote_question(round, choice, commitment, proposal)
        vote, _ = Vote.objects.update_or_create(round=round, voter=actor, **question, defaults=answer)
        return vote


def _vote_question(
    round: Round, choice: str | Proposal, commitment: Commitment | None, proposal: Proposal | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Which question a vote answers, and the fields that record the answer, as filters for `Vote`."""
    if commitment is not None:
        if commitment.version_id != round.version_id:
            raise DomainError("That commitment is not part of this round.")
        # One query for both checks (is there other wording, and is the chosen one of it?),
        # locking those proposals as withdrawing or editing one does: a vote for wording being
        # withdrawn either is deleted with it or waits and finds it gone.
        standing = set(
            round.proposals.standing()
            .filter(kind=Proposal.Kind.REWORDING, commitment=commitment)
            .select_for_update()
            .values_list("pk", flat=True)
        )
        if not standing:
            raise DomainError("There is no other wording to choose between for this commitment yet.")
        if choice == Vote.Choice.CURRENT:
            return {"commitment": commitment}, {"choice": Vote.Choice.CURRENT, "chosen_proposal": None}
        if isinstance(choice, Proposal) and choice.pk in standing:
            return {"commitment": commitment}, {"choice": Vote.Choice.PROPOSAL, "chosen_proposal": choice}
        raise DomainError("Choose one of the wordings shown.")
    if proposal is not None:
        # Read afresh and locked, for the same reason: the caller's copy may predate a withdrawal.
        proposal = Proposal.objects.select_for_update().filter(pk=proposal.pk).first()
        if (
            proposal is None
            or proposal.round_id != round.pk
            or not proposal.is_support_question
            or proposal.status != Proposal.Status.OPEN
        ):
            raise DomainError("That proposal is not open for votes.")
        if choice not in (Vote.Choice.SUPPORT, Vote.Choice.OPPOSE):
            raise DomainError("Choose support or oppose.")
        return {"question_proposal": proposal}, {"choice": choice, "chosen_proposal": None}
    raise DomainError("Choose what you are voting on.")
