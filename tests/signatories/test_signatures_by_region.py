"""The signatories page shows where the signatories are: a tile map of the NHS England regions
with the table it is drawn from, what has no region said under it, bars where no signature has a
region on the map, and a sentence where nobody has signed. The figures are the public counts;
the page stays cached and as cheap as before, and shows a change at once."""

import itertools

import pytest
from django.core.cache import caches
from django.urls import reverse
from lxml import html

from signatories import selectors, services
from signatories.models import Organisation
from tests.charts import bar_figures, chart_text, tile_figures
from tests.factories import published_version

from .factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db

Region = Organisation.Region
MAP = "signatures-by-region"


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def list_url(version, **query):
    url = reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def signed(version, count, **organisation):
    """`count` signatures for one organisation (or personal ones, with organisation=None)."""
    if organisation.get("organisation", "") is None:
        return SignatureFactory.create_batch(count, version=version, organisation=None)
    return SignatureFactory.create_batch(
        count, version=version, organisation=OrganisationFactory(**organisation)
    )


@pytest.fixture
def nation(version):
    """Signatures as they come: several regions, a national body, organisations with no region
    given and people signing personally; and some that do not count."""
    signed(version, 3, name="Barts Health NHS Trust", region=Region.LONDON)
    signed(
        version, 2, name="North Central London ICB — “Camden & Islington”", kind="icb", region=Region.LONDON
    )
    signed(version, 4, name="Birmingham & Solihull <Mental Health> NHS FT", region=Region.MIDLANDS)
    signed(version, 2, name="Leeds Teaching Hospitals", region=Region.NORTH_EAST_AND_YORKSHIRE)
    signed(version, 1, name="Royal Cornwall Hospitals ‘Treliske’", region=Region.SOUTH_WEST)
    signed(version, 2, name="NHS Confederation", kind="other", region=Region.NATIONAL)
    signed(version, 1, name="St Mary’s Hospice – Ulverston", kind="other", region="")
    signed(version, 2, organisation=None)
    SignatureFactory(
        version=version,
        organisation=OrganisationFactory(region=Region.EAST_OF_ENGLAND),
        status="pending",
        confirmed_at=None,
    )
    SignatureFactory(
        version=version,
        organisation=OrganisationFactory(region=Region.SOUTH_EAST),
        status="withdrawn",
        confirmed_at=None,
    )
    return version


def table_rows(page):
    table = html.fromstring(page).xpath('//table[caption[contains(., "Signatures by region")]]')[0]
    return [[cell.text_content() for cell in row.xpath("./th|./td")] for row in table.xpath(".//tbody/tr")]


def test_every_region_is_a_tile_carrying_the_count_of_signatures_from_it(client, nation):
    page = client.get(list_url(nation)).content.decode()
    assert sorted(tile_figures(page, MAP)) == [
        ("East of England", 0),  # its only signature is pending: it does not count
        ("London", 5),
        ("Midlands", 4),
        ("North East and Yorkshire", 2),
        ("North West", 0),
        ("South East", 0),  # withdrawn
        ("South West", 1),
    ]
    # Every figure drawn is the public count of its region, as the open data API gives it.
    counts = dict(selectors.public_counts(nation)["by_region"])
    for label, value in tile_figures(page, MAP):
        assert value == counts.get(label, 0)


def test_what_has_no_place_on_the_map_is_said_under_it_and_in_the_table(client, nation):
    page = client.get(list_url(nation)).content.decode()
    # Personal signatures and the hospice with no region given are one figure, not two.
    assert "<li>National: 2</li>" in page and "<li>No region given: 3</li>" in page
    assert table_rows(page) == [
        ["London", "5", "29%"],
        ["Midlands", "4", "24%"],
        ["North East and Yorkshire", "2", "12%"],
        ["South West", "1", "6%"],
        ["East of England", "0", "0%"],
        ["North West", "0", "0%"],
        ["South East", "0", "0%"],
        ["National", "2", "12%"],
        ["No region given", "3", "18%"],
    ]
    text = chart_text(page, MAP)
    assert "12 of 17 signatures are from organisations in a region" in text
    assert "Not on the map: National: 2; No region given: 3." in text


def test_the_open_data_counts_name_no_region_once(nation):
    labels = [label for label, _ in selectors.public_counts(nation)["by_region"]]
    assert labels.count("Region not given") == 1


def test_where_no_signature_has_a_region_on_the_map_the_page_draws_bars_instead(client, version):
    signed(version, 2, name="NHS Providers & “Partners”", kind="other", region=Region.NATIONAL)
    signed(version, 1, organisation=None)
    page = client.get(list_url(version)).content.decode()
    assert "there is no map to draw" in page
    assert bar_figures(page, MAP) == [("National", 2), ("No region given", 1)]
    assert 'class="app-chart__tile' not in page
    assert table_rows(page) == [["National", "2", "67%"], ["No region given", "1", "33%"]]


def test_with_no_signatures_the_page_says_so_and_draws_nothing(client, version):
    page = client.get(list_url(version)).content.decode()
    assert "No signatures yet, so there is nothing to show by region." in page
    assert "app-chart" not in page


def test_a_visitor_sees_the_map_change_as_soon_as_a_signature_is_withdrawn(client, nation):
    """The map is part of the cached page: a withdrawal raises the compact's generation, which
    picks a fresh copy, so the cached map is never served once its counts have changed."""
    first = client.get(list_url(nation))
    assert ("South West", 1) in tile_figures(first.content.decode(), MAP)
    again = client.get(list_url(nation), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    cornish = nation.signatures.get(organisation__region=Region.SOUTH_WEST)
    services.withdraw(actor=cornish.signer, signature=cornish, reason="Signed twice")
    after = client.get(list_url(nation), HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert ("South West", 0) in tile_figures(after.content.decode(), MAP)


# Counted on main before the map (issue 33), as the bench counts them: the compact's generation,
# the version, the number of signatures, the three aggregates of the counts (by kind, by region,
# organisations) and the page of signatures. The map is drawn from the counts the page already
# read, so the number does not change.
QUERIES = 7


def forget_every_copy():
    """Render afresh: the factories bypass the services that raise the generation, so a copy
    kept in this process (the `pages` alias) or the shared cache would be served otherwise."""
    for kept in caches.all(initialized_only=True):
        kept.clear()


@pytest.mark.parametrize("query", [{}, {"page": 2}])
def test_drawing_the_map_adds_no_query_and_the_count_stays_constant(
    client, version, django_assert_max_num_queries, query
):
    regions = [code for code, _ in Region.choices] + [""]
    made = itertools.count()

    def from_every_region(count):
        for _ in range(count):
            region = regions[next(made) % len(regions)]
            SignatureFactory(version=version, organisation=OrganisationFactory(region=region))

    from_every_region(10)
    client.get(list_url(version, **query))  # the worker learns the compact's slug once
    forget_every_copy()
    with django_assert_max_num_queries(QUERIES) as few:
        page = client.get(list_url(version, **query)).content.decode()
    assert len(tile_figures(page, MAP)) == 7
    from_every_region(90)
    forget_every_copy()
    with django_assert_max_num_queries(QUERIES) as many:
        page = client.get(list_url(version, **query)).content.decode()
    on_map = sum(1 for n in range(100) if regions[n % len(regions)] not in (Region.NATIONAL, ""))
    assert sum(value for _, value in tile_figures(page, MAP)) == on_map
    assert len(many.captured_queries) == len(few.captured_queries) == QUERIES
