"""Leaders propose changes to the draft: a new wording, a new commitment, or a removal."""

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from accounts.models import User
from compact.models import Commitment, Party, Theme, Version
from core.errors import DomainError, NotAllowed

from .. import signals
from ..models import PROPOSAL_EDIT_WINDOW, Proposal, Round, Vote, fingerprint
from .access import require_participant

MAX_PROPOSAL_LENGTH = 600
MAX_RATIONALE_LENGTH = 3000


def _clean_proposal_text(text: str, rationale: str) -> tuple[str, str]:
    text, rationale = text.strip(), rationale.strip()
    if len(text) > MAX_PROPOSAL_LENGTH:
        raise DomainError(f"Keep the wording to {MAX_PROPOSAL_LENGTH} characters or fewer.")
    if not rationale:
        raise DomainError("Explain why you propose this change.")
    if len(rationale) > MAX_RATIONALE_LENGTH:
        raise DomainError(f"Keep the reason to {MAX_RATIONALE_LENGTH} characters or fewer.")
    return text, rationale


def _duplicate_of(
    round: Round,
    kind: str,
    *,
    commitment: Commitment | None = None,
    theme: Theme | None = None,
    party: Party | None = None,
    text: str = "",
    exclude: Proposal | None = None,
) -> Proposal | None:
    proposals = round.proposals.standing().filter(kind=kind)
    if exclude is not None:
        proposals = proposals.exclude(pk=exclude.pk)
    if kind == Proposal.Kind.REMOVAL:
        return proposals.filter(commitment=commitment).first()
    if kind == Proposal.Kind.REWORDING:
        return proposals.filter(commitment=commitment, text_fingerprint=fingerprint(text)[:600]).first()
    return proposals.filter(theme=theme, party=party, text_fingerprint=fingerprint(text)[:600]).first()


class DuplicateProposal(DomainError):
    def __init__(self, existing: Proposal) -> None:
        self.existing = existing
        super().__init__(
            f"Someone has already proposed this (proposal #{existing.pk}). You can vote for it or comment on it instead."
        )


@transaction.atomic
def propose(
    *,
    actor: User,
    round: Round,
    kind: str,
    rationale: str,
    text: str = "",
    commitment: Commitment | None = None,
    theme: Theme | None = None,
    party: Party | None = None,
) -> Proposal:
    round = require_participant(user=actor, round=round)
    if not round.accepting_proposals:
        raise NotAllowed("This round is no longer taking new proposals. You can still vote and comment.")
    text, rationale = _clean_proposal_text(text, rationale)
    if kind == Proposal.Kind.REWORDING:
        if commitment is None or commitment.version_id != round.version_id:
            raise DomainError("Choose a commitment from this draft.")
        if not text:
            raise DomainError("Enter the wording you propose.")
        if fingerprint(text) == fingerprint(commitment.text):
            raise DomainError("That is the current wording. Change it to propose something new.")
        theme = party = None
    elif kind == Proposal.Kind.NEW_COMMITMENT:
        if party is None or party.version_id != round.version_id:
            raise DomainError("Choose a party from this draft.")
        if theme is not None and theme.version_id != round.version_id:
            raise DomainError("Choose a theme from this draft.")
        needs_theme = round.version.layout in Version.THEMED_LAYOUTS
        if needs_theme and theme is None:
            raise DomainError(
                "Choose a theme for the new commitment: this draft groups its commitments under themes."
            )
        if not needs_theme and theme is None and round.version.themes.exists():
            raise DomainError("Choose a theme for the new commitment.")
        if theme is not None and theme.party_keys and str(party.key) not in theme.party_keys:
            raise DomainError(f"The theme “{theme.title}” does not hold commitments of “{party.name}”.")
        if not text:
            raise DomainError("Enter the wording of the new commitment.")
        commitment = None
    elif kind == Proposal.Kind.REMOVAL:
        if commitment is None or commitment.version_id != round.version_id:
            raise DomainError("Choose a commitment from this draft.")
        text, theme, party = "", None, None
    else:
        raise DomainError("Choose what kind of change you propose.")
    existing = _duplicate_of(round, kind, commitment=commitment, theme=theme, party=party, text=text)
    if existing:
        raise DuplicateProposal(existing)
    try:
        with transaction.atomic():
            proposal = Proposal.objects.create(
                round=round,
                kind=kind,
                author=actor,
                commitment=commitment,
                theme=theme,
                party=party,
                text=text,
                rationale=rationale,
            )
            Round.objects.bump_generation(round_id=round.pk)  # the round page lists it
            signals.announce(signals.proposal_submitted, proposal=proposal)  # notifications hook
            return proposal
    except IntegrityError:
        # Someone else submitted the same wording at the same moment.
        existing = _duplicate_of(round, kind, commitment=commitment, theme=theme, party=party, text=text)
        if existing is None:  # refused by some other rule than a duplicate's: not ours to explain
            raise
        raise DuplicateProposal(existing) from None


def _votes_on(proposal: Proposal) -> QuerySet[Vote]:
    return Vote.objects.filter(Q(chosen_proposal=proposal) | Q(question_proposal=proposal))


@transaction.atomic
def edit_proposal(*, actor: User, proposal: Proposal, text: str, rationale: str) -> Proposal:
    """The author may change a proposal for PROPOSAL_EDIT_WINDOW after making it, then never.

    The rule does not depend on votes: while totals are hidden, a refusal that said "people have
    voted" would tell the author what nobody else may know yet. A vote cast on the old words
    within the window no longer counts (as when a proposal is withdrawn): nobody's vote stands
    for words they did not see.
    """
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("round", "commitment")
        .get(pk=proposal.pk)
    )
    if proposal.author_id != actor.pk:
        raise NotAllowed("Only the author can change a proposal.")
    require_participant(user=actor, round=proposal.round)
    if proposal.status != Proposal.Status.OPEN:
        raise DomainError("Only an open proposal can be changed.")
    if not proposal.is_editable_now:
        minutes = int(PROPOSAL_EDIT_WINDOW.total_seconds() // 60)
        raise DomainError(
            f"A proposal can be changed for {minutes} minutes after it is made; after that everyone "
            "votes on the same words. You can withdraw it and make a new one."
        )
    text, rationale = _clean_proposal_text(text, rationale)
    if proposal.kind != Proposal.Kind.REMOVAL:
        if not text:
            raise DomainError("Enter the wording you propose.")
        existing = _duplicate_of(
            proposal.round,
            proposal.kind,
            commitment=proposal.commitment,
            theme=proposal.theme,
            party=proposal.party,
            text=text,
            exclude=proposal,
        )
        if existing:
            raise DuplicateProposal(existing)
        if text != proposal.text:
            _votes_on(proposal).delete()
        proposal.text = text
    proposal.rationale = rationale
    proposal.save()
    Round.objects.bump_generation(round_id=proposal.round_id)
    return proposal


@transaction.atomic
def withdraw_proposal(*, actor: User, proposal: Proposal) -> Proposal:
    """The author takes a proposal back. Votes for it no longer count: those voters choose again."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.author_id != actor.pk:
        raise NotAllowed("Only the author can withdraw a proposal.")
    require_participant(user=actor, round=proposal.round)
    if proposal.status != Proposal.Status.OPEN:
        raise DomainError("Only an open proposal can be withdrawn.")
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status", "updated_at"])
    _votes_on(proposal).delete()
    Round.objects.bump_generation(round_id=proposal.round_id)
    return proposal
