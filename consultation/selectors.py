"""Reads for round pages, each in a fixed number of queries whatever the size of the round."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import has_verified_email
from compact.models import Commitment, Compact, Party, Theme
from compact.selectors import CompactLayout, compact_layout
from core.text import word_diff
from reflections.models import Reflection
from reflections.services import visible_reflections

from .models import Comment, Proposal, Report, Result, Round, Vote

# A question of a round, as a person's votes are keyed: a commitment's wording, or a proposal.
Question = tuple[Literal["commitment", "proposal"], int]


# --- Who may take part ---------------------------------------------------------------------------
def eligible_leaders(round: Round) -> QuerySet[User]:
    """Everyone who may take part in the round: active people with a verified e-mail address."""
    people = get_user_model().objects.filter(is_active=True, emailaddress__verified=True)
    if round.participation == Round.Participation.INVITED:
        people = people.filter(invited_rounds=round)
    return people.distinct()


def participation_problem(user: User | AnonymousUser | None, round: Round) -> str | None:
    """Why this person cannot take part now, in words they can act on; None when they can."""
    if not (user and user.is_authenticated):
        return "Sign in to take part in this round."
    if not has_verified_email(user):
        return "Confirm your e-mail address to take part in this round."
    if round.participation == Round.Participation.INVITED and not round.invited.filter(pk=user.pk).exists():
        return "This round is open to invited leaders only."
    return timing_problem(round)


def timing_problem(round: Round) -> str | None:
    now = timezone.now()
    if round.status == Round.Status.SCHEDULED or now < round.opens_at:
        return f"This round has not opened yet. It opens on {timezone.localtime(round.opens_at):%-d %B %Y at %H:%M}."
    if round.status != Round.Status.OPEN or now >= round.closes_at:
        return "This round has closed: it takes no more votes, proposals or comments."
    return None


def default_choice(result: Result) -> str:
    """What applying does when staff accept: the leader, or the status quo when nobody voted."""
    if result.leading_option:
        return result.leading_option
    if result.is_tie:
        return ""
    return "current" if result.commitment_id else Vote.Choice.OPPOSE


class ProposalsOnCommitment:
    """What a commitment's proposals make of it on the round page: whether any change is proposed,
    and whether its wording is a question. Shared by the page as one reader sees it
    (`CommitmentEntry`) and as every reader does (`round_page.SharedEntry`)."""

    rewordings: list[Proposal]
    removal: Proposal | None

    @property
    def has_proposals(self) -> bool:
        return bool(self.rewordings or self.removal)

    @property
    def is_question(self) -> bool:
        return bool(self.rewordings)


@dataclass
class CommitmentEntry(ProposalsOnCommitment):
    commitment: Commitment
    rewordings: list[Proposal] = field(default_factory=list)
    removal: Proposal | None = None
    comment_count: int = 0
    my_vote: Vote | None = None
    # {"current": n} when totals may be shown (each rewording carries its own `total`), else None.
    totals: dict[str, int] | None = None
    concern: bool = False


class RoundColumn(NamedTuple):
    """One party's column of a theme on the round page."""

    party: Party
    entries: list[CommitmentEntry]
    new_proposals: list[Proposal]


class RoundRow(NamedTuple):
    """One theme of the round page (None when the draft has no themes), with its comment count."""

    theme: Theme | None
    comment_count: int
    columns: list[RoundColumn]


@dataclass
class RoundPage:
    round: Round
    layout: CompactLayout
    rows: list[RoundRow]
    vision_comment_count: int
    questions: int
    answered: int
    filtered_out: int
    # A long draft is shown one theme at a time unless "all themes" is asked for.
    one_theme_at_a_time: bool = False
    theme_shown: Theme | None = None
    previous_theme: Theme | None = None
    next_theme: Theme | None = None


def vote_totals(round: Round) -> tuple[dict[tuple[int, int | None], int], dict[tuple[int, str], int]]:
    """Counts per option, never per person: [(commitment_id, chosen_proposal_id) → n], [(proposal, choice) → n]."""
    wording = {
        (row["commitment_id"], row["chosen_proposal_id"]): row["n"]
        for row in Vote.objects.filter(round=round, commitment__isnull=False)
        .values("commitment_id", "chosen_proposal_id")
        .annotate(n=Count("id"))
    }
    support = {
        (row["question_proposal_id"], row["choice"]): row["n"]
        for row in Vote.objects.filter(round=round, question_proposal__isnull=False)
        .values("question_proposal_id", "choice")
        .annotate(n=Count("id"))
    }
    return wording, support


