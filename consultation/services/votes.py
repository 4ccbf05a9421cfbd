"""Leaders answer a round's questions; one vote per person per question, which they may change."""

from typing import Any

from django.db import IntegrityError, transaction

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
    Two submits at once from one person leave exactly one vote: the database refuses the second
    insert and the second request then updates the first.
    """
    with transaction.atomic():
        round = require_participant(user=actor, round=round)
        question, fields = _vote_question(round, choice, commitment, proposal)
        vote = Vote.objects.select_for_update().filter(round=round, voter=actor, **question).first()
        if vote is None:
            try:
                with transaction.atomic():
                    return Vote.objects.create(round=round, voter=actor, **question, **fields)
            except IntegrityError:
                vote = Vote.objects.select_for_update().get(round=round, voter=actor, **question)
        for name, value in fields.items():
            setattr(vote, name, value)
        vote.save(update_fields=[*fields, "changed_at"])
        return vote


def _vote_question(
    round: Round, choice: str | Proposal, commitment: Commitment | None, proposal: Proposal | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Which question a vote answers, and the fields that record the answer, as filters for `Vote`."""
    if commitment is not None:
        if commitment.version_id != round.version_id:
            raise DomainError("That commitment is not part of this round.")
        standing = round.proposals.standing().filter(kind=Proposal.Kind.REWORDING, commitment=commitment)
        if not standing.exists():
            raise DomainError("There is no other wording to choose between for this commitment yet.")
        if choice == Vote.Choice.CURRENT:
            return {"commitment": commitment}, {"choice": Vote.Choice.CURRENT, "chosen_proposal": None}
        if isinstance(choice, Proposal) and standing.filter(pk=choice.pk).exists():
            return {"commitment": commitment}, {"choice": Vote.Choice.PROPOSAL, "chosen_proposal": choice}
        raise DomainError("Choose one of the wordings shown.")
    if proposal is not None:
        if (
            proposal.round_id != round.pk
            or not proposal.is_support_question
            or proposal.status != Proposal.Status.OPEN
        ):
            raise DomainError("That proposal is not open for votes.")
        if choice not in (Vote.Choice.SUPPORT, Vote.Choice.OPPOSE):
            raise DomainError("Choose support or oppose.")
        return {"question_proposal": proposal}, {"choice": choice, "chosen_proposal": None}
    raise DomainError("Choose what you are voting on.")
