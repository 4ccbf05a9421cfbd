"""A leader after the round reads the outcome of each question as a chart and a table: the demo's
first round (closed, its results applied) seen at 1280 px, at 375 px and without JavaScript, each
page checked by axe where script runs. The drawing fits the window and its words stay at least
12 px high on a phone.

With BROWSER_SHOTS set to a folder, each page is saved there as a full-page screenshot."""

import re

import pytest
from django.urls import reverse

from consultation.models import Round
from tests.browser.test_journeys import sign_in  # noqa: F401 - fixtures
from tests.browser.test_journeys_no_wrong_result import fits, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def smallest_chart_text(page):
    """The height on screen, in CSS pixels, of the smallest letters any chart draws."""
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.app-chart')].map(svg => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return Number(svg.getAttribute('font-size')) * scale;
        }))"""
    )


def assert_charts_read_well(visitor, expected):
    page = visitor.page
    charts = page.locator("svg.app-chart--bars")
    assert charts.count() == expected
    for index in range(expected):
        chart = charts.nth(index)
        # Named by its title and description, and followed by the table of the same figures.
        assert chart.get_attribute("role") == "img"
        assert chart.locator("title").count() == 1 and chart.locator("desc").count() == 1
        assert chart.locator("text.app-chart__value").first.text_content().endswith("%")
    assert page.locator(".app-result-figures table").count() >= expected
    assert smallest_chart_text(page) >= 12
    assert fits(page)


def test_a_leader_reads_each_questions_outcome_as_a_chart_and_a_table(visitor, demo):  # noqa: F811
    page = visitor.page
    first = Round.objects.get(status=Round.Status.APPLIED)
    sign_in(visitor, "leader@example.org")
    visitor.go(first.get_absolute_url())
    visitor.click(page.get_by_role("link", name="See the results").first)
    assert page.url.rstrip("/").endswith("/results")
    # Three questions, all voted on: two wordings and a new commitment.
    assert_charts_read_well(visitor, 3)
    assert page.get_by_text(re.compile("— chosen$")).count() == 3
    shot(visitor, "results-charts")

    reworded = first.results.filter(commitment__isnull=False).order_by("position").first()
    visitor.go(
        reverse("consultation:commitment", kwargs={"round_pk": first.pk, "pk": reworded.commitment_id})
    )
    assert "Votes at close" in page.content()
    assert_charts_read_well(visitor, 1)
    shot(visitor, "question-chart")
