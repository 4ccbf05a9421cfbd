"""Reads for round pages, each in a fixed number of queries whatever the size of the round."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, NamedTuple

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import has_verified_email, is_academy_staff
from compact.models import Commitment, Compact, Party, Theme, Version
from compact.selectors import CompactLayout, compact_layout
from core.text import word_diff

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


# --- Who may read a round's results ---------------------------------------------------------------
def results_readable_by(*, round: Round, user: User | AnonymousUser | None) -> bool:
    """Whether this person may read how the round's votes stand: its frozen results and its
    totals (running or final). The one rule for the results page, the round's own pages and the
    open data API (which reads as a visitor, `user=None`).

    Staff always. A round open to every leader is public: its results are open data. A round
    for invited leaders only is read by those invited (who could take part) and staff, never by
    visitors or other leaders."""
    if is_academy_staff(user):
        return True
    if round.participation != Round.Participation.INVITED:
        return True
    if user is None or not user.is_authenticated:
        return False
    return eligible_leaders(round).filter(pk=user.pk).exists()


def totals_readable_by(*, round: Round, user: User | AnonymousUser | None) -> bool:
    """Vote totals are shown to this person now: the round shows them (closed, or open with
    running totals) and they may read its results."""
    return round.totals_visible and results_readable_by(round=round, user=user)


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


class ProposalOnPage(NamedTuple):
    """A standing proposal as the round page shows it, in plain values. The page's shared part is
    pickled into the cache and read back on every request (consultation/round_page.py), and a
    model instance costs many times a tuple's to read back; the page needs no more than this."""

    pk: int
    round_id: int
    kind: str
    text: str
    # The word diff against the commitment's wording, for a rewording.
    diff: str = ""

    def get_absolute_url(self) -> str:
        return reverse("consultation:proposal", kwargs={"round_pk": self.round_id, "pk": self.pk})


@dataclass(frozen=True)
class CommitmentEntry:
    """A commitment on the round page with what every reader sees of it: its standing proposals
    (each rewording with its word diff made) and how many comments it has."""

    commitment: Commitment
    rewordings: list[ProposalOnPage] = field(default_factory=list)
    removal: ProposalOnPage | None = None
    comment_count: int = 0

    @property
    def has_proposals(self) -> bool:
        return bool(self.rewordings or self.removal)

    @property
    def is_question(self) -> bool:
        return bool(self.rewordings)


class RoundColumn(NamedTuple):
    """One party's column of a theme on the round page."""

    party: Party
    entries: list[CommitmentEntry]
    new_proposals: list[ProposalOnPage]


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


def round_page(round: Round) -> RoundPage:
    """The round's draft as every reader sees it: theme by theme, each commitment with its
    standing proposals (word diffs made) and comment counts, in a fixed number of queries.

    What differs between readers (their votes, the filters they chose, totals, concerns, one theme
    at a time) is added per request by `consultation/round_page.py`, which keeps this part."""
    layout = compact_layout(round.version)
    # Plain values, not model instances: the shared part is cached in a LocMemCache, which
    # pickles it, and every request reads it back whole (see ProposalOnPage).
    proposals = round.proposals.standing().order_by("created_at", "id")
    fields = ("pk", "round_id", "kind", "text", "commitment_id", "theme_id", "party_id")
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

    rewordings: dict[int | None, list[ProposalOnPage]] = {}
    removals: dict[int | None, ProposalOnPage] = {}
    new_by_cell: dict[tuple[int | None, int | None], list[ProposalOnPage]] = {}
    for pk, round_id, kind, text, commitment_id, theme_id, party_id in proposals.values_list(*fields):
        proposal = ProposalOnPage(pk=pk, round_id=round_id, kind=kind, text=text)
        if kind == Proposal.Kind.REWORDING:
            rewordings.setdefault(commitment_id, []).append(proposal)
        elif kind == Proposal.Kind.REMOVAL:
            removals[commitment_id] = proposal
        else:
            new_by_cell.setdefault((theme_id, party_id), []).append(proposal)

    rows: list[RoundRow] = []
    for row in layout.rows:
        theme_id = row.theme.pk if row.theme is not None else None
        columns: list[RoundColumn] = []
        for column_party, commitments in row.columns:
            entries: list[CommitmentEntry] = []
            for commitment in commitments:
                entries.append(
                    CommitmentEntry(
                        commitment=commitment,
                        rewordings=[
                            proposal._replace(diff=word_diff(commitment.text, proposal.text))
                            for proposal in rewordings.get(commitment.pk, [])
                        ],
                        removal=removals.get(commitment.pk),
                        comment_count=by_commitment.get(commitment.pk, 0),
                    )
                )
            columns.append(
                RoundColumn(column_party, entries, new_by_cell.get((theme_id, column_party.pk), []))
            )
        rows.append(RoundRow(row.theme, by_theme.get(theme_id, 0) if row.theme is not None else 0, columns))
    return RoundPage(round=round, layout=layout, rows=rows, vision_comment_count=vision_count)


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


