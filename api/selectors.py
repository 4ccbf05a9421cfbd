"""Reads for open data, badges and the feed, each in a fixed number of queries whatever the size.

Only what is already public elsewhere on the site is read here: published and superseded versions
(their text exactly as hashed), rounds once they have opened, vote *totals* under the round's own
rule, and signatures through the signatories app's public selectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from compact.models import Commitment, Compact, Party, Theme, Version
from compact.selectors import publicly_visible_compacts
from consultation.models import Proposal, Result, Round
from consultation.selectors import question_counts, results_readable_by, totals_readable_by
from signatories import selectors as signatory_selectors
from signatories.models import Organisation, Signature

# A round is public once it has opened (the round pages show open, closed and applied rounds;
# a scheduled one only to staff).
PUBLIC_ROUND_STATUSES = (Round.Status.OPEN, Round.Status.CLOSED, Round.Status.APPLIED)


def public_versions() -> QuerySet[Version]:
    return Version.objects.publicly_readable()


def public_rounds() -> QuerySet[Round]:
    return Round.objects.filter(status__in=PUBLIC_ROUND_STATUSES)


def compacts() -> QuerySet[Compact]:
    """Every publicly visible compact, with `current` (its published version's number or None)
    set per page."""
    return publicly_visible_compacts().order_by("title", "id")


def attach_current_versions(page: Sequence[Compact]) -> Sequence[Compact]:
    """One query for a page of compacts: the number of each one's published version."""
    published = dict(Version.objects.published().filter(compact__in=page).values_list("compact_id", "number"))
    for compact in page:
        # Page-only values ride on the instances for the serializers (not model fields).
        compact.current = published.get(compact.pk)  # type: ignore[attr-defined]
    return page


def compact_detail(compact: Compact) -> Compact:
    """The compact's public versions and rounds: two queries."""
    versions = list(public_versions().filter(compact=compact).order_by("-number"))
    for version in versions:
        version.compact = compact
    rounds = list(
        public_rounds()
        .filter(version__compact=compact)
        .select_related("version")
        .order_by("-opens_at", "-id")
    )
    for round in rounds:
        round.version.compact = compact
    # Page-only values ride on the instance for the serializer (not model fields).
    compact.public_versions = versions  # type: ignore[attr-defined]
    compact.public_rounds = rounds  # type: ignore[attr-defined]
    compact.current = next(  # type: ignore[attr-defined]
        (v.number for v in versions if v.status == Version.Status.PUBLISHED), None
    )
    return compact


def public_version(compact: Compact, number: int) -> Version | None:
    return public_versions().filter(compact=compact, number=number).first()


def version_text(version: Version) -> dict[str, Any]:
    """The text exactly as its content hash covers it (Version.canonical_text): whatever the
    version's layout holds (column headings, paired rows, a section's placement) comes with it,
    and anyone can recompute the fingerprint from it. Five queries."""
    return version.canonical_text()


def version_last_modified(version: Version) -> datetime | None:
    # The text of a public version is frozen; only its status and dates change after that.
    return max(filter(None, [version.ratified_at, version.published_at, version.superseded_at]), default=None)


# --- Rounds ----------------------------------------------------------------------------------------
def public_round(pk: int) -> Round | None:
    return public_rounds().select_related("version__compact").filter(pk=pk).first()


@dataclass
class Question:
    kind: str
    commitment: Commitment | None = None
    proposal: Proposal | None = None
    theme: Theme | None = None
    party: Party | None = None
    # {"option", "label", "count"}: count is None while the round keeps its totals hidden.
    options: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total_votes(self) -> int | None:
        counts = [option["count"] for option in self.options]
        return None if any(count is None for count in counts) else sum(counts)


KIND_NAMES: dict[str, str] = {
    Proposal.Kind.REWORDING: "wording",
    Proposal.Kind.NEW_COMMITMENT: "new_commitment",
    Proposal.Kind.REMOVAL: "removal",
}


def results_shown(round: Round) -> bool:
    """The API reads as a visitor: a round's results only where a visitor may read them (the
    rule of the results page, consultation.selectors.results_readable_by)."""
    return round.has_results and results_readable_by(round=round, user=None)


def totals_shown(round: Round) -> bool:
    return totals_readable_by(round=round, user=None)


def round_questions(round: Round) -> list[Question]:
    """The questions a round asks, in the order its results list them, with totals per option
    only where the round's rule shows them (Round.totals_visible) and never who chose what.
    Two queries, four when totals are shown."""
    visible = totals_shown(round)
    questions = []
    # The tally's questions in the tally's order (the same selector), counted only when visible.
    for asked in question_counts(round, counted=visible):
        options: list[dict[str, Any]] = [
            {"option": option, "label": label, "count": votes if visible else None}
            for option, label, votes in asked.counts
        ]
        proposal, commitment = asked.proposal, asked.commitment
        if proposal is not None:
            questions.append(
                Question(
                    kind=KIND_NAMES[proposal.kind],
                    commitment=proposal.commitment,
                    proposal=proposal,
                    theme=proposal.commitment.theme if proposal.commitment is not None else proposal.theme,
                    party=proposal.commitment.party if proposal.commitment is not None else proposal.party,
                    options=options,
                )
            )
        elif commitment is not None:
            questions.append(
                Question(
                    kind="wording",
                    commitment=commitment,
                    theme=commitment.theme,
                    party=commitment.party,
                    options=options,
                )
            )
    return questions


def round_results(round: Round) -> list[Result]:
    """The frozen tally of a closed round: totals per option, never a voter. One query."""
    results = list(
        Result.objects.filter(round=round).select_related("commitment", "proposal").order_by("position", "id")
    )
    for result in results:
        commitment, proposal = result.commitment, result.proposal
        # Page-only values ride on the instances for the serializer (not model fields).
        if commitment is not None:
            result.kind = "wording"  # type: ignore[attr-defined]
        else:
            result.kind = KIND_NAMES.get(proposal.kind, "") if proposal else ""  # type: ignore[attr-defined]
        result.commitment_key = commitment.key if commitment is not None else None  # type: ignore[attr-defined]
        # Only counts and shares leave the building: the stored options carry nothing else today,
        # and picking the keys keeps it so if they ever do.
        result.public_options = [  # type: ignore[attr-defined]
            {
                "option": option["option"],
                "label": option.get("label", ""),
                "count": option["count"],
                "share": option.get("share", 0.0),
            }
            for option in result.options
        ]
    return results


# --- Signatories -----------------------------------------------------------------------------------
def version_signatories(version: Version) -> QuerySet[Signature]:
    """The public list in the order signatures were confirmed, oldest first, so a page's contents
    only change when a signature is withdrawn or hidden, never because someone new signed."""
    return signatory_selectors.public_signatures(version).order_by("confirmed_at", "id")


def version_counts(version: Version) -> dict[str, Any]:
    """The public counts by kind and region (signatories.selectors.public_counts), with codes."""
    counts = signatory_selectors.public_counts(version)
    kinds = {label: code for code, label in Organisation.Kind.choices}
    regions = {label: code for code, label in Organisation.Region.choices}
    return {
        "total": counts["total"],
        "organisations": counts["organisations"],
        "by_kind": [{"kind": kinds.get(label), "label": label, "count": n} for label, n in counts["by_kind"]],
        "by_region": [
            {"region": regions.get(label), "label": label, "count": n} for label, n in counts["by_region"]
        ],
    }


# --- Badges ----------------------------------------------------------------------------------------
@dataclass
class BadgeState:
    compact: Compact
    organisation: Organisation
    # The latest public version the organisation has a standing public signature on, or None.
    signed_version: Version | None
    current: Version | None

    @property
    def signed(self) -> bool:
        return self.signed_version is not None

    @property
    def signed_superseded(self) -> bool:
        return self.signed_version is not None and self.signed_version.status == Version.Status.SUPERSEDED


def organisations_signed(compact: Compact) -> QuerySet[Organisation]:
    """Organisations with a public signature on any public version of the compact, by name."""
    signed = Signature.objects.public().filter(
        version__in=public_versions().filter(compact=compact), organisation__isnull=False
    )
    return Organisation.objects.filter(pk__in=signed.values("organisation_id")).order_by("name", "id")


def badge_state(compact: Compact, organisation_id: int) -> BadgeState | None:
    """None when the organisation never had a confirmed signature on this compact: nobody gets a
    badge (with their name on it) for a signature that was never confirmed. Three queries."""
    organisation = (
        Organisation.objects.filter(
            pk=organisation_id,
            signatures__version__compact=compact,
            # A signature that counted publicly: confirmed by e-mail and its organisation's tie
            # verified (one still awaiting its organisation never did; one withdrawn since did).
            signatures__confirmed_at__isnull=False,
            signatures__organisation_verified_at__isnull=False,
        )
        .distinct()
        .first()
    )
    if organisation is None:
        return None
    standing = (
        Signature.objects.public()
        .filter(organisation=organisation, version__in=public_versions().filter(compact=compact))
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    current = public_versions().filter(compact=compact).filter(Q(status=Version.Status.PUBLISHED)).first()
    return BadgeState(
        compact=compact,
        organisation=organisation,
        signed_version=standing.version if standing else None,
        current=current,
    )


# --- Feed ------------------------------------------------------------------------------------------
@dataclass
class FeedEvent:
    kind: str  # "published", "opened" or "closed"
    when: datetime
    version: Version | None = None
    round: Round | None = None


def feed_events(compact: Compact, limit: int = 50) -> list[FeedEvent]:
    """Publications and rounds opening and closing, newest first. Two queries."""
    events = [
        FeedEvent("published", v.published_at, version=v)
        for v in public_versions().filter(compact=compact, published_at__isnull=False)
        if v.published_at is not None
    ]
    for round in public_rounds().filter(version__compact=compact).select_related("version"):
        events.append(FeedEvent("opened", round.opened_at or round.opens_at, round=round))
        if round.has_results:
            events.append(FeedEvent("closed", round.closed_at or round.closes_at, round=round))
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit]


# --- The guide's worked examples ---------------------------------------------------------------
def example_values() -> dict[str, str | int | None]:
    """Real values for the guide's "Try it" links: the first compact, its published version, its
    latest round and latest closed round (results exist only after closing). Four queries."""
    compact = Compact.objects.order_by("title").first()
    if compact is None:
        return {}
    rounds = public_rounds().filter(version__compact=compact).order_by("-opens_at")
    return {
        "{slug}": compact.slug,
        "{number}": compact.versions.published().values_list("number", flat=True).first(),
        "{round_id}": rounds.values_list("pk", flat=True).first(),
        "{closed_round_id}": rounds.filter(status__in=[Round.Status.CLOSED, Round.Status.APPLIED])
        .values_list("pk", flat=True)
        .first(),
    }
