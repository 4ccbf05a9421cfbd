"""Reading a chart's figures back from a page's SVG, as a person reads them: the figure written on
each bar, the <title> of each column. Tests compare them with the tally they were drawn from."""

import re

from lxml import html

_NUMBER = re.compile(r"([\d,]+) ")


def _svg(page: str, chart_id: str):
    tree = html.fromstring(page)
    found = tree.xpath(f'//svg[.//title[@id="{chart_id}-title"]]')
    assert found, f"no chart {chart_id!r} on the page"
    return found[0]


def bar_figures(page: str, chart_id: str) -> list[tuple[str, int]]:
    """(label, value) for each bar of the chart whose id is `chart_id`, top to bottom."""
    figures = []
    for bar in _svg(page, chart_id).xpath('.//g[contains(@class, "app-chart__bar")]'):
        label = " ".join(
            t.text_content() for t in bar.xpath('.//text[contains(@class, "app-chart__label")]/tspan')
        )
        figure = bar.xpath('.//text[contains(@class, "app-chart__value")]')[0].text_content()
        figures.append((label, int(_NUMBER.match(figure).group(1).replace(",", ""))))
    return figures


def column_figures(page: str, chart_id: str) -> list[tuple[str, int]]:
    """(column title, value) for each column, the first series and then the second."""
    figures = []
    for title in _svg(page, chart_id).xpath('.//rect[contains(@class, "app-chart__column")]/title'):
        text = title.text_content()
        figures.append((text, int(re.search(r": ([\d,]+) ", text).group(1).replace(",", ""))))
    return figures


def chart_text(page: str, chart_id: str) -> str:
    """Everything the chart writes, for asserting that a group under five is not drawn."""
    return _svg(page, chart_id).text_content()


def tile_figures(page: str, chart_id: str) -> list[tuple[str, int]]:
    """(label, value) for each tile of the tile map whose id is `chart_id`, as written on it."""
    figures = []
    for tile in _svg(page, chart_id).xpath('.//g[contains(@class, "app-chart__tile")]'):
        label = " ".join(
            t.text_content() for t in tile.xpath('.//text[contains(@class, "app-chart__label")]/tspan')
        )
        value = tile.xpath('.//text[contains(@class, "app-chart__value")]')[0].text_content()
        figures.append((label, int(value.replace(",", ""))))
    return figures
