"""The round page, the page leaders spend a consultation on, built in two parts.

- The **shared part** is what every reader sees alike: the draft in its layout, each commitment
  with its proposals (their word diffs made), comment counts, the questions in reading order. The
  text of a version under consultation cannot change, and proposals and comments change it only
  through saves that bump the round's *generation* (`consultation.receivers`), so each worker
  builds it once per generation and keeps it.
- The **reader's part** is applied per request: their votes (one query), the filters they chose,
  which commitments show a concern or a history link to them, totals when the round shows them.

Each commitment's HTML fragment is rendered once per generation and per *state* — the handful
of facts that change its words for a reader (voted on its wording or not, signed in or not, …) —
and kept beside the shared part, so a page is mostly joined, not rendered. A reader's state
is never shared with another: a fragment holds only what every reader in that state sees.

The **whole page** is kept too, per *page state* (`KeptPage`): the view names every fact its
frame shows (the address asked for, the person's progress, what they may do, the fragments
joined, ...) and the page is rendered once per such state, with two marks where the only
per-person values go — the CSRF token and the person's name in the header — filled in for each
request. Two leaders who have voted alike read the same kept page with their own name and token.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import EllipsisType
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from accounts import facts
from accounts.models import User
from accounts.roles import is_academy_staff
from compact import caching as compact_caching
from compact.models import Commitment, Party, Theme, Version
from compact.selectors import CompactLayout
from core import kept
from core.csrf import masked_token
from reflections.models import Reflection

from . import selectors
from .models import Proposal, Round

# The shared parts this worker keeps: a few rounds are open at once, rarely more.
KEPT_ROUNDS = 8
# Fragments per round kept (a national draft: 200 commitments in a few states each).
KEPT_FRAGMENTS = 5000
# Theme sections per round kept (each about 25 kB at national scale).
KEPT_SECTIONS = 400
# Whole pages per round kept, by size (a national page is 30 kB a theme, 300 kB with all themes);
# the least recently read go first.
KEPT_PAGE_CHARACTERS = 8_000_000
# Readers' views of the page (which fragments, in which state, their progress), by the commitments
# in them: a few hundred bytes each, so about 6 MB a round at most.
KEPT_VIEW_ENTRIES = 20_000


# --- Generation ------------------------------------------------------------------------------------
def _generation_key(round_id: int) -> str:
    return f"consultation:round:{round_id}:generation"


def generation(*, round_id: int) -> int:
    value = cache.get(_generation_key(round_id))
    if value is None:
        # A lost generation restarts from a number no kept copy carries (see compact.caching).
        cache.add(_generation_key(round_id), time.time_ns(), timeout=None)
        value = cache.get(_generation_key(round_id)) or time.time_ns()
    return int(value)


def _stamp_keys(round_id: int, compact_id: int) -> list[str]:
    return [_generation_key(round_id), compact_caching.generation_key(compact_id)]


def _stamp(round: Round, stored: dict[str, Any] | None = None) -> tuple[int, int]:
    """The round's generation and its compact's, read in one round trip (and started if lost),
    or taken from `stored`, what a read of `stamp_keys` found.

    The compact's counts too: publishing a version changes the round page's comparison link."""
    compact_id = round.version.compact_id
    keys = _stamp_keys(round.pk, compact_id)
    if stored is None:
        stored = cache.get_many(keys)
    if not all(key in stored for key in keys):
        return generation(round_id=round.pk), compact_caching.generation(compact_id)
    return int(stored[keys[0]]), int(stored[keys[1]])


def bump(*, round_id: int) -> None:
    """Something every reader of the round page sees has changed: rebuild on the next request."""
    try:
        cache.incr(_generation_key(round_id))
    except ValueError:
        cache.set(_generation_key(round_id), time.time_ns(), timeout=None)


# --- The shared part -------------------------------------------------------------------------------
# The shared part's rows, columns and entries are the selector's: every reader sees them alike.
SharedEntry = selectors.CommitmentEntry
SharedColumn = selectors.RoundColumn
SharedRow = selectors.RoundRow


@dataclass
class SharedRound:
    stamp: tuple[int, int]
    round: Round
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
    fragments: dict[tuple[Any, ...], SafeString] = field(default_factory=dict)
    # A theme's whole section, keyed by the fragments in it: a reader reloading the page, or
    # readers in the same state, get it joined; anyone else still gets the fragments.
    sections: dict[tuple[Any, ...], SafeString] = field(default_factory=dict)
    # Whole pages by page state (see `kept_page`), least recently read first.
    pages: dict[tuple[Any, ...], KeptPage] = field(default_factory=dict)
    pages_size: int = 0
    # Readers' views by reader state (see `reader_view`), bounded by the commitments in them.
    views: kept.KeptPages[RoundPageView] = field(
        default_factory=lambda: kept.KeptPages(KEPT_VIEW_ENTRIES, size=_entries)
    )

    @property
    def themes(self) -> list[Theme]:
        return [row.theme for row in self.rows if row.theme is not None]


_kept: dict[int, SharedRound] = {}


def _build(round: Round, stamp: tuple[int, int]) -> SharedRound:
    page = selectors.round_page(round)
    rows = page.rows
    public, everyone = _concern_keys(round)
    return SharedRound(
        stamp=stamp,
        round=round,
        published=round.version.compact.versions.published().first(),
        layout=page.layout,
        rows=rows,
        vision_comment_count=page.vision_comment_count,
        questions=selectors.ordered_questions(round),
        total=sum(len(column.entries) for row in rows for column in row.columns),
        public_concern_keys=public,
        all_concern_keys=everyone,
    )


def _concern_keys(round: Round) -> tuple[frozenset[Any], frozenset[Any]]:
    concerns = Reflection.objects.filter(
        compact_id=round.version.compact_id, kind=Reflection.Kind.CONCERN, commitment_key__isnull=False
    ).values_list("commitment_key", "visibility")
    rows = set(concerns)
    return frozenset(k for k, v in rows if v == Reflection.Visibility.NAMED), frozenset(k for k, _ in rows)


def _own_concern_keys(user: User, compact_id: int) -> frozenset[Any]:
    """The concerns this person wrote, whoever else may read them: remembered with their facts,
    which every reflection they save or delete drops (reflections.receivers)."""
    return facts.remembered(
        user,
        f"own-concerns:{compact_id}",
        lambda: frozenset(
            Reflection.objects.filter(
                compact_id=compact_id, author=user, kind=Reflection.Kind.CONCERN, commitment_key__isnull=False
            ).values_list("commitment_key", flat=True)
        ),
    )


def stamp_keys(*, round_id: int) -> list[str] | None:
    """The cache keys `kept_round` checks, for a caller that reads them with others (the
    person's facts) in one round trip; None when this worker keeps nothing of the round."""
    kept = _kept.get(round_id)
    return None if kept is None else _stamp_keys(round_id, kept.round.version.compact_id)


def kept_round(*, round_id: int, stored: dict[str, Any] | None = None) -> SharedRound | None:
    """This worker's shared part of the round, if it is still current: then its round (read at
    the same generation) serves the request, and the round's row is not read again. `stored`:
    what a read of `stamp_keys` found, read now by the caller."""
    kept = _kept.get(round_id)
    if kept is not None and _stamp(kept.round, stored) == kept.stamp:
        return kept
    return None


def shared_round(*, round: Round) -> SharedRound:
    """The shared part at the round's current generation: this worker's copy, or built now.

    A scheduled round is built afresh every time: only staff see it, and its draft may still be
    edited, which no proposal or comment save would announce."""
    if round.status == Round.Status.SCHEDULED:
        return _build(round, (0, 0))
    stamp = _stamp(round)  # read before building: a change while it builds means a rebuild
    kept = _kept.get(round.pk)
    if kept is not None and kept.stamp == stamp:
        return kept
    shared = _build(round, stamp)
    if len(_kept) >= KEPT_ROUNDS and round.pk not in _kept:
        _kept.pop(next(iter(_kept)))
    _kept[round.pk] = shared
    return shared


# --- The reader's part -----------------------------------------------------------------------------
@dataclass
class EntryView:
    commitment: Commitment
    html: SafeString
    key: tuple[Any, ...]


@dataclass
class NewProposalView:
    proposal: Proposal
    html: SafeString
    key: tuple[Any, ...]


@dataclass
class ColumnView:
    party: Party
    entries: list[EntryView]
    new_proposals: list[NewProposalView]

    @property
    def entries_html(self) -> SafeString:
        # Joined here: two hundred {{ entry.html }} lookups cost more than the join.
        return mark_safe("".join(entry.html for entry in self.entries))  # noqa: S308 - fragments

    @property
    def new_proposals_html(self) -> SafeString:
        return mark_safe("".join(proposal.html for proposal in self.new_proposals))  # noqa: S308


@dataclass
class RowView:
    theme: Theme | None
    comment_count: int
    columns: list[ColumnView]
    html: SafeString = mark_safe("")  # noqa: S308 - empty
    # What the section's HTML was kept by: equal keys, equal HTML.
    key: tuple[Any, ...] = ()


@dataclass
class RoundPageView:
    round: Round
    layout: CompactLayout
    rows: list[RowView]
    vision_comment_count: int
    filtered_out: int
    progress: selectors.VotingProgress | None
    one_theme_at_a_time: bool = False
    theme_shown: Theme | None = None
    previous_theme: Theme | None = None
    next_theme: Theme | None = None


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


def _fragment(
    kept: dict[tuple[Any, ...], SafeString],
    limit: int,
    key: tuple[Any, ...],
    template: str,
    context: Callable[[], dict[str, Any]],
) -> SafeString:
    """The kept HTML for `key`, or the template rendered with `context()` (made only then: on the
    all-themes page, building 200 unused contexts cost more than joining the kept HTML)."""
    html = kept.get(key)
    if html is None:
        html = mark_safe(render_to_string(template, context()))  # noqa: S308 - a template's own output
        if len(kept) < limit:
            kept[key] = html
    return html


# The round page lists a commitment's proposed wordings, with what each changes, up to this many;
# past it the page says how many there are and the commitment's page shows them side by side (it
# is where a leader compares and votes). A page of twenty diffs a commitment is a wall nobody
# reads, its size would grow with every proposal made, and listing only some would favour those.
WORDINGS_LISTED = 3


def _entry_view(
    shared: SharedRound,
    round: Round,
    entry: SharedEntry,
    reader: Reader,
    totals: dict[Any, int] | None,
    is_open: bool,
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
    key = (
        "commitment",
        pk,
        reader.signed_in,
        voted_wording,
        voted_removal,
        concern,
        history,
        is_open,
        repr(entry_totals),
    )
    html = _fragment(
        shared.fragments,
        KEPT_FRAGMENTS,
        key,
        "consultation/_round_entry.html",
        lambda: {
            "round": round,
            "compact": round.version.compact,
            "entry": entry,
            "signed_in": reader.signed_in,
            "voted_wording": voted_wording,
            "voted_removal": voted_removal,
            "concern": concern,
            "history": history,
            "totals": entry_totals,
            "wordings_listed": WORDINGS_LISTED,
        },
    )
    return EntryView(commitment=commitment, html=html, key=key)


def _new_proposal_view(
    shared: SharedRound,
    round: Round,
    proposal: Proposal,
    reader: Reader,
    support: dict[Any, int] | None,
    is_open: bool,
) -> NewProposalView:
    voted = ("proposal", proposal.pk) in reader.votes
    totals = (
        {choice: support.get((proposal.pk, choice), 0) for choice in ("support", "oppose")}
        if support is not None
        else None
    )
    key = ("new", proposal.pk, voted, is_open, repr(totals))
    html = _fragment(
        shared.fragments,
        KEPT_FRAGMENTS,
        key,
        "consultation/_round_new_proposal.html",
        lambda: {"round": round, "proposal": proposal, "voted": voted, "totals": totals},
    )
    return NewProposalView(proposal=proposal, html=html, key=key)


def _section_key(row: RowView, *, filtering: bool, can_propose: bool, is_open: bool) -> tuple[Any, ...]:
    layout = tuple(
        (column.party.pk, tuple(e.key for e in column.entries), tuple(p.key for p in column.new_proposals))
        for column in row.columns
    )
    theme_id = row.theme.pk if row.theme is not None else None
    return ("theme", theme_id, row.comment_count, filtering, can_propose, is_open, layout)


def _section_html(
    shared: SharedRound, round: Round, row: RowView, *, filtering: bool, can_propose: bool
) -> SafeString:
    return _fragment(
        shared.sections,
        KEPT_SECTIONS,
        row.key,
        "consultation/_round_theme.html",
        lambda: {
            "round": round,
            "theme": row.theme,
            "row": row,
            "filtering": filtering,
            "can_propose": can_propose,
        },
    )


def _unanswered(entry: SharedEntry, votes: set[tuple[str, int]]) -> bool:
    return (entry.is_question and ("commitment", entry.commitment.pk) not in votes) or (
        entry.removal is not None and ("proposal", entry.removal.pk) not in votes
    )


def reader_for(
    *,
    shared: SharedRound,
    user: User | AnonymousUser,
    history_keys: set[Any],
    every_commitment_has_history: bool = False,
) -> Reader:
    round = shared.round
    concerns: frozenset[Any]
    if is_academy_staff(user):
        concerns = shared.all_concern_keys
    elif user.is_authenticated:
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
    reader: Reader,
    theme: int | None = None,
    party: int | None = None,
    has_proposals: bool = False,
    not_voted: bool = False,
    all_themes: bool = False,
    filtering: bool = False,
    can_propose: bool = False,
    is_open: bool | None = None,
) -> RoundPageView:
    """The page for one reader and their filters, from the shared part at its generation.

    `can_propose`: the reader may propose new commitments now (the round open and taking
    proposals, and nothing stopping them taking part). `is_open`: the round open by the clock,
    when the caller has already asked."""
    round = shared.round
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
    is_open = round.is_open if is_open is None else is_open
    filtered_out = 0
    rows = []
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
                entries.append(_entry_view(shared, round, entry, reader, wording_totals, is_open))
            new_proposals = [
                _new_proposal_view(shared, round, p, reader, support_totals, is_open)
                for p in column.new_proposals
                if not (not_voted and ("proposal", p.pk) in reader.votes)
            ]
            columns.append(ColumnView(party=column.party, entries=entries, new_proposals=new_proposals))
        view = RowView(theme=row.theme, comment_count=row.comment_count, columns=columns)
        view.key = _section_key(view, filtering=filtering, can_propose=can_propose, is_open=is_open)
        view.html = _section_html(shared, round, view, filtering=filtering, can_propose=can_propose)
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
        one_theme_at_a_time=one_at_a_time
        or (theme is not None and shared.total > settings.ROUND_PAGE_ALL_THEMES_UP_TO),
        theme_shown=shown,
        previous_theme=themes[index - 1] if shown and index > 0 else None,
        next_theme=themes[index + 1] if shown and index + 1 < len(themes) else None,
    )


