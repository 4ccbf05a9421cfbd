"""Charts drawn on the server as SVG, so they need no script, no remote service and no inline style
(the CSP allows none): a presenter here works out every shape's position, and a template in
`templates/charts/` writes it out.

- `bar_chart`: horizontal bars, one per option or group, each with its label above it and its
  figure ("12 votes, 40%") written beside or inside it — results, participation by group,
  signatures by region.
- `column_chart`: one or two series over time (days or months), columns side by side, the second
  series hatched as well as coloured so the two differ without colour; each column carries a
  `<title>` with its figure — participation per day, reflections per month, and small multiples.

Every chart has a title and a description (`<title>`/`<desc>`, named by `aria-labelledby`), and
is drawn in a `viewBox` narrow enough that its text stays readable when a phone shrinks it; the
page puts the same figures in a table beside it (`charts/table.html`), which is what a screen
reader user or someone copying the numbers reads. Tests read the figures back from the SVG
(`tests/core/test_charts.py` shows how).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils.text import slugify

# The drawing's own units. At 400 wide, 14-unit text is about 12 px on a 375 px phone.
WIDTH = 400
FONT = 14
LINE = 18
BAR_HEIGHT = 22
GAP = 14
# Characters a label line holds at FONT in WIDTH; longer labels wrap onto a second line and are
# then cut with an ellipsis (the table beside the chart holds the whole text).
LABEL_CHARACTERS = 52
LABEL_LINES = 2


def _share(value: int, total: int) -> int | None:
    return round(100 * value / total) if total else None


def _lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARACTERS) or [""]
    if len(lines) > LABEL_LINES:
        lines = lines[:LABEL_LINES]
        lines[-1] = lines[-1][: LABEL_CHARACTERS - 1].rstrip() + "…"
    return lines


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    share: int | None  # per cent of the chart's total, or None when the total is 0
    figure: str  # what is written on the bar, e.g. "12 votes, 40%"
    emphasis: bool
    label_lines: list[str]
    label_y: int  # the first label line's baseline
    bar_y: int
    width: int  # the bar's length in drawing units (a bar of 0 is drawn 0 wide)
    figure_inside: bool  # long bars carry their figure inside, in white
    figure_x: int
    whole: int | None = None  # the bar's own whole, when the chart was given `of`


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    total: int
    unit: tuple[str, str]
    width: int = WIDTH
    height: int = 0
    font: int = FONT
    bar_height: int = BAR_HEIGHT

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def description_id(self) -> str:
        return f"{self.id}-desc"


def _count(value: int, unit: tuple[str, str]) -> str:
    return f"{value:,} {unit[0] if value == 1 else unit[1]}"


def bar_chart(
    *,
    id: str,
    title: str,
    description: str,
    items: Sequence[tuple[str, int]],
    unit: tuple[str, str] = ("vote", "votes"),
    total: int | None = None,
    shares: bool = True,
    emphasise: Sequence[int] = (),
    of: Sequence[int] | None = None,
) -> BarChart:
    """Bars for `items` (label, value) in the order given. Shares are of `total` (the sum of the
    values unless given, e.g. eligible leaders for a turnout); `emphasise` holds the indexes of bars
    drawn darker (a leading or chosen option), which the label must also say in words.

    `of` gives each bar a whole of its own (each group's eligible leaders, say): its share is of
    that whole, its length is that share (so groups of different sizes compare fairly), and its
    figure reads "12 of 40, 30%"."""
    if of is not None and len(of) != len(items):
        raise ValueError("Each bar needs its own whole.")
    total = sum(value for _, value in items) if total is None else total
    largest = max((value for _, value in items), default=0)
    bars, y = [], 0
    for index, (label, value) in enumerate(items):
        lines = _lines(label)
        label_y = y + FONT
        bar_y = y + LINE * len(lines) + 4
        whole = of[index] if of is not None else None
        if whole is None:
            width = round(WIDTH * value / largest) if largest else 0
            share = _share(value, total)
            figure = _count(value, unit) + (f", {share}%" if shares and share is not None else "")
        else:
            share = _share(value, whole)
            width = round(WIDTH * value / whole) if whole else 0
            figure = f"{value:,} of {whole:,}" + (f", {share}%" if share is not None else "")
        # About 7.5 units a character at FONT: inside when the figure fits with room to spare.
        inside = width >= len(figure) * 7.5 + 16
        bars.append(
            Bar(
                label=label,
                value=value,
                share=share,
                figure=figure,
                emphasis=index in emphasise,
                label_lines=lines,
                label_y=label_y,
                bar_y=bar_y,
                width=width,
                figure_inside=inside,
                figure_x=width - 8 if inside else width + 6,
                whole=whole,
            )
        )
        y = bar_y + BAR_HEIGHT + GAP
    return BarChart(
        id=slugify(id),
        title=title,
        description=description,
        bars=bars,
        total=total,
        unit=unit,
        height=max(y - GAP, 1),
    )


# --- Columns over time -------------------------------------------------------------------------
COLUMN_HEIGHT = 120  # the tallest column
AXIS_GAP = 6


@dataclass(frozen=True)
class Column:
    series: int  # 0 or 1
    value: int
    x: float
    y: float
    width: float
    height: float
    title: str  # "3 December 2026: 12 votes" — the column's accessible figure


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]


@dataclass(frozen=True)
class ColumnChart:
    id: str
    title: str
    description: str
    periods: list[date]
    period_labels: list[str]
    series: list[Series]
    columns: list[Column]
    ticks: list[Tick]
    largest: int
    unit: tuple[str, str]
    width: int = WIDTH
    plot_top: int = FONT + 8
    plot_bottom: int = 0
    height: int = 0
    font: int = FONT
    legend: list[Series] = field(default_factory=list)

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def description_id(self) -> str:
        return f"{self.id}-desc"

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        """The table's rows: each period's label and its value in each series."""
        return [
            (label, [series.values[i] for series in self.series])
            for i, label in enumerate(self.period_labels)
        ]


def column_chart(
    *,
    id: str,
    title: str,
    description: str,
    periods: Sequence[date],
    series: Sequence[tuple[str, Sequence[int]]],
    period_format: str = "%-d %b",
    unit: tuple[str, str] = ("vote", "votes"),
    largest: int | None = None,
    ticks: int = 4,
) -> ColumnChart:
    """Columns for one or two `series` (name, a value per period) over `periods` (days or months,
    oldest first). `largest` fixes the scale, so small multiples drawn from one `largest` can be
    compared with one another; `ticks` labels about that many periods under the axis."""
    if not 1 <= len(series) <= 2:
        raise ValueError("A column chart draws one or two series.")
    if any(len(values) != len(periods) for _, values in series):
        raise ValueError("Each series needs a value for every period.")
    top = max([largest or 0, *(v for _, values in series for v in values)]) or 1
    plot_top = FONT + 8  # room for the largest figure above the axis
    plot_bottom = plot_top + COLUMN_HEIGHT
    slot = WIDTH / max(len(periods), 1)
    column_width = slot * 0.8 / len(series)
    labels = [period.strftime(period_format) for period in periods]
    columns = []
    for s, (name, values) in enumerate(series):
        for i, value in enumerate(values):
            height = COLUMN_HEIGHT * value / top
            columns.append(
                Column(
                    series=s,
                    value=value,
                    x=round(i * slot + slot * 0.1 + s * column_width, 2),
                    y=round(plot_bottom - height, 2),
                    width=round(column_width, 2),
                    height=round(height, 2),
                    title=f"{labels[i]}: {_count(value, unit)}" + (f" ({name})" if len(series) > 1 else ""),
                )
            )
    step = max(1, -(-len(periods) // ticks))
    chart_ticks = [
        Tick(x=round(i * slot + slot / 2, 2), label=labels[i]) for i in range(0, len(periods), step)
    ]
    return ColumnChart(
        id=slugify(id),
        title=title,
        description=description,
        periods=list(periods),
        period_labels=labels,
        series=[Series(name=name, values=list(values)) for name, values in series],
        columns=columns,
        ticks=chart_ticks,
        largest=top,
        unit=unit,
        plot_top=plot_top,
        plot_bottom=plot_bottom,
        height=plot_bottom + AXIS_GAP + FONT + 4,
        legend=[Series(name=name, values=list(values)) for name, values in series] if len(series) > 1 else [],
    )
