"""Organisations (signatories/services/organisations.py): found by ODS code or name rather than
duplicated, asked about when the two disagree, verified and unverified by staff, and marked on the
public list. Look-alike names have their own file (test_lookalike_names.py)."""

import pytest
from django.urls import reverse

from signatories import services
from signatories.models import Organisation
from tests.factories import published_version

from .factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def list_page(version):
    """As a visitor sees it (a fresh client, so no flash message repeats a name)."""
    from django.test import Client

    url = reverse("signatories:list", kwargs={"slug": version.compact.slug, "number": version.number})
    return Client().get(url).content.decode()


def test_an_existing_organisation_is_found_by_ods_code_or_name(version):
    existing = OrganisationFactory(name="Harbour NHS Trust", ods_code="RH1")
    assert services.find_organisation(ods_code="rh1") == existing
    assert services.find_or_create_organisation(name="harbour nhs trust", kind="trust") == existing
    # A name and a code that disagree are asked about, never silently filed under the code.
    with pytest.raises(services.OrganisationMismatch, match="RH1 is Harbour NHS Trust"):
        services.find_or_create_organisation(name="Something else", kind="trust", ods_code="rh1")
    assert Organisation.objects.count() == 1


def test_staff_verify_an_organisation(staff_client, staff):
    organisation = OrganisationFactory()
    staff_client.post(
        reverse("signatories:staff_organisations"), {"organisation": organisation.pk, "verified": "1"}
    )
    organisation.refresh_from_db()
    assert organisation.verified_by == staff


@pytest.mark.parametrize("name", ["staff_organisations"])
def test_staff_pages_refuse_leaders(leader_client, name):
    assert leader_client.get(reverse(f"signatories:{name}")).status_code == 403


def test_staff_list_organisations_and_verify_then_unverify_one(staff_client, staff):
    organisation = OrganisationFactory(name="Harbour NHS Trust", ods_code="RH1")
    page = staff_client.get(reverse("signatories:staff_organisations"), {"q": "rh1"}).content.decode()
    assert "Harbour NHS Trust" in page and "(RH1)" in page
    url = reverse("signatories:staff_organisations")
    staff_client.post(url, {"organisation": organisation.pk, "verified": "1"})
    organisation.refresh_from_db()
    assert organisation.verified_by == staff and organisation.verified_at is not None
    staff_client.post(url, {"organisation": organisation.pk, "verified": "0"})
    organisation.refresh_from_db()
    assert organisation.verified_at is None and organisation.verified_by is None


def test_leaders_cannot_verify_organisations(leader_client):
    organisation = OrganisationFactory()
    url = reverse("signatories:staff_organisations")
    assert leader_client.post(url, {"organisation": organisation.pk, "verified": "1"}).status_code == 403
    organisation.refresh_from_db()
    assert organisation.verified_at is None


def test_a_verified_organisation_is_marked_on_the_public_list(staff, version):
    organisation = OrganisationFactory()
    SignatureFactory(version=version, organisation=organisation)
    services.verify_organisation(actor=staff, organisation=organisation)
    assert "Verified" in list_page(version)
