"""The round page, the page leaders spend a consultation on, built in two parts.

- The **shared part** is what every reader sees alike: the draft in its layout, each commitment
  with its proposals (their word diffs made), comment counts, the questions in reading order,
  which commitments drew concerns. It is built once per *generation* and held in Django's cache
  (the process's own `local` alias): `Round.generation` and `Compact.generation` are columns,
  read with the round the request loads anyway, and raised in the same transaction by every
  service that changes what the part holds (a proposal or comment saved, hidden or withdrawn,
  the round opened or closed, a publication, a reflection). A cache that missed a raise (Redis
  down, a restart) cannot serve an old part: the number that picks it comes from the database.
- The **reader's part** is worked out per request: their votes (one query), the filters they
  chose, which commitments show a concern or a history link to them, totals when the round shows
  them. The page frame (header, the person's name, progress, forms with Django's own
  `{% csrf_token %}`) is rendered for every request with the real user.

In between, the templates cache HTML fragments with `{% cache %}` (`_round_theme.html`,
`round.html`): each commitment, and each theme's section, keyed on the generations and on the
few facts that change its words for a reader (voted on its wording or not, signed in or not, a
concern shown, ...). Nothing about a person other than those facts is inside a fragment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches

from accounts.models import User
from accounts.roles import is_academy_staff
from compact.models import Commitment, Party, Theme, Version
from compact.selectors import CompactLayout, FacingColumn, facing_columns
from reflections.models import Reflection

from . import selectors
from .models import Round

# The shared parts are held this long at most (only memory is at stake: the key is the generation).
SHARED_SECONDS = 3600

# The shared part's rows, columns and entries are the selector's: every reader sees them alike.
SharedEntry = selectors.CommitmentEntry
SharedColumn = selectors.RoundColumn
SharedRow = selectors.RoundRow


@dataclass
class SharedRound:
    # What the fragments are cached under: the round and the generations the part was built at.
    stamp: str
    published: Version | None
    layout: CompactLayout
    rows: list[SharedRow]
    vision_comment_count: int
    questions: list[tuple[str, int]]
    total: int
    # Commitments that drew concerns in signatories' reflections: those anyone may read, and all
    # of them (for staff). A reader's own unpublished ones are added per reader.
    public_concern_keys: frozenset[Any] = frozenset()
    all_concern_keys: frozenset[Any] = frozenset()
    # The `{% cache %}` alias for its fragments: none while the round is scheduled.
    fragment_cache: str = "local"

    @property
    def themes(self) -> list[Theme]:
        return [row.theme for row in self.rows if row.theme is not None]


def _build(round: Round, stamp: str, fragment_cache: str) -> SharedRound:
    page = selectors.round_page(round)
    rows = page.rows
    public, everyone = _concern_keys(round)
    return SharedRound(
        stamp=stamp,
        published=round.version.compact.versions.published().first(),
        layout=page.layout,
        rows=rows,
        vision_comment_count=page.vision_comment_count,
        questions=selectors.ordered_questions(round),
        total=sum(len(column.entries) for row in rows for column in row.columns),
        public_concern_keys=public,
        all_concern_keys=everyone,
        fragment_cache=fragment_cache,
    )


def _concern_keys(round: Round) -> tuple[frozenset[Any], frozenset[Any]]:
    concerns = Reflection.objects.filter(
        compact_id=round.version.compact_id, kind=Reflection.Kind.CONCERN, commitment_key__isnull=False
    ).values_list("commitment_key", "visibility")
    rows = set(concerns)
    return frozenset(k for k, v in rows if v == Reflection.Visibility.NAMED), frozenset(k for k, _ in rows)


def _own_concern_keys(user: User, compact_id: int) -> frozenset[Any]:
    """The concerns this person wrote, whoever else may read them: one query, per request."""
    return frozenset(
        Reflection.objects.filter(
            compact_id=compact_id, author=user, kind=Reflection.Kind.CONCERN, commitment_key__isnull=False
        ).values_list("commitment_key", flat=True)
    )


def shared_round(*, round: Round) -> SharedRound:
    """The shared part at the generations `round` was read at (with its version and compact):
    from the cache, or built now and cached.

    A scheduled round is built afresh every time and its fragments are not cached: only staff
    see it, and its draft may still be edited, which raises no generation."""
    if round.status == Round.Status.SCHEDULED:
        return _build(round, f"{round.pk}.scheduled", "uncached")
    compact = round.version.compact
    stamp = f"{round.pk}.{round.generation}.{compact.pk}.{compact.generation}"
    local = caches["local"]
    key = f"round-page:shared:{stamp}"
    shared: SharedRound | None = local.get(key)
    if shared is None:
        # Built from rows read after the generations were: a change committed meanwhile raised
        # them, so a part it overtook is stored under the old numbers and not read again.
        shared = _build(round, stamp, "local")
        local.set(key, shared, SHARED_SECONDS)
    return shared


# --- The reader's part -----------------------------------------------------------------------------
@dataclass
class EntryView:
    """One commitment as this reader sees it: what `_round_entry.html` shows, and the key its
    fragment is cached under, which holds every one of those facts."""

    entry: SharedEntry
    signed_in: bool
    voted_wording: bool
    voted_removal: bool
    concern: bool
    history: bool
    totals: dict[str, Any] | None
    key: tuple[Any, ...]

    @property
    def commitment(self) -> Commitment:
        return self.entry.commitment


@dataclass
class NewProposalView:
    proposal: selectors.ProposalOnPage
    voted: bool
    totals: dict[str, int] | None
    key: tuple[Any, ...]


@dataclass
class ColumnView:
    party: Party
    entries: list[EntryView]
    new_proposals: list[NewProposalView]


@dataclass
class PairView:
    """One row of the paired-rows layout on the round page: per column, the party and its
    commitment as this reader sees it (None where the pair has none, or a filter hid it)."""

    row: int
    cells: list[tuple[Party, EntryView | None]]


@dataclass
class RowView:
    theme: Theme | None
    comment_count: int
    columns: list[ColumnView]
    # What the section's fragment is cached under: equal keys, equal HTML.
    key: tuple[Any, ...] = ()
    # In the paired-rows layout, the same entries as rows of pairs, as the public page shows them.
    pairs: list[PairView] = field(default_factory=list)
    # Where a party's note and closing line stand, as on the public page (compact_layout).
    first_for: set[int] = field(default_factory=set)
    last_for: set[int] = field(default_factory=set)

    @property
    def parties(self) -> list[Party]:
        return [column.party for column in self.columns]


@dataclass
class RoundPageView:
    round: Round
    layout: CompactLayout
    rows: list[RowView]
    vision_comment_count: int
    filtered_out: int
    progress: selectors.VotingProgress | None
    # Beside every fragment's own key in `{% cache %}`: the round and its generations.
    stamp: str = ""
    fragment_cache: str = "local"
    can_propose: bool = False
    one_theme_at_a_time: bool = False
    theme_shown: Theme | None = None
    previous_theme: Theme | None = None
    next_theme: Theme | None = None
    wordings_listed: int = 0

    @property
    def facing_columns(self) -> list[FacingColumn[RowView]]:
        """In the facing-columns layout, the rows shown grouped into each party's column, as the
        public page groups them."""
        return facing_columns(self.layout.parties, self.rows, party_of=lambda row: row.parties)


@dataclass(frozen=True)
class Reader:
    """What about the person changes the page: their votes, and what they may read."""

    signed_in: bool
    votes: set[tuple[str, int]]  # the questions they have voted on
    concern_keys: set[Any]
    history_keys: set[Any]
    # They may read the round's own draft: every commitment on the page has a history to show.
    every_commitment_has_history: bool = False
    # The round shows vote totals now and they may read them (selectors.totals_readable_by).
    sees_totals: bool = False

    def has_history(self, commitment: Commitment) -> bool:
        return self.every_commitment_has_history or commitment.key in self.history_keys


# The round page lists a commitment's proposed wordings, with what each changes, up to this many;
# past it the page says how many there are and the commitment's page shows them side by side (it
# is where a leader compares and votes). A page of twenty diffs a commitment is a wall nobody
# reads, its size would grow with every proposal made, and listing only some would favour those.
WORDINGS_LISTED = 3


def _entry_view(
    entry: SharedEntry, reader: Reader, totals: dict[Any, int] | None, is_open: bool
) -> EntryView:
    commitment = entry.commitment
    pk = commitment.pk
    voted_wording = ("commitment", pk) in reader.votes
    voted_removal = entry.removal is not None and ("proposal", entry.removal.pk) in reader.votes
    entry_totals = None
    if totals is not None and entry.is_question:
        entry_totals = {
            "current": totals.get((pk, None), 0),
            "proposals": [(p.pk, totals.get((pk, p.pk), 0)) for p in entry.rewordings],
        }
    concern = commitment.key in reader.concern_keys
    history = reader.has_history(commitment)
    # Everything `_round_entry.html` shows that is not the shared part, and nothing else.
    key = (
        "commitment",
        pk,
        reader.signed_in,
        voted_wording,
        voted_removal,
        concern,
        history,
        is_open,
        entry_totals,
    )
    return EntryView(
        entry=entry,
        signed_in=reader.signed_in,
        voted_wording=voted_wording,
        voted_removal=voted_removal,
        concern=concern,
        history=history,
        totals=entry_totals,
        key=key,
    )


def _new_proposal_view(
    proposal: selectors.ProposalOnPage, reader: Reader, support: dict[Any, int] | None, is_open: bool
) -> NewProposalView:
    voted = ("proposal", proposal.pk) in reader.votes
    totals = (
        {choice: support.get((proposal.pk, choice), 0) for choice in ("support", "oppose")}
        if support is not None
        else None
    )
    return NewProposalView(
        proposal=proposal, voted=voted, totals=totals, key=("new", proposal.pk, voted, is_open, totals)
    )


def _section_key(row: RowView, *, filtering: bool, can_propose: bool, is_open: bool) -> tuple[Any, ...]:
    """Everything `_round_theme.html` shows that is not the shared part: its fragments' keys and
    the few facts it reads itself."""
    layout = tuple(
        (column.party.pk, tuple(e.key for e in column.entries), tuple(p.key for p in column.new_proposals))
        for column in row.columns
    )
    theme_id = row.theme.pk if row.theme is not None else None
    return ("theme", theme_id, row.comment_count, filtering, can_propose, is_open, layout)


def _pair_views(pairs: list[Any], columns: list[ColumnView]) -> list[PairView]:
    """The layout's pairs with each commitment as this reader sees it; a pair the filters
    emptied is left out, and a column the party filter removed is not shown."""
    shown = {entry.commitment.pk: entry for column in columns for entry in column.entries}
    parties = {column.party.pk for column in columns}
    views = []
    for pair in pairs:
        cells = [
            (party, shown.get(commitment.pk) if commitment is not None else None)
            for party, commitment in pair.cells
            if party.pk in parties
        ]
        if any(entry is not None for _, entry in cells):
            views.append(PairView(row=pair.row, cells=cells))
    return views


def _unanswered(entry: SharedEntry, votes: set[tuple[str, int]]) -> bool:
    return (entry.is_question and ("commitment", entry.commitment.pk) not in votes) or (
        entry.removal is not None and ("proposal", entry.removal.pk) not in votes
    )


def reader_for(
    *,
    shared: SharedRound,
    round: Round,
    user: User | AnonymousUser,
    history_keys: set[Any],
    every_commitment_has_history: bool = False,
) -> Reader:
    concerns: frozenset[Any]
    if is_academy_staff(user):
        concerns = shared.all_concern_keys
    elif isinstance(user, User):
        concerns = shared.public_concern_keys | _own_concern_keys(user, round.version.compact_id)
    else:
        concerns = shared.public_concern_keys
    return Reader(
        signed_in=bool(user.is_authenticated),
        votes=selectors.answered_questions(round, user),
        concern_keys=set(concerns),
        history_keys=history_keys,
        every_commitment_has_history=every_commitment_has_history,
        sees_totals=selectors.totals_readable_by(round=round, user=user),
    )


def round_page_view(
    *,
    shared: SharedRound,
    round: Round,
    reader: Reader,
    theme: int | None = None,
    party: int | None = None,
    has_proposals: bool = False,
    not_voted: bool = False,
    all_themes: bool = False,
    filtering: bool = False,
    can_propose: bool = False,
) -> RoundPageView:
    """The page for one reader and their filters, from the shared part at its generation.

    `round`: as this request read it. `can_propose`: the reader may propose new commitments now
    (the round open and taking proposals, and nothing stopping them taking part)."""
    themes = shared.themes
    one_at_a_time = (
        theme is None
        and not all_themes
        and bool(themes)
        and shared.total > settings.ROUND_PAGE_ALL_THEMES_UP_TO
    )
    if one_at_a_time:
        theme = themes[0].pk
    wording_totals, support_totals = selectors.vote_totals(round) if reader.sees_totals else (None, None)
    # Read once: the clock, asked per commitment, was a tenth of the all-themes page.
    is_open = round.is_open
    filtered_out = 0
    rows = []
    # The shared part's rows are the layout's blocks, in the same order: the pairs come from there.
    blocks = {id(row): block for row, block in zip(shared.rows, shared.layout.rows, strict=True)}
    for row in shared.rows:
        theme_id = row.theme.pk if row.theme is not None else None
        if theme and theme_id != theme:
            if not one_at_a_time:  # the other themes are a page away, not hidden by a filter
                filtered_out += sum(len(column.entries) for column in row.columns)
            continue
        columns = []
        for column in row.columns:
            if party and column.party.pk != party:
                filtered_out += len(column.entries)
                continue
            entries = []
            for entry in column.entries:
                if (has_proposals and not entry.has_proposals) or (
                    not_voted and not _unanswered(entry, reader.votes)
                ):
                    filtered_out += 1
                    continue
                entries.append(_entry_view(entry, reader, wording_totals, is_open))
            new_proposals = [
                _new_proposal_view(p, reader, support_totals, is_open)
                for p in column.new_proposals
                if not (not_voted and ("proposal", p.pk) in reader.votes)
            ]
            columns.append(ColumnView(party=column.party, entries=entries, new_proposals=new_proposals))
        block = blocks[id(row)]
        view = RowView(
            theme=row.theme,
            comment_count=row.comment_count,
            columns=columns,
            first_for=block.first_for,
            last_for=block.last_for,
        )
        if shared.layout.paired:
            view.pairs = _pair_views(block.pairs, columns)
        view.key = _section_key(view, filtering=filtering, can_propose=can_propose, is_open=is_open)
        rows.append(view)
    shown = next((t for t in themes if t.pk == theme), None)
    index = themes.index(shown) if shown else -1
    progress = (
        selectors.progress_of(round=round, questions=shared.questions, answered=reader.votes)
        if reader.signed_in
        else None
    )
    return RoundPageView(
        round=round,
        layout=shared.layout,
        rows=rows,
        vision_comment_count=shared.vision_comment_count,
        filtered_out=filtered_out,
        progress=progress,
        stamp=shared.stamp,
        fragment_cache=shared.fragment_cache,
        can_propose=can_propose,
        one_theme_at_a_time=one_at_a_time
        or (theme is not None and shared.total > settings.ROUND_PAGE_ALL_THEMES_UP_TO),
        theme_shown=shown,
        previous_theme=themes[index - 1] if shown and index > 0 else None,
        next_theme=themes[index + 1] if shown and index + 1 < len(themes) else None,
        wordings_listed=WORDINGS_LISTED,
    )
