"""The signatories page's map of regions and the reflections page's charts in Chromium (issue 33),
at 1280 and 375 px (and without JavaScript), each page checked with axe: every tile carries its
region and count in text a phone still shows at a readable size, nothing spills sideways, and the
small multiples sit two abreast on a wide screen and one under another on a phone.

Set BROWSER_SHOTS to a folder to keep full-page screenshots of each page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reflections.models import Reflection
from signatories.models import Organisation
from tests.browser.conftest import shot
from tests.factories import published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db(transaction=True)

Region = Organisation.Region
REGIONS = [
    ("Barts Health NHS Trust", Region.LONDON, 6),
    ("Birmingham & Solihull <Mental Health> NHS FT", Region.MIDLANDS, 4),
    ("Leeds Teaching Hospitals — “LTHT”", Region.NORTH_EAST_AND_YORKSHIRE, 3),
    ("Royal Cornwall Hospitals ‘Treliske’", Region.SOUTH_WEST, 1),
    ("Lancashire & South Cumbria ICB", Region.NORTH_WEST, 2),
    ("NHS Confederation", Region.NATIONAL, 2),
    ("St Mary’s Hospice – Ulverston", "", 1),
]


def shoot(visitor, name):
    shot(visitor.page, name, javascript=visitor.javascript)


@pytest.fixture
def scene(staff):
    version = published_version(staff=staff)
    for name, region, count in REGIONS:
        SignatureFactory.create_batch(
            count, version=version, organisation=OrganisationFactory(name=name, region=region)
        )
    SignatureFactory(version=version, organisation=None)
    author = SignatureFactory(version=version, organisation=None).signer
    commitments = list(version.commitments.order_by("theme__position", "position")[:3])
    now = timezone.now()
    for months_ago, kind, on, n in [
        (3, "celebrate", 0, 2),
        (2, "concern", 0, 3),
        (1, "concern", 1, 1),
        (1, "celebrate", 2, 4),
        (0, "concern", 0, 2),
        (0, "celebrate", None, 1),
    ]:
        for _ in range(n):
            made = Reflection.objects.create(
                compact=version.compact,
                version=version,
                commitment_key=commitments[on].key if on is not None else None,
                author=author,
                kind=kind,
                text="Protected time for learning slipped again – “winter pressures” & <rota gaps>.",
            )
            Reflection.objects.filter(pk=made.pk).update(created_at=now - timedelta(days=30 * months_ago))
    return version


def fits_the_width(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_signatories_page_maps_where_the_signatories_are(visitor, scene):
    visitor.go(reverse("signatories:list", kwargs={"slug": scene.compact.slug, "number": scene.number}))
    page = visitor.page
    svg = page.locator("svg.app-chart--tiles")
    assert svg.is_visible()
    tiles = page.locator("svg.app-chart--tiles g.app-chart__tile")
    assert tiles.count() == 7
    written = {tiles.nth(i).locator("text.app-chart__value").text_content() for i in range(7)}
    assert written == {"6", "4", "3", "2", "1", "0"}
    under_the_map = page.locator(".app-chart-off-map")
    assert under_the_map.get_by_text("No region given: 3").is_visible()
    assert under_the_map.get_by_text("National: 2").is_visible()
    # The drawing's 14-unit text is at least 11.5 px wherever it is shown, a phone included.
    box = svg.bounding_box()
    assert box["width"] * 14 / 400 >= 11.5
    assert fits_the_width(page)
    assert page.get_by_role("table", name="Signatures by region").is_visible()
    shoot(visitor, "signatories-map")


def test_the_reflections_page_shows_concerns_by_commitment_as_small_multiples(visitor, scene):
    visitor.go(reverse("reflections:page", kwargs={"slug": scene.compact.slug}))
    page = visitor.page
    assert page.locator("svg.app-chart--columns").first.is_visible()
    items = page.locator("li.app-small-multiples__item")
    assert items.count() == 4  # three commitments and the compact as a whole
    first, second = items.nth(0).bounding_box(), items.nth(1).bounding_box()
    if page.viewport_size["width"] >= 1000:
        assert first["y"] == second["y"] and first["x"] < second["x"]  # side by side
    else:
        assert first["x"] == second["x"] and first["y"] < second["y"]  # one under another
    assert items.nth(0).get_by_text("5 concerns, 2 celebrations").is_visible()
    assert fits_the_width(page)
    shoot(visitor, "reflections-charts")
