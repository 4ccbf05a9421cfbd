"""A bar chart whose bars each have their own whole (each group's eligible leaders): each bar is
that share, so a small group and a large one compare fairly, and says how many of how many."""

import pytest
from django.template.loader import render_to_string

from core.charts import bar_chart
from tests.charts import bar_figures, chart_text


def test_each_bar_is_its_share_of_its_own_whole():
    chart = bar_chart(
        id="turnout",
        title="Leaders who have voted, by region",
        description="Each bar is a region's share of its eligible leaders.",
        items=[("East of England", 30), ("London", 9), ("“Smaller” groups – together", 0)],
        of=[120, 10, 6],
    )
    east, london, small = chart.bars
    assert (east.share, london.share, small.share) == (25, 90, 0)
    # London's 9 is drawn longer than the East's 30: it is the larger share.
    assert london.width == 360 and east.width == 100 and small.width == 0
    assert east.figure == "30 of 120, 25%" and small.figure == "0 of 6, 0%"
    page = render_to_string("charts/bar_chart.html", {"chart": chart})
    assert bar_figures(page, "turnout") == [
        ("East of England", 30),
        ("London", 9),
        ("“Smaller” groups – together", 0),
    ]
    assert "9 of 10, 90%" in chart_text(page, "turnout")


def test_a_whole_of_nothing_draws_no_share_and_every_bar_needs_a_whole():
    chart = bar_chart(id="none", title="t", description="d", items=[("Nobody eligible", 0)], of=[0])
    assert chart.bars[0].share is None and chart.bars[0].figure == "0 of 0" and chart.bars[0].width == 0
    with pytest.raises(ValueError):
        bar_chart(id="x", title="t", description="d", items=[("a", 1), ("b", 2)], of=[3])