class QuestionCount(NamedTuple):
    """One question of a round as the tally counts it: a commitment's wording (the current wording
    and each rewording are its options) or a new-commitment or removal proposal (support, oppose)."""

    commitment: Commitment | None  # set for a wording question
    proposal: Proposal | None  # set for a support question
    counts: list[tuple[str, str, int]]  # (option, label, votes) in the order results list them


def question_counts(round: Round, *, counted: bool = True) -> list[QuestionCount]:
    """The questions a round asks, in the order its results list them: wording questions by the
    commitment's theme, party and position, then the other proposals as they were made. With
    `counted`, each option's votes (`vote_totals`: counts, never who); without, every count is 0
    and no vote is read. One query, three when counted. The tally and the open data API both
    read a round's questions here, so they can never disagree on what was asked."""
    proposals = list(
        round.proposals.standing()
        .select_related("commitment__theme", "commitment__party", "theme", "party")
        .order_by("created_at", "id")
    )
    wording, support = vote_totals(round) if counted else ({}, {})
    rewordings: dict[Commitment, list[Proposal]] = {}
    for proposal in proposals:
        # A rewording always names its commitment (a check constraint).
        if proposal.kind == Proposal.Kind.REWORDING and proposal.commitment is not None:
            rewordings.setdefault(proposal.commitment, []).append(proposal)
    questions = []
    for commitment in sorted(rewordings, key=lambda c: (c.theme_id, c.party_id, c.position, c.pk)):
        counts = [("current", commitment.text, wording.get((commitment.pk, None), 0))]
        counts += [
            (f"proposal:{p.pk}", p.text, wording.get((commitment.pk, p.pk), 0))
            for p in rewordings[commitment]
        ]
        questions.append(QuestionCount(commitment, None, counts))
    for proposal in proposals:
        if proposal.is_support_question:
            counts = [
                (choice.value, label, support.get((proposal.pk, choice.value), 0))
                for choice, label in ((Vote.Choice.SUPPORT, "Support"), (Vote.Choice.OPPOSE, "Oppose"))
            ]
            questions.append(QuestionCount(None, proposal, counts))
    return questions


def my_votes(round: Round, user: User | AnonymousUser | None) -> dict[Question, Vote]:
    """The person's own votes, keyed by question: ("commitment", id) or ("proposal", id)."""
    if not (user and user.is_authenticated):
        return {}
    votes: dict[Question, Vote] = {}
    for vote in Vote.objects.filter(round=round, voter=user):
        votes[_question_of(vote)] = vote
    return votes


def _question_of(vote: Vote) -> Question:
    if vote.commitment_id:
        return ("commitment", vote.commitment_id)
    # A vote answers exactly one question (a check constraint): without a commitment, a proposal.
    assert vote.question_proposal_id is not None
    return ("proposal", vote.question_proposal_id)


def answered_questions(round: Round, user: User | AnonymousUser | None) -> set[tuple[str, int]]:
    """The questions the person has voted on, as my_votes keys them, without building the votes."""
    if not (user and user.is_authenticated):
        return set()
    rows = Vote.objects.filter(round=round, voter=user).values_list("commitment_id", "question_proposal_id")
    return {("commitment", c) if c else ("proposal", p) for c, p in rows}


def concern_keys_readable_by(user: User | AnonymousUser | None, compact: Compact) -> set[Any]:
    readable = visible_reflections(user=user, compact=compact).filter(
        kind=Reflection.Kind.CONCERN, commitment_key__isnull=False
    )
    return set(readable.values_list("commitment_key", flat=True).distinct())


