"""The chart presenters and their templates: the figures drawn are the figures given."""

from datetime import date

import pytest
from django.template.loader import render_to_string

from core.charts import bar_chart, column_chart
from tests.charts import bar_figures, chart_text, column_figures


def test_each_bar_carries_its_count_and_share_and_the_table_repeats_them():
    chart = bar_chart(
        id="q1",
        title="Question 1: which wording should stand?",
        description="Votes for the current wording and for proposal 12.",
        items=[("Keep the current wording", 30), ("Proposal #12: “listen first” — and act", 10)],
        emphasise=[0],
    )
    page = render_to_string("charts/bar_chart.html", {"chart": chart}) + render_to_string(
        "charts/table.html", {"chart": chart}
    )
    assert bar_figures(page, "q1") == [
        ("Keep the current wording", 30),
        ("Proposal #12: “listen first” — and act", 10),
    ]
    assert "30 votes, 75%" in page and "10 votes, 25%" in page
    # Text is escaped once, in the drawing and in the table.
    assert "“listen first” — and act" in page and "&amp;quot;" not in page
    assert page.count('<th scope="row"') == 2


def test_a_long_label_wraps_and_is_cut_in_the_drawing_but_whole_in_the_table():
    label = "We will " + "make time to listen to staff at every level of the organisation " * 3
    chart = bar_chart(id="long", title="t", description="d", items=[(label, 1)])
    assert len(chart.bars[0].label_lines) == 2 and chart.bars[0].label_lines[-1].endswith("…")
    assert label.strip() in render_to_string("charts/table.html", {"chart": chart})


def test_shares_are_of_the_total_given_and_an_empty_chart_draws_no_share():
    chart = bar_chart(id="t", title="t", description="d", items=[("Voted", 40)], total=200)
    assert chart.bars[0].share == 20 and chart.bars[0].figure == "40 votes, 20%"
    empty = bar_chart(id="e", title="t", description="d", items=[("Voted", 0)])
    assert empty.bars[0].share is None and empty.bars[0].width == 0


def test_columns_are_drawn_to_one_scale_and_read_back_per_period():
    days = [date(2026, 12, d) for d in (1, 2, 3)]
    chart = column_chart(
        id="per-day",
        title="Votes per day",
        description="Votes cast on each day of the round.",
        periods=days,
        series=[("Votes", [4, 0, 8]), ("Comments", [1, 2, 3])],
    )
    page = render_to_string("charts/column_chart.html", {"chart": chart})
    values = [value for _, value in column_figures(page, "per-day")]
    assert values == [4, 0, 8, 1, 2, 3]
    tallest = max(chart.columns, key=lambda c: c.height)
    assert tallest.value == 8 and tallest.height == pytest.approx(120)
    assert "(hatched)" in page and "1 Dec: 4 votes (Votes)" in chart_text(page, "per-day")


def test_small_multiples_share_a_scale_when_given_the_largest():
    months = [date(2026, m, 1) for m in (10, 11)]
    one = column_chart(id="a", title="a", description="a", periods=months, series=[("n", [1, 2])], largest=10)
    assert max(c.height for c in one.columns) == pytest.approx(24)


def test_a_series_must_have_a_value_for_every_period():
    with pytest.raises(ValueError):
        column_chart(id="x", title="x", description="x", periods=[date(2026, 1, 1)], series=[("n", [1, 2])])


def test_words_added_to_a_label_are_kept_whole_when_the_label_is_cut():
    label = "Proposal #12: “We will " + "make time to listen to staff at every level " * 3 + "”"
    chart = bar_chart(
        id="s", title="t", description="d", items=[(label, 3), ("Keep", 1)], suffixes={0: "— chosen"}
    )
    lines = chart.bars[0].label_lines
    assert len(lines) == 2 and lines[-1].endswith("… — chosen")
    assert chart.bars[0].label == f"{label} — chosen" and chart.bars[1].label == "Keep"
    short = bar_chart(id="t", title="t", description="d", items=[("Support", 2)], suffixes={0: "— chosen"})
    assert short.bars[0].label_lines == ["Support — chosen"]
