"""Who is taking part in a round, for staff: counts by organisation, region and role, per day, the
questions drawing fewest votes, and who has not answered every question yet. Reads only.

Votes stay secret here as everywhere: nothing in this module reads which option anyone chose,
and nothing counts a group's votes for an option. It counts people (who have taken part, who
have voted) and votes per question.

**Small groups.** A count of a group of two or three leaders could tell staff what a named
colleague did, so no group of fewer than `SMALLEST_GROUP` eligible leaders is shown on its own:
every breakdown goes through `combine_small_groups`, the one place that rule is applied.

**How leaders are grouped**, from what the service really holds about them:

- *organisation*: the organisation name in their details, compared as signatures compare names
  (`signatories.normalise.name_key`: case, spacing and invisible characters aside), shown under
  the listed organisation's own name when there is one, else as most of its leaders typed it;
- *region*: the region staff recorded for that listed organisation (`signatories.selectors.
  listed_organisations`); a name that matches no listed organisation, or one without a region,
  counts as "Region not known". Nothing is guessed from a name or an e-mail domain;
- *role*: the kind of role the leader chose in their details (`User.LeadershipRole`), or
  "Not given". Job titles are free text, and no honest rule turns "Deputy COO" or "Head of
  nursing – surgery" into a group.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from notifications.kinds import Kind, Mode
from notifications.selectors import modes, written
from signatories.normalise import clean_name, name_key
from signatories.selectors import listed_organisations, regions

from .models import Comment, Proposal, Round, Vote
from .selectors import eligible_leaders, ordered_questions, question_counts

# The smallest group of eligible leaders shown on its own, in every chart and table.
SMALLEST_GROUP = 5
COMBINED = "Smaller groups, counted together"
NOT_GIVEN = "Not given"
REGION_NOT_KNOWN = "Region not known"


# --- Taking part ---------------------------------------------------------------------------------
def took_part(*, round: Round) -> Q:
    """People who have taken part in the round: voted, commented or proposed at least once (a
    comment deleted or hidden, or a proposal withdrawn since, still counts: they took part)."""
    return (
        Q(pk__in=Vote.objects.filter(round=round).values("voter_id"))
        | Q(pk__in=Comment.objects.filter(round=round, author__isnull=False).values("author_id"))
        | Q(pk__in=Proposal.objects.filter(round=round, author__isnull=False).values("author_id"))
    )


@dataclass(frozen=True)
class Group:
    """One group of eligible leaders and how many of them have taken part, and voted."""

    label: str
    eligible: int
    taken_part: int
    voted: int
    combined: bool = False  # the row that holds the small groups


@dataclass(frozen=True)
class Person:
    """What the breakdowns need of one eligible leader."""

    organisation: str  # the name as typed in their details
    role: str  # a User.LeadershipRole value, or ""
    taken_part: bool
    voted: bool


def combine_small_groups(groups: Iterable[Group]) -> list[Group]:
    """The groups to show: each of `SMALLEST_GROUP` eligible leaders or more on its own, in the
    order given; the rest counted together in one last row, `COMBINED`.

    When the small groups add up to fewer than `SMALLEST_GROUP`, the smallest group shown joins
    them (and the next, until there are enough), since otherwise the total less the rows shown
    would give that small row away. When fewer than `SMALLEST_GROUP` leaders may take part at all,
    nothing is shown."""
    groups = [group for group in groups if group.eligible]
    if sum(group.eligible for group in groups) < SMALLEST_GROUP:
        return []
    shown = [group for group in groups if group.eligible >= SMALLEST_GROUP]
    small = [group for group in groups if group.eligible < SMALLEST_GROUP]
    if not small:
        return shown
    while sum(group.eligible for group in small) < SMALLEST_GROUP:
        smallest = min(shown, key=lambda group: group.eligible)
        shown.remove(smallest)
        small.append(smallest)
    if not shown and len(small) == 1:
        return small
    combined = Group(
        label=COMBINED,
        eligible=sum(group.eligible for group in small),
        taken_part=sum(group.taken_part for group in small),
        voted=sum(group.voted for group in small),
        combined=True,
    )
    return [*shown, combined]


def _groups(people: list[Person], key: Callable[[Person], str], order: list[str]) -> list[Group]:
    """Count `people` by `key`: groups in `order` first, then any others by size (largest first)."""
    eligible: Counter[str] = Counter()
    taken_part: Counter[str] = Counter()
    voted: Counter[str] = Counter()
    for person in people:
        label = key(person)
        eligible[label] += 1
        taken_part[label] += person.taken_part
        voted[label] += person.voted
    rank = {label: i for i, label in enumerate(order)}
    labels = sorted(eligible, key=lambda label: (rank.get(label, len(rank)), -eligible[label], label))
    groups = [Group(label, eligible[label], taken_part[label], voted[label]) for label in labels]
    return combine_small_groups(groups)


@dataclass(frozen=True)
class RoundParticipation:
    eligible: int
    taken_part: int
    voted: int
    by_organisation: list[Group]
    by_region: list[Group]
    by_role: list[Group]


def eligible_people(*, round: Round) -> list[Person]:
    """Every eligible leader with their organisation, role, and whether they have taken part and
    voted: one query."""
    rows = (
        eligible_leaders(round)
        .annotate(
            has_voted=Exists(Vote.objects.filter(round=round, voter=OuterRef("pk"))),
            has_commented=Exists(Comment.objects.filter(round=round, author=OuterRef("pk"))),
            has_proposed=Exists(Proposal.objects.filter(round=round, author=OuterRef("pk"))),
        )
        # The key too: eligible_leaders() is DISTINCT (a person may have two verified addresses),
        # and without it two people alike in every other column would be counted once.
        .values_list(
            "pk", "organisation_name", "leadership_role", "has_voted", "has_commented", "has_proposed"
        )
    )
    return [
        Person(organisation, role, taken_part=voted or commented or proposed, voted=voted)
        for _pk, organisation, role, voted, commented, proposed in rows
    ]


def round_participation(*, round: Round) -> RoundParticipation:
    """How many eligible leaders have taken part and voted, in all and by organisation, region
    and role (small groups combined). Two queries."""
    people = eligible_people(round=round)
    listed = listed_organisations()

    # Organisations by their name as compared; each shown under the listed name, else the
    # spelling most of its leaders typed.
    spellings: dict[str, Counter[str]] = {}
    for person in people:
        spellings.setdefault(name_key(person.organisation), Counter())[clean_name(person.organisation)] += 1

    def organisation_of(person: Person) -> str:
        key = name_key(person.organisation)
        if not key:
            return NOT_GIVEN
        if key in listed:
            return listed[key].name
        return min(spellings[key].items(), key=lambda item: (-item[1], item[0]))[0]

    def region_of(person: Person) -> str:
        organisation = listed.get(name_key(person.organisation))
        return organisation.region if organisation and organisation.region else REGION_NOT_KNOWN

    roles = dict(User.LeadershipRole.choices)

    def role_of(person: Person) -> str:
        return roles.get(person.role, NOT_GIVEN)

    return RoundParticipation(
        eligible=len(people),
        taken_part=sum(person.taken_part for person in people),
        voted=sum(person.voted for person in people),
        # Organisations by size: no fixed order, and "Not given" among them by its size.
        by_organisation=_groups(people, organisation_of, []),
        by_region=_groups(people, region_of, [*regions(), REGION_NOT_KNOWN]),
        by_role=_groups(people, role_of, [*roles.values(), NOT_GIVEN]),
    )


# --- Per day ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DailyActivity:
    days: list[date]
    people: list[int]  # people who voted, commented or proposed on each day
    votes: list[int]  # votes cast on each day (a vote changed later counts on the day first cast)


def round_days(*, round: Round, now: datetime | None = None) -> list[date]:
    """Each day of the round so far, in local time: from the day it opened to today, or to the
    day it closed."""
    if round.status in (Round.Status.SCHEDULED, Round.Status.CANCELLED):
        return []
    now = now or timezone.now()
    first = timezone.localdate(round.opened_at or round.opens_at)
    ends = min(now, round.closed_at or round.closes_at, round.closes_at)
    last = timezone.localdate(ends)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def activity_per_day(*, round: Round, now: datetime | None = None) -> DailyActivity:
    """People taking part and votes cast on each day of the round so far. Four queries.

    Everyone who acted counts here, by local date, whether or not they may still take part: the
    figures are for the whole round, never a group of people."""
    days = round_days(round=round, now=now)
    zone = timezone.get_current_timezone()
    votes_by_day = dict(
        Vote.objects.filter(round=round)
        .annotate(day=TruncDate("cast_at", tzinfo=zone))
        .values_list("day")
        .annotate(n=Count("id"))
    )
    people_by_day: dict[date, set[int]] = {}
    sources: list[tuple[QuerySet[Vote] | QuerySet[Comment] | QuerySet[Proposal], str, str]] = [
        (Vote.objects.filter(round=round), "voter_id", "cast_at"),
        (Comment.objects.filter(round=round, author__isnull=False), "author_id", "created_at"),
        (Proposal.objects.filter(round=round, author__isnull=False), "author_id", "created_at"),
    ]
    for queryset, person, at in sources:
        pairs = queryset.annotate(day=TruncDate(at, tzinfo=zone)).values_list("day", person).distinct()
        for day, person_id in pairs:
            people_by_day.setdefault(day, set()).add(person_id)
    return DailyActivity(
        days=days,
        people=[len(people_by_day.get(day, ())) for day in days],
        votes=[votes_by_day.get(day, 0) for day in days],
    )


# --- The questions drawing fewest votes ----------------------------------------------------------------
@dataclass(frozen=True)
class QuestionVotes:
    label: str
    url: str
    votes: int


def fewest_votes(*, round: Round, limit: int = 5) -> list[QuestionVotes]:
    """The `limit` questions of the round with the fewest votes so far, fewest first (ties in the
    order the results list them). Each question's total only: never a count for an option.
    Two queries."""
    totals: dict[tuple[int | None, int | None], int] = {
        (commitment, proposal): n
        for commitment, proposal, n in Vote.objects.filter(round=round)
        .values_list("commitment_id", "question_proposal_id")
        .annotate(n=Count("id"))
        .values_list("commitment_id", "question_proposal_id", "n")
    }
    questions = []
    for question in question_counts(round, counted=False):
        if question.commitment is not None:
            commitment = question.commitment
            label = f"Wording of “{commitment.text}”"
            url = _commitment_url(round, commitment.pk)
            votes = totals.get((commitment.pk, None), 0)
        else:
            assert question.proposal is not None  # a support question names its proposal
            proposal = question.proposal
            if proposal.kind == Proposal.Kind.REMOVAL:
                label = f"Proposal #{proposal.pk}: remove a commitment"
            else:
                label = f"Proposal #{proposal.pk}: “{proposal.text}”"
            url = proposal.get_absolute_url()
            votes = totals.get((None, proposal.pk), 0)
        questions.append(QuestionVotes(label, url, votes))
    return sorted(questions, key=lambda question: question.votes)[:limit]


def _commitment_url(round: Round, commitment_id: int) -> str:
    return reverse("consultation:commitment", kwargs={"round_pk": round.pk, "pk": commitment_id})


# --- Who a reminder would reach --------------------------------------------------------------------
REMINDER_EVENT = "not-yet-voted"


def reminder_key(*, round_id: int, user_id: int, day: date) -> str:
    """The outbox key of one person's reminder: unique per round, person and day, so the outbox's
    unique key lets through at most one a day however often staff press the button."""
    return f"{REMINDER_EVENT}:{round_id}:user:{user_id}:{day.isoformat()}"


@dataclass(frozen=True)
class Reminder:
    """One person a reminder would reach, and how far they have got."""

    user_id: int
    email: str
    full_name: str
    answered: int
    questions: int


def not_yet_voted(*, round: Round, day: date) -> list[Reminder]:
    """The people a reminder to answer every question would reach on `day`: those taking part in
    the round (eligible, and who have voted, commented or proposed) who have not answered every
    question, who have not switched these reminders off, and who were not reminded of this round
    already that day. Four queries, whatever the size of the round.

    Answered counts as on the round's pages ("You have voted on 3 of 12"): votes on the round's
    standing questions (`selectors.ordered_questions`)."""
    questions = ordered_questions(round)
    if not questions:
        return []
    commitments = [pk for kind, pk in questions if kind == "commitment"]
    proposals = [pk for kind, pk in questions if kind == "proposal"]
    answered = (
        Vote.objects.filter(round=round, voter=OuterRef("pk"))
        .filter(Q(commitment_id__in=commitments) | Q(question_proposal_id__in=proposals))
        .values("voter")
        .annotate(n=Count("id"))
        .values("n")
    )
    rows = list(
        eligible_leaders(round)
        .filter(took_part(round=round))
        .annotate(answered=Coalesce(Subquery(answered, output_field=IntegerField()), Value(0)))
        .filter(answered__lt=len(questions))
        .order_by("pk")
        .values_list("pk", "email", "full_name", "answered")
    )
    wanted = modes(kind=Kind.NOT_YET_VOTED, user_ids=[pk for pk, *_ in rows])
    keys = {pk: reminder_key(round_id=round.pk, user_id=pk, day=day) for pk, *_ in rows}
    reminded = written(keys=keys.values())
    return [
        Reminder(pk, email, full_name, answered_count, len(questions))
        for pk, email, full_name, answered_count in rows
        if wanted[pk] != Mode.OFF and keys[pk] not in reminded
    ]
