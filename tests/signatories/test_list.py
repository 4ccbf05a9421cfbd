"""The public list of signatories: content, counts, search, pages, exports and their cost."""

from datetime import timedelta

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.csv import neutralise
from signatories import services
from signatories.models import Organisation, Signature
from tests.factories import published_version

from .factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def list_url(version, **query):
    url = reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_list_shows_counts_by_kind_and_region(client, version):
    icb = OrganisationFactory(kind="icb", region="london")
    SignatureFactory.create_batch(2, version=version, organisation=icb)
    SignatureFactory(version=version, organisation=OrganisationFactory(kind="trust", region="midlands"))
    SignatureFactory(version=version, status="pending", confirmed_at=None)
    page = client.get(list_url(version)).content.decode()
    assert "Integrated care board: 2" in page and "NHS trust: 1" in page
    assert "London: 2" in page and "Midlands: 1" in page
    assert "3 signatories" in page


def test_search_finds_by_name_or_organisation(client, version):
    SignatureFactory(
        version=version, full_name="Mary Seacole", organisation=OrganisationFactory(name="Scutari Trust")
    )
    SignatureFactory(version=version, full_name="Florence Nightingale")
    assert "Mary Seacole" in client.get(list_url(version, q="scutari")).content.decode()
    page = client.get(list_url(version, q="seacole")).content.decode()
    assert "Mary Seacole" in page and "Florence Nightingale" not in page


def test_list_is_paginated(client, version):
    SignatureFactory.create_batch(55, version=version)
    page = client.get(list_url(version)).content.decode()
    assert "Page 1 of 2" in page
    assert client.get(list_url(version, page=2)).status_code == 200


