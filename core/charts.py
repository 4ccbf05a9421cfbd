"""Charts drawn on the server as SVG, so they need no script, no remote service and no inline style
(the CSP allows none): a presenter here works out every shape's position, and a template in
`templates/charts/` writes it out.

- `bar_chart`: horizontal bars, one per option or group, each with its label above it and its
  figure ("12 votes, 40%") written beside or inside it — results, participation by group,
  signatures by region.
- `column_chart`: one or two series over time (days or months), columns side by side, the second
  series hatched as well as coloured so the two differ without colour; each column carries a
  `<title>` with its figure — participation per day, reflections per month, and small multiples.
- `tile_map`: a square tile per place (the NHS England regions), laid out roughly as the places
  lie, shaded in steps of one hue by class of figure with the classes in a legend, each tile
  labelled with its name and figure in a text colour chosen for its shade — signatures by region.

Every chart has a title and a description (`<title>`/`<desc>`, named by `aria-labelledby`), and
is drawn in a `viewBox` narrow enough that its text stays readable when a phone shrinks it; the
page puts the same figures in a table beside it (`charts/table.html`), which is what a screen
reader user or someone copying the numbers reads. Tests read the figures back from the SVG
(`tests/core/test_charts.py` shows how).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
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


def _lines_keeping(label: str, suffix: str) -> list[str]:
    """The label's lines ending with `suffix` whole ("— chosen"): when the two do not fit, words
    come off the end of the label (marked "…"), never off the suffix, which says something the
    bar's shade alone must not be left to say."""
    words = label.split()
    for kept in range(len(words), -1, -1):
        shortened = " ".join(words[:kept]) + ("…" if kept < len(words) else "")
        lines = textwrap.wrap(f"{shortened} {suffix}", LABEL_CHARACTERS)
        if len(lines) <= LABEL_LINES:
            return lines
    return _lines(suffix)


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
    suffixes: Mapping[int, str] | None = None,
    of: Sequence[int] | None = None,
) -> BarChart:
    """Bars for `items` (label, value) in the order given. Shares are of `total` (the sum of the
    values unless given, e.g. eligible leaders for a turnout); `emphasise` holds the indexes of bars
    drawn darker (a leading or chosen option), which the label must also say in words: `suffixes`
    (index → words, e.g. "— chosen") end those labels and are kept whole when a long label is cut.

    `of` gives each bar a whole of its own (each group's eligible leaders, say): its share is of
    that whole, its length is that share (so groups of different sizes compare fairly), and its
    figure reads "12 of 40, 30%"."""
    if of is not None and len(of) != len(items):
        raise ValueError("Each bar needs its own whole.")
    total = sum(value for _, value in items) if total is None else total
    largest = max((value for _, value in items), default=0)
    suffixes = suffixes or {}
    bars, y = [], 0
    for index, (label, value) in enumerate(items):
        suffix = suffixes.get(index, "")
        lines = _lines_keeping(label, suffix) if suffix else _lines(label)
        label = f"{label} {suffix}" if suffix else label
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
    scale_label: str = "Most in a period"  # written before `largest` above the columns

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
    scale_label: str = "Most in a period",
    legend: bool = True,
) -> ColumnChart:
    """Columns for one or two `series` (name, a value per period) over `periods` (days or months,
    oldest first). `largest` fixes the scale, so small multiples drawn from one `largest` can be
    compared with one another (say so in `scale_label`: the top of a shared scale is not this
    chart's most); `ticks` labels about that many periods under the axis. `legend=False` leaves
    the legend to the page, for small multiples that share one."""
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
        legend=[Series(name=name, values=list(values)) for name, values in series]
        if legend and len(series) > 1
        else [],
        scale_label=scale_label,
    )


# --- Tiles on a map ----------------------------------------------------------------------------
TILE_HEIGHT = 84
TILE_GAP = 8
# Characters a tile's label line holds (a tile is about 128 units wide at 3 columns); a longer
# name wraps onto a second line, and the table beside the map holds it whole.
TILE_LABEL_CHARACTERS = 14
TILE_VALUE_FONT = 22
# One hue (NHS blue) in steps, lightest first, each with the text colour written on it: dark text
# on the light steps and white on the dark ones, every pair at least 4.5:1 (WCAG AA; the tests
# work the ratios out). Step 0 is for none at all: white, outlined like every tile.
TILE_SHADES = (
    ("#ffffff", "#212b32"),
    ("#d2e3f4", "#212b32"),
    ("#8cb8e6", "#212b32"),
    ("#005eb8", "#ffffff"),
    ("#003087", "#ffffff"),
)
LEGEND_SWATCH = 16


@dataclass(frozen=True)
class Tile:
    code: str
    label: str
    value: int
    share: int | None
    title: str  # "London: 12 signatures, 20%" — the tile's accessible figure
    label_lines: list[str]
    x: float
    y: int
    width: float
    height: int
    fill: str
    text_colour: str
    step: int  # the class it is shaded by: 0 for none, then 1 up to the darkest

    @property
    def centre(self) -> float:
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class TileClass:
    label: str  # "None", "3", "4–6"
    fill: str
    text_colour: str
    x: float  # the legend swatch's left edge

    @property
    def label_x(self) -> float:
        return round(self.x + LEGEND_SWATCH + 6, 2)