def reader_view(*, shared: SharedRound, reader: Reader, **options: Any) -> RoundPageView:
    """`round_page_view`, kept per reader state: a leader reloading the page, moving between
    themes or reading what others in their state read gets the view worked out before (which
    fragments, in which state, their progress), which was a fifth of the request; after voting
    their state is new and it is worked out once.

    The key is everything the view reads of the reader and the clock; the round's shared part
    (the proposals, the comments, the round's own settings) is `shared`, renewed by generation.
    Running totals change with every vote, which renews nothing: a round that shows them works
    the view out every time."""
    round = shared.round
    if reader.sees_totals:
        return round_page_view(shared=shared, reader=reader, **options)
    is_open = round.is_open
    key = (
        reader.signed_in,
        frozenset(reader.votes),
        frozenset(reader.concern_keys),
        frozenset(reader.history_keys),
        reader.every_commitment_has_history,
        is_open,
        tuple(sorted(options.items())),
    )
    view = shared.views.get(key)
    if view is None:
        view = round_page_view(shared=shared, reader=reader, is_open=is_open, **options)
        shared.views.put(key, view)
    return view


def _entries(view: RoundPageView) -> int:
    return 1 + sum(
        len(column.entries) + len(column.new_proposals) for row in view.rows for column in row.columns
    )


