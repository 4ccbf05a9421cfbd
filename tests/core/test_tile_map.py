"""The tile map primitive (core.charts.tile_map) and its template: each tile is drawn where the
layout puts it, labelled with its name and figure in a colour readable on its shade, shaded by
class with the classes in a legend; what has no place on the map is said under it and in the
table."""

import pytest
from django.template.loader import render_to_string
from lxml import html

from core.charts import TILE_SHADES, tile_map
from tests.charts import chart_text, tile_figures

LAYOUT = {"nw": (1, 0), "ne": (2, 0), "mid": (1, 1), "sw": (0, 2), "lon": (1, 2)}


def _luminance(colour):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a, b):
    lighter, darker = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rendered(chart):
    return render_to_string("charts/tile_map.html", {"chart": chart}) + render_to_string(
        "charts/table.html", {"chart": chart, "caption": "Signatures by region"}
    )


def a_map(tiles, **kwargs):
    return tile_map(
        id="by-region", title="Signatures by region", description="d", tiles=tiles, layout=LAYOUT, **kwargs
    )


def test_every_tile_carries_its_name_and_figure_and_the_table_repeats_them_with_what_is_off_the_map():
    chart = a_map(
        [
            ("lon", "London", 12),
            ("ne", "North East and Yorkshire", 7),
            ("mid", "Midlands", 0),
            ("national", "National", 3),
            ("", "No region given", 2),
        ]
    )
    page = rendered(chart)
    assert tile_figures(page, "by-region") == [
        ("London", 12),
        ("North East and Yorkshire", 7),
        ("Midlands", 0),
    ]
    # Off the map: said under it, and rows of the table, with shares of everything.
    assert "<li>National: 3</li>" in page and "<li>No region given: 2</li>" in page
    rows = [
        [cell.text_content() for cell in row.xpath("./th|./td")]
        for row in html.fromstring(page).xpath("//table//tbody/tr")
    ]
    assert rows == [
        ["London", "12", "50%"],
        ["North East and Yorkshire", "7", "29%"],
        ["Midlands", "0", "0%"],
        ["National", "3", "12%"],
        ["No region given", "2", "8%"],
    ]
    assert "London: 12 signatures, 50%" in chart_text(page, "by-region")


def test_tiles_are_placed_as_the_layout_lies_on_a_grid_that_fills_the_width():
    chart = a_map(
        [("nw", "North West", 1), ("ne", "North East", 1), ("sw", "South West", 1), ("lon", "London", 1)]
    )
    at = {tile.code: (tile.x, tile.y) for tile in chart.tiles}
    assert at["nw"][1] == at["ne"][1] < at["lon"][1] == at["sw"][1]  # north above south
    assert at["sw"][0] < at["nw"][0] == at["lon"][0] < at["ne"][0]  # west left of east
    assert max(tile.x + tile.width for tile in chart.tiles) == pytest.approx(chart.width)


def test_shades_step_up_with_the_figure_and_the_legend_names_each_class():
    chart = a_map(
        [("lon", "London", 20), ("ne", "North East", 11), ("nw", "North West", 1), ("mid", "Midlands", 0)]
    )
    steps = {tile.code: tile.step for tile in chart.tiles}
    assert steps == {"lon": 4, "ne": 3, "nw": 1, "mid": 0}
    assert [c.label for c in chart.classes] == ["None", "1–5", "6–10", "11–15", "16–20"]
    legend = html.fromstring(rendered(chart)).xpath('//g[contains(@class, "app-chart__legend")]')[0]
    assert "Darker for more signatures:" in legend.text_content() and "16–20" in legend.text_content()
    # With small figures there are fewer classes, none empty, and the largest is still darkest.
    small = a_map([("lon", "London", 2), ("ne", "North East", 1)])
    assert [c.label for c in small.classes] == ["None", "1", "2"]
    assert {t.code: t.fill for t in small.tiles}["lon"] == TILE_SHADES[-1][0]


@pytest.mark.parametrize(("fill", "text"), TILE_SHADES)
def test_the_text_on_every_shade_meets_aa_contrast(fill, text):
    assert contrast(fill, text) >= 4.5


def test_each_tile_is_written_in_the_text_colour_of_its_shade():
    chart = a_map(
        [("lon", "London", 40), ("ne", "North East", 20), ("nw", "North West", 5), ("mid", "Midlands", 0)]
    )
    for tile in html.fromstring(rendered(chart)).xpath('//g[contains(@class, "app-chart__tile")]'):
        fill = tile.xpath("./rect")[0].get("fill")
        for text in tile.xpath("./text"):
            assert contrast(fill, text.get("fill")) >= 4.5, tile.text_content()


def test_names_are_escaped_once_and_a_long_name_wraps_on_the_tile_but_stays_whole_in_the_table():
    name = "Kent, Surrey & Sussex — “the <Weald>”"
    chart = a_map([("lon", name, 3)])
    page = rendered(chart)
    assert len(chart.tiles[0].label_lines) == 2 and chart.tiles[0].label_lines[-1].endswith("…")
    assert "&lt;Weald&gt;" in page and "<Weald>" not in page and "&amp;amp;" not in page
    assert html.fromstring(page).xpath("//table//tbody/tr/th")[0].text_content() == name


def test_an_empty_map_draws_every_tile_white_and_refuses_a_step_count_it_has_no_shades_for():
    chart = a_map([("lon", "London", 0), ("ne", "North East", 0)])
    assert {t.fill for t in chart.tiles} == {TILE_SHADES[0][0]} and chart.total == 0
    assert [t.share for t in chart.tiles] == [None, None]
    with pytest.raises(ValueError):
        a_map([("lon", "London", 1)], steps=len(TILE_SHADES))