@dataclass(frozen=True)
class TileFigure:
    label: str
    value: int
    share: int | None


@dataclass(frozen=True)
class TileMap:
    id: str
    title: str
    description: str
    tiles: list[Tile]
    off_map: list[TileFigure]  # figures with no place on the map, said under it and in the table
    classes: list[TileClass]
    total: int
    unit: tuple[str, str]
    width: int = WIDTH
    height: int = 0
    legend_y: int = 0
    font: int = FONT
    value_font: int = TILE_VALUE_FONT
    swatch: int = LEGEND_SWATCH

    @property
    def title_id(self) -> str:
        return f"{self.id}-title"

    @property
    def description_id(self) -> str:
        return f"{self.id}-desc"

    @property
    def figures(self) -> list[TileFigure]:
        """The table's rows: each tile in the order given, then what is off the map."""
        return [TileFigure(tile.label, tile.value, tile.share) for tile in self.tiles] + self.off_map


def _tile_classes(largest: int, steps: int) -> list[tuple[int, int]]:
    """(lowest, highest) of each class above none: equal steps from 1 to `largest`, fewer when
    `largest` is smaller than the number of steps (no class is empty by construction)."""
    uppers = sorted({-(-largest * k // steps) for k in range(1, steps + 1)} - {0})
    classes, lowest = [], 1
    for upper in uppers:
        classes.append((lowest, upper))
        lowest = upper + 1
    return classes


def tile_map(
    *,
    id: str,
    title: str,
    description: str,
    tiles: Sequence[tuple[str, str, int]],
    layout: dict[str, tuple[int, int]],
    unit: tuple[str, str] = ("signature", "signatures"),
    steps: int = len(TILE_SHADES) - 1,
) -> TileMap:
    """A square tile for each of `tiles` (code, label, value) whose code `layout` places at a
    (column, row), shaded by class of value — `steps` equal steps from 1 to the largest, white for
    none — and labelled with its name and figure, so colour is never the only means. Tiles whose
    code the layout lacks are not drawn but kept in `off_map`, in the order given, for the page to
    say under the map; shares are of every tile's value, on the map or off it."""
    if not 1 <= steps <= len(TILE_SHADES) - 1:
        raise ValueError(f"A tile map shades in 1 to {len(TILE_SHADES) - 1} steps.")
    total = sum(value for _, _, value in tiles)
    placed = [tile for tile in tiles if tile[0] in layout]
    largest = max((value for _, _, value in placed), default=0)
    ranges = _tile_classes(largest, steps)
    # The top class is always the darkest shade, whatever the number of classes.
    shade_of = [0] + [round(k * steps / len(ranges)) for k in range(1, len(ranges) + 1)]
    columns = max((column for column, _ in layout.values()), default=0) + 1
    rows = max((row for _, row in layout.values()), default=0) + 1
    tile_width = (WIDTH - TILE_GAP * (columns - 1)) / columns
    drawn = []
    for code, label, value in placed:
        column, row = layout[code]
        step = next((k for k, (low, high) in enumerate(ranges, 1) if low <= value <= high), 0)
        fill, text_colour = TILE_SHADES[shade_of[step]]
        share = _share(value, total)
        lines = textwrap.wrap(label, TILE_LABEL_CHARACTERS) or [""]
        if len(lines) > 2:
            lines = [lines[0], " ".join(lines[1:])[: TILE_LABEL_CHARACTERS - 1].rstrip() + "…"]
        drawn.append(
            Tile(
                code=code,
                label=label,
                value=value,
                share=share,
                title=f"{label}: {_count(value, unit)}" + (f", {share}%" if share is not None else ""),
                label_lines=lines,
                x=round(column * (tile_width + TILE_GAP), 2),
                y=row * (TILE_HEIGHT + TILE_GAP),
                width=round(tile_width, 2),
                height=TILE_HEIGHT,
                fill=fill,
                text_colour=text_colour,
                step=step,
            )
        )
    off_map = [
        TileFigure(label, value, _share(value, total)) for code, label, value in tiles if code not in layout
    ]
    labels = ["None"] + [f"{low:,}" if low == high else f"{low:,}–{high:,}" for low, high in ranges]
    spacing = WIDTH / len(labels)
    classes = [
        TileClass(
            label=text, fill=TILE_SHADES[shade][0], text_colour=TILE_SHADES[shade][1], x=round(k * spacing, 2)
        )
        for k, (text, shade) in enumerate(zip(labels, shade_of, strict=True))
    ]
    legend_y = rows * (TILE_HEIGHT + TILE_GAP) + FONT + 4  # the legend's heading line
    return TileMap(
        id=slugify(id),
        title=title,
        description=description,
        tiles=drawn,
        off_map=off_map,
        classes=classes,
        total=total,
        unit=unit,
        height=legend_y + 8 + LEGEND_SWATCH + 4,
        legend_y=legend_y,
    )
