"""A closed round's results: frozen by the tally, then applied by staff to make the next draft."""

from collections.abc import Mapping, Sequence
from uuid import UUID

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from audit import services as audit
from compact.models import Commitment, Party, Theme, Version
from compact.services import copy_version, require_academy_staff
from config import dispatch
from core.errors import DomainError

from ..models import ChangeLogEntry, Proposal, Result, ResultOption, Round, Vote
from ..selectors import default_choice, question_counts
from .access import public_pages_changed


def _leading(options: Sequence[ResultOption]) -> tuple[str, bool]:
    """The option with most votes, and whether it shares the top with another. No votes → none leads."""
    top = max((option["count"] for option in options), default=0)
    if top == 0:
        return "", False
    leaders = [option["option"] for option in options if option["count"] == top]
    return (leaders[0], False) if len(leaders) == 1 else ("", True)


def tally(*, round: Round) -> None:
    """Freeze one Result per question, counted as the round pages count (`selectors.question_counts`)."""
    eligible = round.eligible_count or 0
    results = [
        _result(round, question.counts, eligible, commitment=question.commitment, proposal=question.proposal)
        for question in question_counts(round)
    ]
    for position, result in enumerate(results, start=1):
        result.position = position
    Result.objects.bulk_create(results)


def _result(
    round: Round,
    counts: Sequence[tuple[str, str, int]],
    eligible: int,
    *,
    commitment: Commitment | None = None,
    proposal: Proposal | None = None,
) -> Result:
    """A question's frozen result from its (option, label, count) rows."""
    total = sum(count for _, _, count in counts)
    options: list[ResultOption] = [
        {"option": key, "label": label, "count": count, "share": round_share(part=count, whole=total)}
        for key, label, count in counts
    ]
    leading, tie = _leading(options)
    return Result(
        round=round,
        options=options,
        total_votes=total,
        turnout=round_share(part=total, whole=eligible),
        leading_option=leading,
        is_tie=tie,
        commitment=commitment,
        proposal=proposal,
    )