# --- The whole page, per page state ---------------------------------------------------------------
# Where the per-request values go in a kept page. Random per process, so no text anyone writes
# can contain one (a kept page is never served with a mark left in it).
CSRF_MARK = f"csrf-{secrets.token_hex(16)}"
NAME_MARK = f"name-{secrets.token_hex(16)}"


@dataclass(frozen=True)
class KeptPage:
    """A page as UTF-8 pieces, split where the marks were: `None` for the CSRF token, `...` for
    the person's name. Joined per request with no search and no encoding of the whole page."""

    pieces: tuple[bytes | None | EllipsisType, ...]
    size: int
    has_token: bool  # a form on it: the token is filled in (and the CSRF cookie kept fresh)


class MarkedReader:
    """The signed-in person as a kept page's frame sees them: their name a mark, and only what
    the page state holds of them (`consultation.views._page_state`).

    Only the name differs between people in the same page state, so one page serves them all.
    Anything else asked of the person reads as missing (blank in a template) rather than as the
    first reader's: a template that starts showing more of the user differs from a fresh render,
    which tests/consultation/test_kept_round_page.py catches, instead of showing it to others."""

    display_name = NAME_MARK
    IN_THE_STATE = frozenset({"is_authenticated", "is_anonymous", "is_staff"})

    def __init__(self, user: User) -> None:
        self._user = user

    def __getattr__(self, name: str) -> Any:
        if name in self.IN_THE_STATE:
            return getattr(self._user, name)
        raise AttributeError(name)


