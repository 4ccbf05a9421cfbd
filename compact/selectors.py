"""Reads that pages need, each in a fixed number of queries whatever the size of the compact."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from django.db.models import Q, QuerySet

from .models import Commitment, Compact, Party, PdfExport, Section, Theme, Version

if TYPE_CHECKING:
    pass

# One column of a block: a party and its commitments, in reading order.
Column = tuple[Party, list[Commitment]]


@dataclass
class Pair:
    """One row of the paired-rows layout: per column, (party, that party's commitment or None)."""

    row: int
    cells: list[tuple[Party, Commitment | None]]


@dataclass
class ThemeRow:
    """A block of the compact as it reads: a theme (or, with no themes, the whole text) and the
    columns of the parties it holds. A theme that belongs to some parties only has only their
    columns, so no page ever shows an empty column for a party the theme is not about."""

    theme: Theme | None
    # One (party, commitments) pair per party shown, in party order: the columns of the block.
    columns: list[Column] = field(default_factory=list)
    # In the paired-rows layout, the same commitments as rows of pairs, in row order.
    pairs: list[Pair] = field(default_factory=list)
    # The parties whose column first shows (a note under its heading stands here) and last
    # shows (a closing line at its foot stands here) in this block, as the page reads.
    first_for: set[int] = field(default_factory=set)
    last_for: set[int] = field(default_factory=set)

    @property
    def parties(self) -> list[Party]:
        return [party for party, _ in self.columns]

    @property
    def filled_columns(self) -> list[Column]:
        """The columns with something in them: what a reader sees (a drafter sees every column)."""
        return [(party, commitments) for party, commitments in self.columns if commitments]

    @property
    def full_width(self) -> bool:
        return len(self.columns) == 1

    @property
    def commitment_count(self) -> int:
        return sum(len(commitments) for _, commitments in self.columns)


R = TypeVar("R")


@dataclass
class FacingColumn(Generic[R]):
    """In the facing-columns layout, one party's column: its heading and its own themes, each a
    block holding only this party's commitments (a ThemeRow here, the round page's own rows
    there)."""

    party: Party
    rows: list[R]


@dataclass
class CompactLayout:
    version: Version
    parties: list[Party]
    sections: list[Section]
    rows: list[ThemeRow]

    @property
    def needs_themes(self) -> bool:
        return self.version.layout in Version.THEMED_LAYOUTS

    @property
    def facing(self) -> bool:
        return self.version.layout == Version.Layout.COLUMNS

    @property
    def facing_columns(self) -> list[FacingColumn[ThemeRow]]:
        """The blocks grouped by party, each party's column in party order; its themes in their
        own order. A theme of several parties (not one of this layout's, but a draft may hold
        one while it is being worked on) stands in the column of its first party."""
        return facing_columns(self.parties, self.rows, party_of=lambda row: row.parties)

    @property
    def sections_before(self) -> list[Section]:
        return [s for s in self.sections if s.placement == s.Placement.BEFORE]

    @property
    def sections_after(self) -> list[Section]:
        return [s for s in self.sections if s.placement == s.Placement.AFTER]

    @property
    def paired(self) -> bool:
        return self.version.layout == Version.Layout.ROWS

    @property
    def themed(self) -> bool:
        return any(row.theme is not None for row in self.rows)

    @property
    def commitment_count(self) -> int:
        return sum(row.commitment_count for row in self.rows)


def facing_columns(
    parties: Sequence[Party], rows: Sequence[R], *, party_of: Callable[[R], Sequence[Party]]
) -> list[FacingColumn[R]]:
    """Rows (a theme's block, or the round page's) grouped into one column per party."""
    by_party: dict[int, list[R]] = {party.pk: [] for party in parties}
    for row in rows:
        shown = party_of(row)
        if shown:
            by_party[shown[0].pk].append(row)
    return [FacingColumn(party=party, rows=by_party[party.pk]) for party in parties]


def _pairs(columns: Sequence[Column]) -> list[Pair]:
    by_row: dict[int, list[Commitment | None]] = {}
    for index, (_, commitments) in enumerate(columns):
        for commitment in commitments:
            by_row.setdefault(commitment.row or 0, [None] * len(columns))[index] = commitment
    parties = [party for party, _ in columns]
    return [
        Pair(row=row, cells=list(zip(parties, cells, strict=True))) for row, cells in sorted(by_row.items())
    ]


def compact_layout(version: Version) -> CompactLayout:
    """The version as it reads on paper: per theme a block, per party a column. Four queries."""
    parties = list(version.parties.order_by("position", "id"))
    sections = list(version.sections.order_by("position", "id"))
    themes = list(version.themes.order_by("position", "id"))
    paired = version.layout == Version.Layout.ROWS
    cells: dict[tuple[int | None, int], list[Commitment]] = {}
    ordering = ("row", "position", "id") if paired else ("position", "id")
    for commitment in version.commitments.order_by(*ordering):
        cells.setdefault((commitment.theme_id, commitment.party_id), []).append(commitment)

    def block(theme: Theme | None) -> ThemeRow:
        keys = set(theme.party_keys) if theme is not None and theme.party_keys else None
        shown = [party for party in parties if keys is None or str(party.key) in keys]
        theme_id = theme.id if theme is not None else None
        columns = [(party, cells.get((theme_id, party.id), [])) for party in shown]
        return ThemeRow(theme=theme, columns=columns, pairs=_pairs(columns) if paired else [])

    rows = [block(theme) for theme in themes]
    # Commitments outside any theme (the "no themes" layout, or paired rows without themes) read
    # as one block; it comes first, since a compact with themes has none.
    if any(theme_id is None for theme_id, _ in cells) or not themes:
        rows.insert(0, block(None))
    _place_notes(rows)
    return CompactLayout(version=version, parties=parties, sections=sections, rows=rows)


def publicly_visible_compacts() -> QuerySet[Compact]:
    """The compacts anyone may know of: those with a public version (published or superseded)
    or a consultation round open now. Of any other (a draft being written, an import not yet
    published) nothing is public, not even its title: every public page, the API and the feed
    start here. Staff reach the others from the staff area."""
    # here, not at the top: consultation's selectors import this module.
    from consultation.models import Round

    return Compact.objects.filter(
        Q(pk__in=Version.objects.publicly_readable().values("compact_id"))
        | Q(pk__in=Round.objects.open_now().values("version__compact_id"))
    )


def _place_notes(rows: list[ThemeRow]) -> None:
    """A party's note stands under its heading where its column first shows, its closing line
    at the foot where it last shows: once each, however many themes repeat the heading."""
    first: dict[int, ThemeRow] = {}
    last: dict[int, ThemeRow] = {}
    for row in rows:
        for party, commitments in row.columns:
            if commitments and (party.note or party.closing):
                first.setdefault(party.pk, row)
                last[party.pk] = row
    for pk, row in first.items():
        row.first_for.add(pk)
    for pk, row in last.items():
        row.last_for.add(pk)


def compacts_for_home() -> list[tuple[Compact, Version | None]]:
    """Every publicly visible compact with its published version (or None), in two queries."""
    compacts = list(publicly_visible_compacts().order_by("title"))
    published = {v.compact_id: v for v in Version.objects.published().filter(compact__in=compacts)}
    return [(compact, published.get(compact.id)) for compact in compacts]


def previous_published(*, version: Version) -> Version | None:
    """The public version before this one: what a refresh is compared with, and what earlier
    signatories are invited from. Versions a round consulted on in between were never public,
    so "what changed" skips them (one query)."""
    return (
        Version.objects.publicly_readable()
        .filter(compact_id=version.compact_id, number__lt=version.number)
        .order_by("-number")
        .first()
    )


def versions_with_failed_pdfs() -> list[Version]:
    """Versions whose latest PDF render failed after its retries: staff retry from the version page."""
    failed = PdfExport.objects.filter(status=PdfExport.Status.FAILED).values("version_id")
    return list(
        Version.objects.filter(pk__in=failed).select_related("compact").order_by("compact__title", "number")
    )