def readable_versions(user: User | AnonymousUser | None, compact: Compact) -> list[Version]:
    """The versions of a compact this person may read, oldest first, in two or three queries.

    Here, beside the rounds it reads, rather than in compact.selectors: the compact app does not
    import consultation.

    Staff read every version; others the public ones, plus what consultation opens to them: the
    text of a round that has closed, and an open round's draft to the people taking part in it."""
    versions = compact.versions.order_by("number")
    if not is_academy_staff(user):
        opened = versions_opened_by_rounds(compact, user)
        versions = versions.filter(
            Q(status__in=[Version.Status.PUBLISHED, Version.Status.SUPERSEDED]) | Q(pk__in=opened)
        )
    return list(versions)


def result_for(
    *, round: Round, commitment: Commitment | None = None, proposal: Proposal | None = None
) -> Result | None:
    """The frozen result of one question of a closed round: a commitment's wording, or a
    proposal's support (one query; None while the round is open or was never counted)."""
    if not round.has_results:
        return None
    results = Result.objects.filter(round=round).select_related(
        "commitment__theme", "commitment__party", "proposal__theme", "proposal__party", "proposal__commitment"
    )
    if commitment is not None:
        return results.filter(commitment=commitment).first()
    return results.filter(proposal=proposal).first()


def versions_opened_by_rounds(compact: Compact, user: User | AnonymousUser | None) -> set[int]:
    """Ids of a compact's versions that consultation makes readable beyond the published ones.

    - The text a round consulted on is public once the round has closed: it is what leaders
      voted on, and the change log and comparisons refer to exactly that wording.
    - While a round is open, the people who can take part in it may read (and compare) the draft
      it is held on: they are being asked to judge it against the current published text.
    """
    rounds = Round.objects.filter(version__compact=compact).exclude(status=Round.Status.SCHEDULED)
    return {round.version_id for round in rounds if opens_its_text(round=round, user=user)}


_ASK = object()


def opens_its_text(*, round: Round, user: User | AnonymousUser | None, problem: object = _ASK) -> bool:
    """Whether this round makes its text readable to the person (the rule above, for one round).
    `problem` is their participation_problem when the caller has it already."""
    if round.has_results:
        return True
    if not round.is_open:
        return False
    return (participation_problem(user, round) if problem is _ASK else problem) is None


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


def ratifying_problem(*, version: Version) -> str | None:
    """Why a draft may not be ratified yet as far as consultation is concerned, or None.

    A round scheduled on the draft could never open once the text is frozen, and the scheduler
    would fail on it every minute: staff cancel the round first, knowingly. Asked by
    `compact.services.ratify` directly (a rule, not a signal receiver that vetoes)."""
    scheduled = version.rounds.filter(status=Round.Status.SCHEDULED).order_by("opens_at").first()
    if scheduled is None:
        return None
    opens = timezone.localtime(scheduled.opens_at)
    return (
        f"“{scheduled.title}” is scheduled to open on this draft on {opens:%-d %B %Y at %H:%M}. "
        "Cancel the round (close it from its page) before ratifying."
    )