def round_page(
    round: Round,
    user: User | AnonymousUser | None,
    *,
    theme: int | None = None,
    party: int | None = None,
    has_proposals: bool = False,
    not_voted: bool = False,
    all_themes: bool = False,
) -> RoundPage:
    """The draft theme by theme, each commitment with its proposals, comment counts, the person's
    vote and (when the round's rule allows) totals. About ten queries, whatever the size.

    A draft longer than ROUND_PAGE_ALL_THEMES_UP_TO commitments opens on its first theme, with
    links to the next: a national draft (200 commitments, 400 proposals with their diffs) on one
    page is slow to serve and too long to read on a phone. `all_themes` asks for everything."""
    layout = compact_layout(round.version)
    themes: list[Theme] = [row.theme for row in layout.rows if row.theme is not None]  # may have none
    total = sum(len(c) for row in layout.rows for _, c in row.columns)
    one_at_a_time = (
        theme is None and not all_themes and bool(themes) and total > settings.ROUND_PAGE_ALL_THEMES_UP_TO
    )
    if one_at_a_time:
        theme = themes[0].pk
    standing = round.proposals.standing()
    questions_asked: list[tuple[int, str, int | None]]
    if theme is None:
        proposals = list(standing.select_related("author").order_by("created_at", "id"))
        questions_asked = [(p.pk, p.kind, p.commitment_id) for p in proposals]
    else:
        # One theme shown: load only its proposals whole; progress needs every question, but only
        # as ids (at national scale, 50 proposals built instead of 400).
        questions_asked = list(standing.values_list("pk", "kind", "commitment_id"))
        rows_shown = [row for row in layout.rows if row.theme and row.theme.pk == theme]
        shown = [c.pk for row in rows_shown for _, cs in row.columns for c in cs]
        proposals = list(
            standing.filter(Q(commitment_id__in=shown) | Q(theme_id=theme))
            .select_related("author")
            .order_by("created_at", "id")
        )
    comment_counts = Comment.objects.filter(round=round, deleted_at__isnull=True, hidden_at__isnull=True)
    by_commitment = dict(
        comment_counts.filter(target=Comment.Target.COMMITMENT)
        .values_list("commitment_id")
        .annotate(n=Count("id"))
    )
    by_theme = dict(
        comment_counts.filter(target=Comment.Target.THEME).values_list("theme_id").annotate(n=Count("id"))
    )
    vision_count = comment_counts.filter(target=Comment.Target.WHOLE_COMPACT).count()
    mine = my_votes(round, user)
    # Commitments that drew concerns in signatories' reflections are marked in a refresh round,
    # counting only reflections this reader may read: a staff-only concern marks nothing publicly.
    concerns = concern_keys_readable_by(user, round.version.compact)
    wording_totals, support_totals = vote_totals(round) if round.totals_visible else ({}, {})

    rewordings: dict[int | None, list[Proposal]] = {}
    removals: dict[int | None, Proposal] = {}
    new_by_cell: dict[tuple[int | None, int | None], list[Proposal]] = {}
    for proposal in proposals:
        if proposal.kind == Proposal.Kind.REWORDING:
            rewordings.setdefault(proposal.commitment_id, []).append(proposal)
        elif proposal.kind == Proposal.Kind.REMOVAL:
            removals[proposal.commitment_id] = proposal
        else:
            new_by_cell.setdefault((proposal.theme_id, proposal.party_id), []).append(proposal)
        if proposal.is_support_question:
            proposal.my_vote = mine.get(("proposal", proposal.pk))
            if round.totals_visible:
                proposal.totals = {c: support_totals.get((proposal.pk, c), 0) for c in ("support", "oppose")}

    # Progress counts every question in the round, whatever the filters hide: a wording question
    # per reworded commitment, and each new-commitment or removal proposal.
    reworded = {
        commitment_id for _, kind, commitment_id in questions_asked if kind == Proposal.Kind.REWORDING
    }
    supported = [pk for pk, kind, _ in questions_asked if kind != Proposal.Kind.REWORDING]
    questions = len(reworded) + len(supported)
    answered = sum(("commitment", commitment_id) in mine for commitment_id in reworded) + sum(
        ("proposal", pk) in mine for pk in supported
    )
    filtered_out = 0
    rows: list[RoundRow] = []
    for row in layout.rows:
        theme_id = row.theme.pk if row.theme is not None else None
        if theme and theme_id != theme:
            if not one_at_a_time:  # the other themes are a page away, not hidden by a filter
                filtered_out += sum(len(c) for _, c in row.columns)
            continue
        columns: list[RoundColumn] = []
        for column_party, commitments in row.columns:
            if party and column_party.pk != party:
                filtered_out += len(commitments)
                continue
            entries: list[CommitmentEntry] = []
            for commitment in commitments:
                entry = CommitmentEntry(
                    commitment=commitment,
                    rewordings=rewordings.get(commitment.pk, []),
                    removal=removals.get(commitment.pk),
                    comment_count=by_commitment.get(commitment.pk, 0),
                    my_vote=mine.get(("commitment", commitment.pk)),
                    concern=commitment.key in concerns,
                )
                for proposal in entry.rewordings:
                    proposal.diff = word_diff(commitment.text, proposal.text)
                if round.totals_visible and entry.is_question:
                    entry.totals = {"current": wording_totals.get((commitment.pk, None), 0)}
                    for proposal in entry.rewordings:
                        proposal.total = wording_totals.get((commitment.pk, proposal.pk), 0)
                if (has_proposals and not entry.has_proposals) or (not_voted and not _unanswered(entry)):
                    filtered_out += 1
                else:
                    entries.append(entry)
            new_proposals = new_by_cell.get((theme_id, column_party.pk), [])
            if not_voted:
                new_proposals = [p for p in new_proposals if p.my_vote is None]
            columns.append(RoundColumn(column_party, entries, new_proposals))
        rows.append(RoundRow(row.theme, by_theme.get(theme_id, 0) if row.theme is not None else 0, columns))
    theme_shown = next((t for t in themes if t.pk == theme), None)
    index = themes.index(theme_shown) if theme_shown else -1
    return RoundPage(
        round=round,
        layout=layout,
        rows=rows,
        vision_comment_count=vision_count,
        questions=questions,
        answered=answered,
        filtered_out=filtered_out,
        one_theme_at_a_time=one_at_a_time
        or (theme is not None and total > settings.ROUND_PAGE_ALL_THEMES_UP_TO),
        theme_shown=theme_shown,
        previous_theme=themes[index - 1] if theme_shown and index > 0 else None,
        next_theme=themes[index + 1] if theme_shown and index + 1 < len(themes) else None,
    )


