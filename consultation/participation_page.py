"""The staff page of a round's participation: the figures `consultation.participation` reads, as
charts (`core.charts`) with tables of the same figures, and how many leaders a reminder to answer
every question would reach today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from core.charts import BarChart, ColumnChart, bar_chart, column_chart

from .models import Round
from .participation import (
    COMBINED,
    SMALLEST_GROUP,
    Group,
    QuestionVotes,
    RoundParticipation,
    activity_per_day,
    fewest_votes,
    not_yet_voted,
    round_participation,
)
from .selectors import ordered_questions

LEADERS = ("leader", "leaders")
PEOPLE = ("person", "people")


def share(part: int, whole: int) -> int | None:
    """A whole per cent, or None when there is no whole to take it of."""
    return round(100 * part / whole) if whole else None


@dataclass(frozen=True)
class Row:
    """One group of a breakdown's table."""

    label: str
    eligible: int
    taken_part: int
    taken_part_share: int | None
    voted: int
    voted_share: int | None
    combined: bool


@dataclass(frozen=True)
class Breakdown:
    """Participation by one way of grouping leaders: two charts (taken part; voted), each bar a
    group's share of its own eligible leaders, and the table of both."""

    id: str
    heading: str
    by: str  # "by region", as the charts' titles read
    taken_part: BarChart | None
    voted: BarChart | None
    rows: list[Row]


def _breakdown(id: str, heading: str, by: str, groups: list[Group]) -> Breakdown:
    if not groups:
        return Breakdown(id, heading, by, None, None, [])
    labels = [group.label for group in groups]
    eligible = [group.eligible for group in groups]
    note = (
        f" Groups of fewer than {SMALLEST_GROUP} eligible leaders are not shown on their own: "
        f"“{COMBINED}” holds them."
        if any(group.combined for group in groups)
        else ""
    )
    taken_part = bar_chart(
        id=f"taken-part-{id}",
        title=f"Leaders who have taken part, {by}",
        description=(
            "Each bar is the share of a group's eligible leaders who have voted, commented or "
            f"proposed, with how many of how many.{note}"
        ),
        items=[(label, group.taken_part) for label, group in zip(labels, groups, strict=True)],
        of=eligible,
        unit=LEADERS,
    )
    voted = bar_chart(
        id=f"voted-{id}",
        title=f"Leaders who have voted, {by}",
        description=f"Each bar is the share of a group's eligible leaders who have cast at least one vote.{note}",
        items=[(label, group.voted) for label, group in zip(labels, groups, strict=True)],
        of=eligible,
        unit=LEADERS,
    )
    rows = [
        Row(
            label=group.label,
            eligible=group.eligible,
            taken_part=group.taken_part,
            taken_part_share=share(group.taken_part, group.eligible),
            voted=group.voted,
            voted_share=share(group.voted, group.eligible),
            combined=group.combined,
        )
        for group in groups
    ]
    return Breakdown(id, heading, by, taken_part, voted, rows)


@dataclass(frozen=True)
class ParticipationPage:
    round: Round
    participation: RoundParticipation
    taken_part_share: int | None
    voted_share: int | None
    breakdowns: list[Breakdown]
    people_per_day: ColumnChart | None
    votes_per_day: ColumnChart | None
    fewest: list[QuestionVotes]
    questions: int
    # How many a reminder sent now would reach; None when the round is not open.
    reminders: int | None
    smallest_group: int = SMALLEST_GROUP


def participation_page(*, round: Round, now: datetime | None = None) -> ParticipationPage:
    now = now or timezone.now()
    participation = round_participation(round=round)
    daily = activity_per_day(round=round, now=now)
    people_per_day = votes_per_day = None
    if daily.days:
        people_per_day = column_chart(
            id="people-per-day",
            title="People taking part each day",
            description="How many people voted, commented or proposed on each day of the round so far.",
            periods=daily.days,
            series=[("People taking part", daily.people)],
            unit=PEOPLE,
        )
        votes_per_day = column_chart(
            id="votes-per-day",
            title="Votes cast each day",
            description="How many votes were cast on each day of the round so far (a changed vote counts once, on the day it was first cast).",
            periods=daily.days,
            series=[("Votes cast", daily.votes)],
        )
    return ParticipationPage(
        round=round,
        participation=participation,
        taken_part_share=share(participation.taken_part, participation.eligible),
        voted_share=share(participation.voted, participation.eligible),
        breakdowns=[
            _breakdown("region", "By region", "by region", participation.by_region),
            _breakdown("role", "By kind of role", "by kind of role", participation.by_role),
            _breakdown("organisation", "By organisation", "by organisation", participation.by_organisation),
        ],
        people_per_day=people_per_day,
        votes_per_day=votes_per_day,
        fewest=fewest_votes(round=round),
        questions=len(ordered_questions(round)),
        reminders=len(not_yet_voted(round=round, day=timezone.localdate(now))) if round.is_open else None,
    )