@pytest.mark.parametrize("query", [{}, {"q": "Trust"}, {"page": 2}])
def test_list_queries_stay_constant_from_ten_to_a_hundred_signatures(
    client, version, django_assert_max_num_queries, query
):
    def signatures_with_own_organisations(count):
        # Each with its own organisation and region, so a lazy lookup per row would show.
        for region in [r for r, _ in Organisation.Region.choices] * (count // 8 + 1):
            if count == 0:
                return
            SignatureFactory(version=version, organisation=OrganisationFactory(region=region))
            count -= 1

    signatures_with_own_organisations(10)
    client.get(list_url(version, **query))  # the worker learns the compact's slug once
    # Every cache, not only the default: the `pages` alias keeps visitors' copies, and a copy
    # served from it would make both counts 1 and the test unable to fail.
    for alias in caches:
        caches[alias].clear()
    with django_assert_max_num_queries(12) as few:
        assert client.get(list_url(version, **query)).status_code == 200
    signatures_with_own_organisations(90)
    for alias in caches:  # the factory bypasses the services that bump the cached copy: render afresh
        caches[alias].clear()
    with django_assert_max_num_queries(12) as many:
        assert client.get(list_url(version, **query)).status_code == 200
    # Rendered, not served from a cache: a page of signatories takes more than the one query
    # that reads the compact's generation.
    assert len(few.captured_queries) > 1
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_visitor_gets_the_list_from_the_cache_and_a_confirmation_shows_at_once(
    client, version, django_assert_num_queries
):
    SignatureFactory.create_batch(3, version=version)
    first = client.get(list_url(version)).content.decode()
    with django_assert_num_queries(1):  # the compact's generation, which picks the cached copy
        assert client.get(list_url(version)).content.decode() == first
    pending = SignatureFactory(
        version=version, full_name="Just Confirmed", organisation=None, status=Signature.Status.PENDING
    )
    pending.token_hash, pending.token_expires_at = (
        services.hash_token(token="tok"),
        timezone.now() + timedelta(hours=1),
    )
    pending.save()
    services.confirm(token="tok")  # raises the generation itself: no commit hook needed
    assert "Just Confirmed" in client.get(list_url(version)).content.decode()


def test_only_plain_page_numbers_are_cached(client, version):
    """A walk through made-up page numbers renders each afresh instead of filling the cache."""
    SignatureFactory.create_batch(3, version=version)
    for page in ("abc", "99999999", "1;DROP"):
        client.get(list_url(version, page=page))
        with CaptureQueriesContext(connection) as rendered:
            assert client.get(list_url(version, page=page)).status_code == 200
        assert rendered.captured_queries, page


def test_compact_page_queries_stay_constant_from_ten_to_a_hundred_signatures(
    client, version, django_assert_max_num_queries
):
    SignatureFactory.create_batch(10, version=version)
    client.get(version.compact.get_absolute_url())  # the worker learns the compact's slug once
    cache.clear()
    with django_assert_max_num_queries(40) as few:
        client.get(version.compact.get_absolute_url())
    SignatureFactory.create_batch(90, version=version)
    cache.clear()  # measure the rendering, not the visitors' page cache
    with django_assert_max_num_queries(40) as many:
        client.get(version.compact.get_absolute_url())
    assert len(many.captured_queries) == len(few.captured_queries)


def test_public_csv_neutralises_formulas_and_shows_only_public(client, version):
    SignatureFactory(version=version, full_name='=HYPERLINK("http://evil")')
    SignatureFactory(version=version, full_name="Withdrawn Person", status="withdrawn")
    body = client.get(
        reverse("signatories:csv", kwargs={"slug": version.compact.slug, "number": version.number})
    ).content.decode()
    assert "'=HYPERLINK" in body and "Withdrawn Person" not in body


def test_staff_csv_has_every_signature_and_is_refused_to_leaders(client, staff, leader, version):
    SignatureFactory(version=version, full_name="Withdrawn Person", status="withdrawn")
    url = reverse(
        "signatories:staff_signatures_csv", kwargs={"slug": version.compact.slug, "number": version.number}
    )
    client.force_login(leader)
    assert client.get(url).status_code == 403
    client.force_login(staff)
    assert "Withdrawn Person" in client.get(url).content.decode()


def test_compact_page_shows_signatories_and_a_sign_button(client, version):
    SignatureFactory(version=version, full_name="Edith Cavell")
    page = client.get(version.compact.get_absolute_url()).content.decode()
    assert "Edith Cavell" in page and "Sign the compact" in page


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_csv_cells_that_a_spreadsheet_would_run_are_prefixed_with_a_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ada Lovelace", "O'Brien", "", None, 42, "a=b"])
def test_other_csv_cells_are_left_alone(cell):
    assert neutralise(cell) == ("" if cell is None else str(cell))


def test_every_public_csv_column_is_neutralised(client, version):
    SignatureFactory(
        version=version,
        full_name="-Ada",
        role="+Chair",
        organisation=OrganisationFactory(name="@Harbour Trust"),
    )
    body = client.get(
        reverse("signatories:csv", kwargs={"slug": version.compact.slug, "number": version.number})
    ).content.decode()
    assert "'-Ada,'+Chair,'@Harbour Trust" in body


def test_public_csv_has_no_email_addresses_but_staff_csv_does(client, staff, version):
    signature = SignatureFactory(version=version, full_name="=cmd")
    public = client.get(
        reverse("signatories:csv", kwargs={"slug": version.compact.slug, "number": version.number})
    ).content.decode()
    assert signature.signer.email not in public
    client.force_login(staff)
    everything = client.get(
        reverse(
            "signatories:staff_signatures_csv",
            kwargs={"slug": version.compact.slug, "number": version.number},
        )
    ).content.decode()
    assert signature.signer.email in everything and "'=cmd" in everything


def test_only_confirmed_signatures_show_or_count(client, version):
    SignatureFactory(version=version, full_name="Shown Person")
    for status, name in (
        ("pending", "Pending Person"),
        ("withdrawn", "Gone Person"),
        ("hidden", "Hid Person"),
    ):
        SignatureFactory(version=version, full_name=name, status=status, confirmed_at=None)
    page = client.get(list_url(version)).content.decode()
    assert "Shown Person" in page and "1 signatory" in page
    assert not any(name in page for name in ("Pending Person", "Gone Person", "Hid Person"))


def test_compact_page_summarises_and_links_to_the_list(client, version):
    SignatureFactory.create_batch(3, version=version)
    page = client.get(version.compact.get_absolute_url()).content.decode()
    assert "3 people have signed version 1" in page and list_url(version) in page


def test_search_by_organisation_keeps_the_query_in_page_links(client, version):
    organisation = OrganisationFactory(name="Scutari Trust")
    SignatureFactory.create_batch(55, version=version, organisation=organisation)
    page = client.get(list_url(version, q="Scutari")).content.decode()
    assert "55 signatories" in page and "q=Scutari&amp;page=2" in page
