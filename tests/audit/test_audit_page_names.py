"""The audit trail names what was acted on as a person would, not by internal type and number."""

import pytest
from django.urls import reverse

from audit import services as audit
from tests.factories import published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def test_audit_trail_names_signatures_versions_and_rounds_in_words(staff, staff_client):
    version = published_version(staff=staff)
    organisation = OrganisationFactory(name="Riverside Hospitals")
    signature = SignatureFactory(version=version, organisation=organisation, full_name="Jane Smith")
    audit.record(action="confirm signature", target=signature)

    page = staff_client.get(reverse("audit:compact", kwargs={"slug": version.compact.slug})).content.decode()

    assert "The system confirmed the signature of Jane Smith for Riverside Hospitals" in page
    assert f"version {version.number} of “{version.compact.title}”" in page
    assert "signatories.signature" not in page and "compact.version" not in page


def test_an_erased_signatory_is_not_named(staff, staff_client):
    version = published_version(staff=staff)
    signature = SignatureFactory(version=version, organisation=None, full_name="")
    audit.record(action="confirm signature", target=signature)
    page = staff_client.get(reverse("audit:compact", kwargs={"slug": version.compact.slug})).content.decode()
    assert f"the signature of signatory {signature.pk}" in page


def test_the_trail_reads_as_sentences_naming_people_as_they_are_now(staff, staff_client):
    version = published_version(staff=staff)
    signature = SignatureFactory(
        version=version, organisation=OrganisationFactory(name="Riverside ICB"), full_name="Priya Shah"
    )
    signer = signature.signer
    audit.record(
        action="confirm signature",
        actor=signer,
        target=signature,
        before={"status": "pending"},
        after={"status": "awaiting_organisation"},
    )
    signer.full_name = "Priya Shah-Jones"  # renamed since: the trail names her as she is now
    signer.save()
    page = staff_client.get(reverse("audit:compact", kwargs={"slug": version.compact.slug})).content.decode()
    assert f"{signer.display_name} confirmed their signature for Riverside ICB" in page
    assert "Status:</dt> <dd>waiting for e-mail confirmation → awaiting its organisation" in page
    assert "awaiting_organisation" not in page and f"user {signer.pk}" not in page
