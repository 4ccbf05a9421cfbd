"""The audit trail names what was acted on as a person would, not by internal type and number."""

import pytest
from django.urls import reverse

import audit
from tests.factories import published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_audit_trail_names_signatures_versions_and_rounds_in_words(staff, staff_client):
    version = published_version(staff=staff)
    organisation = OrganisationFactory(name="Riverside Hospitals")
    signature = SignatureFactory(version=version, organisation=organisation, full_name="Jane Smith")
    audit.record(action="confirm signature", target=signature)

    page = staff_client.get(reverse("audit:compact", kwargs={"slug": version.compact.slug})).content.decode()

    assert "Signature of Jane Smith (Riverside Hospitals)" in page
    assert f"Version {version.number} of “{version.compact.title}”" in page
    assert "signatories.signature" not in page and "compact.version" not in page


def test_an_erased_signatory_is_not_named(staff, staff_client):
    version = published_version(staff=staff)
    signature = SignatureFactory(version=version, organisation=None, full_name="")
    audit.record(action="confirm signature", target=signature)
    page = staff_client.get(reverse("audit:compact", kwargs={"slug": version.compact.slug})).content.decode()
    assert f"Signature of Signatory {signature.pk}" in page