def _unanswered(entry: CommitmentEntry) -> bool:
    return (entry.is_question and entry.my_vote is None) or (
        entry.removal is not None and entry.removal.my_vote is None
    )


def comment_threads(round: Round, **subject: Any) -> list[Comment]:
    """Top-level comments on one subject with their replies, in two queries."""
    comments = list(
        Comment.objects.filter(round=round, **subject)
        .select_related("author", "parent")
        .order_by("created_at", "id")
    )
    threads: list[Comment] = []
    replies: dict[int, list[Comment]] = {}
    for comment in comments:
        if comment.parent_id:
            replies.setdefault(comment.parent_id, []).append(comment)
        else:
            threads.append(comment)
    for comment in threads:
        comment.thread_replies = replies.get(comment.pk, [])
    return threads


def moderation_queue() -> QuerySet[Comment]:
    """Comments with unresolved reports, the one waiting longest first, each with its count.

    Not `filter(reports__resolved_at__isnull=True)`: through the LEFT JOIN that also matches a
    comment nobody reported, which filled the queue with every comment of every round."""
    waiting = Q(reports__resolved_at__isnull=True, reports__isnull=False)
    return (
        Comment.objects.annotate(
            open_reports=Count("reports", filter=waiting),
            first_reported_at=Min("reports__created_at", filter=waiting),
        )
        .filter(open_reports__gt=0)
        .select_related("author", "round")
        .prefetch_related(Prefetch("reports", queryset=Report.objects.filter(resolved_at__isnull=True)))
        .order_by("first_reported_at", "pk")
    )


def results_for(round: Round) -> list[Result]:
    return list(
        Result.objects.filter(round=round).select_related(
            "commitment__theme",
            "commitment__party",
            "proposal__theme",
            "proposal__party",
            "proposal__commitment",
        )
    )


def versions_opened_by_rounds(compact: Compact, user: User | AnonymousUser | None) -> set[int]:
    """Ids of a compact's versions that consultation makes readable beyond the published ones.

    - The text a round consulted on is public once the round has closed: it is what leaders
      voted on, and the change log and comparisons refer to exactly that wording.
    - While a round is open, the people who can take part in it may read (and compare) the draft
      it is held on: they are being asked to judge it against the current published text.
    """
    rounds = Round.objects.filter(version__compact=compact).exclude(status=Round.Status.SCHEDULED)

    def taking_part(round: Round) -> bool:
        return round.is_open and participation_problem(user, round) is None

    return {round.version_id for round in rounds if round.has_results or taking_part(round)}