def round_share(*, part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


@transaction.atomic
def apply_results(
    *, actor: User, round: Round, decisions: Mapping[int, tuple[str, str | None, str]] | None = None
) -> Version:
    """Make the next draft from a closed round's results, in one transaction, with its change log.

    `decisions` maps a result id to ("accept", None, "") or ("override", chosen_option, reason).
    A result without a decision is accepted; a tie must be decided by staff.
    """
    require_academy_staff(actor=actor)
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status == Round.Status.APPLIED:
        raise DomainError("These results have already been applied.")
    if round.status != Round.Status.CLOSED:
        raise DomainError("Close the round before applying its results.")
    decisions = decisions or {}
    results = list(
        round.results.select_related(
            "commitment__theme",
            "commitment__party",
            "proposal__theme",
            "proposal__party",
            "proposal__commitment",
        )
    )
    problems: list[str] = []
    now = timezone.now()
    for result in results:
        decision, chosen, reason = decisions.get(result.pk, (Result.Decision.ACCEPT, None, ""))
        if decision == Result.Decision.OVERRIDE:
            if result.option(chosen or "") is None:
                problems.append(f"Question {result.position}: choose the option that should stand.")
                continue
            if not (reason or "").strip():
                problems.append(f"Question {result.position}: give the reason for overriding the vote.")
                continue
            result.chosen_option, result.override_reason = chosen or "", reason.strip()
        else:
            if result.is_tie:
                problems.append(
                    f"Question {result.position} is a tie: choose which option stands and say why."
                )
                continue
            result.chosen_option, result.override_reason = default_choice(result), ""
            decision = Result.Decision.ACCEPT
        result.decision, result.decided_at, result.decided_by = decision, now, actor
    if problems:
        raise DomainError(" ".join(problems))

    consulted = Version.objects.select_for_update().get(pk=round.version_id)
    consulted.content_hash = consulted.compute_content_hash()
    consulted.status = Version.Status.CONSULTED
    consulted.save()
    draft = copy_version(source=consulted, created_by=actor)
    _apply_to_draft(round, draft, results)
    Result.objects.bulk_update(
        results, ["decision", "chosen_option", "override_reason", "decided_at", "decided_by"]
    )
    round.status, round.applied_at, round.applied_by, round.draft_created = (
        Round.Status.APPLIED,
        now,
        actor,
        draft,
    )
    round.save(update_fields=["status", "applied_at", "applied_by", "draft_created"])
    audit.record(
        action="apply results",
        actor=actor,
        target=round,
        before={"status": "closed", "version": consulted.number},
        after={
            "status": "applied",
            "draft": draft.number,
            "overridden": sum(r.decision == Result.Decision.OVERRIDE for r in results),
        },
    )
    public_pages_changed(round=round)
    dispatch.send_on_commit("consultation.tasks.tell_authors_of_decisions", round.pk)
    return draft


def _votes(result: Result, option_key: str) -> int:
    option = result.option(option_key)
    return option["count"] if option else 0


def _votes_phrase(result: Result, option_key: str) -> str:
    # "0 of 0 votes" reads like a fault; a question nobody answered says so.
    if not result.total_votes:
        return "no one voted"
    return f"{_votes(result, option_key)} of {result.total_votes} votes"


def _quote(text: str, limit: int = 60) -> str:
    """The text in quotes, cut at a word (never mid-word) when longer than `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return f"“{text}”"
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut[: cut.rfind(" ")]
    return f"“{cut.rstrip(' ,;:')}…”"


def override_phrase(*, result: Result) -> str | None:
    """The change log's words for a staff decision, or None when the vote was accepted."""
    if result.decision == Result.Decision.OVERRIDE:
        return f"staff override, reason: {result.override_reason}"
    return None


class _Applying:
    """What applying one round's results to its new draft has done so far."""

    def __init__(self, round: Round, draft: Version, results: Sequence[Result]) -> None:
        self.round, self.draft = round, draft
        self.commitments: dict[UUID, Commitment] = {c.key: c for c in draft.commitments.all()}
        self.themes: dict[UUID, Theme] = {t.key: t for t in draft.themes.all()}
        self.parties: dict[UUID, Party] = {p.key: p for p in draft.parties.all()}
        self.entries: list[ChangeLogEntry] = []
        self.accepted: set[int] = set()
        self.not_taken: dict[int, str] = {}  # proposal id -> why it was not taken, for its author
        # Commitment key -> the removal proposal that won: a rewording of it cannot be taken.
        self.removed_by: dict[UUID, int] = {
            r.proposal.commitment.key: r.proposal.pk
            for r in results
            if r.proposal is not None
            and r.proposal.kind == Proposal.Kind.REMOVAL
            and r.proposal.commitment is not None
            and r.chosen_option == Vote.Choice.SUPPORT
        }

    def log(
        self,
        result: Result,
        summary: str,
        *,
        commitment_key: UUID | None = None,
        proposal: Proposal | None = None,
        proposal_id: int | None = None,
        changed_text: bool = False,
    ) -> None:
        """One change-log line per question, saying what happened to the draft and why."""
        self.entries.append(
            ChangeLogEntry(
                version=self.draft,
                round=self.round,
                result=result,
                commitment_key=commitment_key,
                proposal=proposal,
                proposal_id=proposal_id if proposal is None else proposal.pk,
                summary=summary,
                changed_text=changed_text,
            )
        )


def _apply_wording(applying: _Applying, result: Result, commitment: Commitment, why: str | None) -> None:
    """A wording question: the current words stay, or the proposal with most support replaces them."""
    chosen = result.chosen_option
    standing = [o["option"] for o in result.options if o["option"].startswith("proposal:")]
    if not chosen.startswith("proposal:"):
        for other in standing:
            applying.not_taken[int(other.split(":")[1])] = why or (
                f"Most people preferred the current wording ({_votes_phrase(result, 'current')})."
                if result.total_votes
                else "No one voted on this commitment, so its current wording stands."
            )
        summary = f"{_quote(commitment.text)}: kept current wording, " + (
            why or _votes_phrase(result, "current")
        )
        applying.log(result, summary, commitment_key=commitment.key)
        return
    proposal_id = int(chosen.split(":")[1])
    for other in standing:
        if other != chosen:
            applying.not_taken[int(other.split(":")[1])] = (
                why or f"Another wording had more support ({_votes_phrase(result, chosen)})."
            )
    target = applying.commitments.get(commitment.key)
    if commitment.key in applying.removed_by or target is None:
        summary = f"{_quote(commitment.text)}: wording from proposal #{proposal_id} chosen, but the commitment was removed."
        # The author must not be told their wording was taken: there is no commitment left to carry it.
        removal = applying.removed_by.get(commitment.key)
        applying.not_taken[proposal_id] = (
            f"This wording had the most support, but the commitment was removed (proposal #{removal})."
            if removal
            else "This wording had the most support, but the commitment was removed."
        )
        applying.log(result, summary, commitment_key=commitment.key, proposal_id=proposal_id)
        return
    applying.accepted.add(proposal_id)
    target.text = next(o["label"] for o in result.options if o["option"] == chosen)
    target.save(update_fields=["text"])
    summary = f"{_quote(commitment.text)}: wording from proposal #{proposal_id}, " + (
        why or _votes_phrase(result, chosen)
    )
    applying.log(result, summary, commitment_key=commitment.key, proposal_id=proposal_id, changed_text=True)


def _support_words(result: Result) -> str:
    return f"support {_votes(result, 'support')}, oppose {_votes(result, 'oppose')}"


def _apply_new_commitment(applying: _Applying, result: Result, proposal: Proposal, why: str | None) -> None:
    """A proposed new commitment: added at the end of its theme and party when supported."""
    tally_words = _support_words(result)
    # A new commitment's proposal always names its party, and its theme where the draft has
    # themes (a check constraint and the service); without one it joins the commitments outside
    # any theme.
    theme = applying.themes.get(proposal.theme.key) if proposal.theme else None
    party = applying.parties.get(proposal.party.key) if proposal.party else None
    theme_lost = proposal.theme is not None and theme is None
    if result.chosen_option == Vote.Choice.SUPPORT and party and not theme_lost:
        draft = applying.draft
        cell = draft.commitments.filter(theme=theme, party=party)
        top = cell.aggregate(top=Max("position"))["top"] or 0
        # In paired rows it opens a row of its own after the last, for staff to pair.
        row = None
        if draft.layout == Version.Layout.ROWS:
            row = (draft.commitments.filter(theme=theme).aggregate(top=Max("row"))["top"] or 0) + 1
        added = Commitment.objects.create(
            version=draft, theme=theme, party=party, text=proposal.text, position=top + 1, row=row
        )
        applying.accepted.add(proposal.pk)
        where = f"under “{theme.title}” " if theme is not None else ""
        summary = (
            f"New commitment {where}for {party.name}: {_quote(proposal.text)} from proposal #{proposal.pk}, "
            + (why or tally_words)
        )
        applying.log(result, summary, commitment_key=added.key, proposal=proposal, changed_text=True)
        return
    applying.not_taken[proposal.pk] = why or f"Not enough support ({tally_words})."
    summary = f"New commitment {_quote(proposal.text)} (proposal #{proposal.pk}) not added, " + (
        why or tally_words
    )
    applying.log(result, summary, proposal=proposal)


def _apply_removal(applying: _Applying, result: Result, proposal: Proposal, why: str | None) -> None:
    """A proposed removal: the commitment leaves the draft when supported."""
    tally_words = _support_words(result)
    removed = proposal.commitment
    if removed is None:
        raise ValueError(f"Removal proposal {proposal.pk} names no commitment.")
    key = removed.key
    if result.chosen_option == Vote.Choice.SUPPORT and key in applying.commitments:
        applying.commitments.pop(key).delete()
        applying.accepted.add(proposal.pk)
        summary = f"{_quote(removed.text)}: removed, from proposal #{proposal.pk}, " + (why or tally_words)
        applying.log(result, summary, commitment_key=key, proposal=proposal, changed_text=True)
        return
    applying.not_taken[proposal.pk] = why or f"Not enough support ({tally_words})."
    summary = f"{_quote(removed.text)}: kept, removal (proposal #{proposal.pk}) not taken, " + (
        why or tally_words
    )
    applying.log(result, summary, commitment_key=key, proposal=proposal)


def _apply_to_draft(round: Round, draft: Version, results: Sequence[Result]) -> None:
    applying = _Applying(round, draft, results)
    for result in results:
        why = override_phrase(result=result)
        if result.commitment is not None:
            _apply_wording(applying, result, result.commitment, why)
        elif result.proposal is None:
            raise ValueError(f"Result {result.pk} is about neither a commitment nor a proposal.")
        elif result.proposal.kind == Proposal.Kind.NEW_COMMITMENT:
            _apply_new_commitment(applying, result, result.proposal, why)
        else:
            _apply_removal(applying, result, result.proposal, why)
    entries, accepted, not_taken = applying.entries, applying.accepted, applying.not_taken
    ChangeLogEntry.objects.bulk_create(entries)
    round.proposals.filter(pk__in=accepted).update(
        status=Proposal.Status.ACCEPTED, decision_reason="Taken into the next draft."
    )
    for proposal_id, reason in not_taken.items():
        if proposal_id not in accepted:
            round.proposals.filter(pk=proposal_id, status=Proposal.Status.OPEN).update(
                status=Proposal.Status.NOT_TAKEN, decision_reason=reason
            )
    # Standing proposals that were never a question (none should remain) are not left "open".
    round.proposals.filter(status=Proposal.Status.OPEN).update(
        status=Proposal.Status.NOT_TAKEN, decision_reason="Not taken forward."
    )
