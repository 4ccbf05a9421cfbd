"""The reflections page's charts: celebrations and concerns by month, for the compact and for each
commitment reflected on (small multiples on one scale, the most concerns first)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from core.charts import ColumnChart, column_chart

from .models import Reflection
from .selectors import MonthCount

if TYPE_CHECKING:
    from compact.models import Commitment

# The charts cover at most the last two years: more months than this make columns too thin to
# read on a phone. Older reflections still show in the list below the charts.
MONTHS_SHOWN = 24
SERIES = ("Celebrations", "Concerns")  # the second is drawn hatched
UNIT = ("reflection", "reflections")
WHOLE = "The compact as a whole"
GONE = "A commitment no longer in the published version"


@dataclass(frozen=True)
class CommitmentHealth:
    heading: str  # the commitment's text, or what stands for it
    quoted: bool  # the heading is the commitment's own words (the page puts them in quotes)
    theme: str  # its theme's title (or its party's name, in a compact without themes), or ""
    celebrations: int
    concerns: int
    chart: ColumnChart


@dataclass(frozen=True)
class Health:
    overall: ColumnChart | None  # None when the reader may read no reflection in the months shown
    by_commitment: list[CommitmentHealth]
    first_month: date | None


def _months(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def _span(months: list[date]) -> str:
    first, last = months[0].strftime("%B %Y"), months[-1].strftime("%B %Y")
    return f"in {first}" if first == last else f"each month from {first} to {last}"


def _both(celebrations: int, concerns: int) -> str:
    return (
        f"{celebrations:,} celebration{'' if celebrations == 1 else 's'} and "
        f"{concerns:,} concern{'' if concerns == 1 else 's'}"
    )


def health(*, counts: Sequence[MonthCount], commitments: Sequence[Commitment], today: date) -> Health:
    """Charts of `counts` (selectors.counts_by_month) from the first month with a reflection to
    this month, at most MONTHS_SHOWN of them: one for everything, and one per commitment with a
    reflection (and one for the compact as a whole), all drawn to one scale so they compare, the
    commitments drawing most concerns first (then most celebrations, then the compact's order)."""
    this_month = today.replace(day=1)
    if not counts:
        return Health(overall=None, by_commitment=[], first_month=None)
    last = max(this_month, max(c.month for c in counts))
    first = max(min(c.month for c in counts), _months_back(last, MONTHS_SHOWN - 1))
    months = _months(first, last)
    index = {month: i for i, month in enumerate(months)}
    kind_series = {Reflection.Kind.CELEBRATE.value: 0, Reflection.Kind.CONCERN.value: 1}
    overall = [[0] * len(months) for _ in SERIES]
    groups: dict[UUID | None, list[list[int]]] = {}
    for count in counts:
        if count.month not in index or count.kind not in kind_series:
            continue
        series = kind_series[count.kind]
        overall[series][index[count.month]] += count.count
        group = groups.setdefault(count.commitment_key, [[0] * len(months) for _ in SERIES])
        group[series][index[count.month]] += count.count
    if not any(any(values) for values in overall):
        return Health(overall=None, by_commitment=[], first_month=None)
    span = _span(months)
    overall_chart = column_chart(
        id="reflections-by-month",
        title="Reflections by month",
        description=(
            f"Celebrations (solid) and concerns (hatched) recorded {span}: "
            f"{_both(sum(overall[0]), sum(overall[1]))}."
        ),
        periods=months,
        series=list(zip(SERIES, overall, strict=True)),
        period_format="%b %Y",
        unit=UNIT,
    )
    by_key: dict[UUID | None, Commitment] = {commitment.key: commitment for commitment in commitments}
    position = {key: n for n, key in enumerate(by_key)}

    def most_concerns_first(item: tuple[UUID | None, list[list[int]]]) -> tuple[int, int, int]:
        key, (celebrations, concerns) = item
        return -sum(concerns), -sum(celebrations), position.get(key, len(position))

    # One scale for every small multiple: a column of the same height is the same number in each.
    largest = max(value for values in groups.values() for series in values for value in series)
    ordered = sorted(groups.items(), key=most_concerns_first)
    multiples = []
    for n, (key, (celebrations, concerns)) in enumerate(ordered, 1):
        commitment = by_key.get(key)
        if commitment is not None:
            heading, quoted = commitment.text, True
            theme = commitment.theme.title if commitment.theme is not None else commitment.party.name
        else:
            heading, quoted, theme = (WHOLE if key is None else GONE), False, ""
        named = f"“{heading}”" if quoted else heading[:1].lower() + heading[1:]
        multiples.append(
            CommitmentHealth(
                heading=heading,
                quoted=quoted,
                theme=theme,
                celebrations=sum(celebrations),
                concerns=sum(concerns),
                chart=column_chart(
                    id=f"reflections-by-month-{n}",
                    title=f"Reflections by month on {named}",
                    description=(
                        f"Celebrations (solid) and concerns (hatched) recorded {span}: "
                        f"{_both(sum(celebrations), sum(concerns))}. "
                        "Drawn to the same scale as the other commitments' charts."
                    ),
                    periods=months,
                    series=[(SERIES[0], celebrations), (SERIES[1], concerns)],
                    period_format="%b %Y",
                    unit=UNIT,
                    largest=largest,
                    scale_label="Top of the scale all these charts share",
                    legend=False,
                ),
            )
        )
    return Health(overall=overall_chart, by_commitment=multiples, first_month=first)


def _months_back(month: date, back: int) -> date:
    total = month.year * 12 + month.month - 1 - back
    return date(total // 12, total % 12 + 1, 1)
