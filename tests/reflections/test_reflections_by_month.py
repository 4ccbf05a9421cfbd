"""The reflections page charts celebrations and concerns by month: for the whole compact, and as
small multiples, one per commitment reflected on, on one scale and the most concerns first. The
figures drawn are the reflections the reader may read: one shown only to staff counts for staff
(and its author), never for a visitor."""

import uuid
from datetime import date, datetime, time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from lxml import html

from compact import services as compact_services
from compact.models import Commitment, Theme
from reflections import presenters
from reflections.models import Reflection
from reflections.selectors import MonthCount
from tests.charts import chart_text, column_figures
from tests.factories import draft_version
from tests.signatories.factories import SignatureFactory

pytestmark = pytest.mark.django_db

LISTEN = "We will listen to “staff voices” — & act on <concerns> within a month."
TIME = "We’ll protect time for learning – even in winter."


def month_back(months_ago):
    today = timezone.localdate()
    total = today.year * 12 + today.month - 1 - months_ago
    return date(total // 12, total % 12 + 1, 1)


@pytest.fixture
def version(staff):
    draft = draft_version(themes=2, commitments_per_cell=1)
    first, second, third, _ = draft.commitments.order_by("theme__position", "position")
    Theme.objects.filter(pk=first.theme_id).update(title="Listening & communicating")
    Commitment.objects.filter(pk=first.pk).update(text=LISTEN)
    Commitment.objects.filter(pk=second.pk).update(text=TIME)
    Commitment.objects.filter(pk=third.pk).update(text="We will say thank you, often.")
    compact_services.ratify(actor=staff, version=draft)
    return compact_services.publish(actor=staff, version=draft, note="First publication.")


def commitment(version, text):
    return version.commitments.get(text=text)


def reflect(version, author, kind, months_ago, on=None, visibility="named", n=1):
    when = timezone.make_aware(datetime.combine(month_back(months_ago).replace(day=15), time(12)))
    for _ in range(n):
        made = Reflection.objects.create(
            compact=version.compact,
            version=version,
            commitment_key=on.key if on else None,
            author=author,
            kind=kind,
            text=f"A {kind} from {months_ago} months ago",
            visibility=visibility,
        )
        Reflection.objects.filter(pk=made.pk).update(created_at=when)


@pytest.fixture
def author(version):
    return SignatureFactory(version=version).signer


@pytest.fixture
def reflected(version, author):
    listen, time_ = commitment(version, LISTEN), commitment(version, TIME)
    reflect(version, author, "concern", 2, on=listen, n=2)
    reflect(version, author, "concern", 0, on=listen, n=3)
    reflect(version, author, "celebrate", 1, on=listen)
    reflect(version, author, "celebrate", 2, on=time_, n=4)
    reflect(version, author, "concern", 1, on=time_)
    reflect(version, author, "celebrate", 0)  # on the compact as a whole
    return version


def page(client, version):
    return client.get(reverse("reflections:page", kwargs={"slug": version.compact.slug})).content.decode()


def labels(months_ago):
    return month_back(months_ago).strftime("%b %Y")


def figures(page_text, chart_id):
    return dict(column_figures(page_text, chart_id))


def tallest_column(tree, chart_id):
    svg = tree.xpath(f'//svg[.//title[@id="{chart_id}-title"]]')[0]
    return max(float(h) for h in svg.xpath('.//rect[contains(@class, "app-chart__column")]/@height'))


def test_the_month_chart_counts_each_kind_in_each_month(client, reflected):
    drawn = figures(page(client, reflected), "reflections-by-month")
    assert drawn == {
        f"{labels(2)}: 4 reflections (Celebrations)": 4,
        f"{labels(1)}: 1 reflection (Celebrations)": 1,
        f"{labels(0)}: 1 reflection (Celebrations)": 1,
        f"{labels(2)}: 2 reflections (Concerns)": 2,
        f"{labels(1)}: 1 reflection (Concerns)": 1,
        f"{labels(0)}: 3 reflections (Concerns)": 3,
    }


def test_each_commitment_reflected_on_has_a_chart_the_most_concerns_first_on_one_scale(client, reflected):
    text = page(client, reflected)
    tree = html.fromstring(text)
    headings = [h.text_content() for h in tree.xpath('//li[@class="app-small-multiples__item"]/h3')]
    assert headings == [f"“{LISTEN}”", f"“{TIME}”", "The compact as a whole"]
    themes = [p.text_content() for p in tree.xpath('//p[contains(@class, "app-small-multiples__theme")]')]
    assert themes[0] == "Listening & communicating"
    listen = [value for _, value in column_figures(text, "reflections-by-month-1")]
    assert listen == [0, 1, 0, 2, 0, 3]  # celebrations, then concerns, oldest month first
    time_ = [value for _, value in column_figures(text, "reflections-by-month-2")]
    assert time_ == [4, 0, 0, 0, 1, 0]
    whole = [value for _, value in column_figures(text, "reflections-by-month-3")]
    assert whole == [0, 0, 1, 0, 0, 0]
    # One scale: the four celebrations on "time" are the top of every chart, so the three
    # concerns on "listen" stand three quarters as tall as they do, not full height.
    for n in (1, 2, 3):
        assert "Top of the scale all these charts share: 4" in chart_text(text, f"reflections-by-month-{n}")
    assert text.count('<ul class="app-chart-legend">') == 1  # the month chart's, shared by all
    assert tallest_column(tree, "reflections-by-month-1") == pytest.approx(
        0.75 * tallest_column(tree, "reflections-by-month-2")
    )
    assert (
        "5 concerns, 1 celebration"
        in tree.xpath('//li[@class="app-small-multiples__item"]')[0].text_content()
    )


def test_a_commitments_text_is_escaped_once_in_its_heading_and_its_chart(client, reflected):
    text = page(client, reflected)
    assert "&lt;concerns&gt;" in text and "<concerns>" not in text and "&amp;amp;" not in text
    assert f"Reflections by month on “{LISTEN}”" in chart_text(text, "reflections-by-month-1")


def test_reflections_shown_only_to_staff_are_not_counted_for_visitors(client, staff, reflected, author):
    listen = commitment(reflected, LISTEN)
    reflect(reflected, author, "concern", 0, on=listen, visibility="staff", n=5)
    visitor = page(client, reflected)
    assert figures(visitor, "reflections-by-month")[f"{labels(0)}: 3 reflections (Concerns)"] == 3
    assert "those shown only to academy staff are not counted" in visitor
    client.force_login(staff)
    for_staff = page(client, reflected)
    assert figures(for_staff, "reflections-by-month")[f"{labels(0)}: 8 reflections (Concerns)"] == 8
    assert (
        "10 concerns, 1 celebration"
        in html.fromstring(for_staff).xpath('//li[@class="app-small-multiples__item"]')[0].text_content()
    )
    client.force_login(author)  # the author reads their own, so their chart counts them
    assert (
        figures(page(client, reflected), "reflections-by-month")[f"{labels(0)}: 8 reflections (Concerns)"]
        == 8
    )


def test_a_commitment_with_only_staff_only_reflections_has_no_chart_for_a_visitor(
    client, staff, version, author
):
    reflect(version, author, "concern", 0, on=commitment(version, TIME), visibility="staff")
    visitor = page(client, version)
    assert "app-chart" not in visitor and TIME not in visitor
    client.force_login(staff)
    assert f"“{TIME}”" in page(client, version)


def test_with_no_reflections_there_is_no_chart(client, version):
    assert "app-chart" not in page(client, version) and "No reflections yet." in page(client, version)


def test_the_charts_cover_the_last_two_years_at_most_across_a_new_year():
    key = uuid.uuid4()  # a commitment since removed from the compact
    counts = [
        MonthCount(date(2023, 5, 1), key, "concern", 9),
        MonthCount(date(2024, 12, 1), key, "concern", 2),
        MonthCount(date(2025, 1, 1), None, "celebrate", 1),
    ]
    health = presenters.health(counts=counts, commitments=[], today=date(2026, 3, 14))
    assert health.first_month == date(2024, 4, 1)
    assert health.overall.period_labels[0] == "Apr 2024" and health.overall.period_labels[-1] == "Mar 2026"
    assert len(health.overall.periods) == presenters.MONTHS_SHOWN
    by_month = dict(zip(health.overall.period_labels, health.overall.series[1].values, strict=True))
    assert by_month["Dec 2024"] == 2 and sum(health.overall.series[1].values) == 2  # May 2023 is older
    assert [m.heading for m in health.by_commitment] == [presenters.GONE, presenters.WHOLE]


def test_every_chart_on_the_page_comes_from_one_query(client, reflected):
    with CaptureQueriesContext(connection) as queries:
        page(client, reflected)
    grouped = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(grouped) == 1