def kept_page(shared: SharedRound, key: tuple[Any, ...]) -> KeptPage | None:
    page = shared.pages.pop(key, None)
    if page is not None:
        shared.pages[key] = page  # now the most recently read
    return page


def keep_page(shared: SharedRound, key: tuple[Any, ...], html: str) -> KeptPage:
    """Keep a page rendered with the marks (`CSRF_MARK` for the token, a `MarkedReader` as
    the user), making room by dropping the pages read least recently."""
    pieces: list[bytes | None | EllipsisType] = []
    for n, part in enumerate(html.split(CSRF_MARK)):
        if n:
            pieces.append(None)
        for m, text in enumerate(part.split(NAME_MARK)):
            if m:
                pieces.append(...)
            pieces.append(text.encode())
    page = KeptPage(pieces=tuple(pieces), size=len(html), has_token=None in pieces)
    if page.size <= KEPT_PAGE_CHARACTERS // 4:
        while shared.pages and shared.pages_size + page.size > KEPT_PAGE_CHARACTERS:
            shared.pages_size -= shared.pages.pop(next(iter(shared.pages))).size
        if key not in shared.pages:
            shared.pages_size += page.size
        shared.pages[key] = page
    return page


def filled_in(page: KeptPage, request: HttpRequest) -> bytes:
    """The kept page for this request: its CSRF token (asked for only if a form needs one, as a
    render would) and the person's name, escaped as the template escapes it."""
    token = masked_token(request).encode() if page.has_token else b""
    user = request.user
    name = conditional_escape(user.display_name).encode() if user.is_authenticated else b""
    return b"".join(token if piece is None else name if piece is ... else piece for piece in page.pieces)