@dataclass
class VotingProgress:
    answered: int
    questions: int
    # The next question this person has not answered, after the one they are on, in the order
    # the draft reads; None when every question is answered.
    next_url: str | None = None
    next_label: str = ""

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.questions) if self.questions else 0


def ordered_questions(round: Round) -> list[tuple[str, int]]:
    """Every question of the round in the order the draft reads, one query: a commitment's
    wording (when someone proposed other wording) as ("commitment", id), a removal or
    new-commitment proposal as ("proposal", id)."""
    rows = round.proposals.standing().values_list(
        "pk",
        "kind",
        "commitment_id",
        "commitment__theme__position",
        "commitment__party__position",
        "commitment__position",
        "theme__position",
        "party__position",
    )
    order: dict[tuple[str, int], tuple[Any, ...]] = {}
    for pk, kind, commitment_id, c_theme, c_party, c_position, theme, party in rows:
        if kind == Proposal.Kind.REWORDING:
            order[("commitment", commitment_id)] = (c_theme, c_party, c_position, 0, 0)
        elif kind == Proposal.Kind.REMOVAL:
            order[("proposal", pk)] = (c_theme, c_party, c_position, 1, pk)
        else:
            order[("proposal", pk)] = (theme, party, float("inf"), 2, pk)
    # A theme-less commitment has no theme position: None sorts first, as its block reads first.
    return sorted(order, key=lambda q: tuple((v is not None, v or 0) for v in order[q]))


def progress_of(
    *,
    round: Round,
    questions: list[tuple[str, int]],
    answered: set[tuple[str, int]],
    current: tuple[str, int] | None = None,
) -> VotingProgress:
    """ "You have voted on N of M" and the next question after `current` not yet answered."""
    unanswered = [question for question in questions if question not in answered]
    after = questions.index(current) + 1 if current in questions else 0
    # The first unanswered question after this one, else the first before it.
    waiting = set(unanswered)
    following = [q for q in questions[after:] if q in waiting] + [
        q for q in questions[:after] if q in waiting and q != current
    ]
    progress = VotingProgress(answered=len(questions) - len(unanswered), questions=len(questions))
    if following:
        kind, pk = following[0]
        if kind == "commitment":
            progress.next_url = reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": pk})
            progress.next_label = "Next commitment to vote on"
        else:
            progress.next_url = reverse("consultation:proposal", kwargs={"round_pk": round.pk, "pk": pk})
            progress.next_label = "Next proposal to vote on"
    return progress


def voting_progress(
    round: Round, user: User | AnonymousUser | None, *, current: tuple[str, int] | None = None
) -> VotingProgress | None:
    """ "You have voted on N of M" and where to go next, for every page of a round. Two queries.

    A question is a commitment's wording (when someone proposed other wording) or a
    new-commitment or removal proposal. `current` is ("commitment", id) or ("proposal", id)."""
    if not (user and user.is_authenticated):
        return None
    return progress_of(
        round=round, questions=ordered_questions(round), answered=set(my_votes(round, user)), current=current
    )


@dataclass
class ConsultationWork:
    """What consultation asks of staff now, for the staff dashboard."""

    reports_waiting: int
    open_rounds: list[Round]
    closing_soon: list[Round]
    to_apply: list[Round]


def consultation_work(
    now: datetime | None = None, closing_within: timedelta | None = None
) -> ConsultationWork:
    """Reports waiting, rounds open (and those closing soon), results to apply. Three queries."""
    now = now or timezone.now()
    closing_within = closing_within or timedelta(hours=48)
    rounds = Round.objects.select_related("version__compact").order_by("closes_at")
    open_rounds = list(rounds.open_now())
    return ConsultationWork(
        reports_waiting=moderation_queue().count(),
        open_rounds=open_rounds,
        closing_soon=[round for round in open_rounds if round.closes_at <= now + closing_within],
        to_apply=list(rounds.filter(status=Round.Status.CLOSED).order_by("closed_at")),
    )


def open_rounds_by_compact() -> dict[int, list[Round]]:
    """Rounds leaders can take part in now, by compact id, for the home page. One query."""
    by_compact: dict[int, list[Round]] = {}
    for round in Round.objects.open_now().select_related("version").order_by("closes_at"):
        by_compact.setdefault(round.version.compact_id, []).append(round)
    return by_compact
