"""Staff print a copy of a ratified compact to be signed at a signing event: the compact, a page
of signature lines and the colophon. Only staff can ask for it, and the public PDF never gains
the signature page."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from compact import exports, services
from compact.models import PdfExport
from tests.factories import draft_version, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    version = published_version(staff=staff)
    SignatureFactory(
        version=version,
        organisation=OrganisationFactory(name="Harbourside NHS Trust"),
        full_name="Ada Lovelace",
        role="Chair",
    )
    SignatureFactory(version=version, organisation=None, full_name="Grace Hopper", role="Nurse")
    return version


def url(version):
    return reverse(
        "compact:staff_signing_pdf", kwargs={"slug": version.compact.slug, "number": version.number}
    )


def pages_of(content):
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(content)).pages]


def test_staff_download_a_copy_with_the_signature_page_from_the_version_page(staff_client, version):
    staff_page = staff_client.get(
        reverse("compact:staff_version", kwargs={"slug": version.compact.slug, "number": version.number})
    ).content.decode()
    assert f'href="{url(version)}"' in staff_page and "Download a copy for a signing event" in staff_page

    response = staff_client.get(url(version))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        "attachment" in response["Content-Disposition"] and "for-signing" in response["Content-Disposition"]
    )
    assert response["Cache-Control"] == "private, no-store"
    pages = pages_of(response.content)
    signature_pages = [page for page in pages if "Signature page" in page]
    assert len(signature_pages) == 1
    for line in ("Signed on behalf of", "Signature", "Name", "Role", "Date"):
        assert signature_pages[0].count(line) >= 3, line
    assert "About this copy" in pages[-1] and version.content_hash in pages[-1].replace(" ", "")
    # The signatories are counted, and the copy says where the list is, rather than listing them.
    text = " ".join(pages)
    assert "2 signatories signed version" in text and "does not list them" in text
    assert f"/compacts/{version.compact.slug}/versions/{version.number}/signatories/" in text.replace(" ", "")
    assert "Ada Lovelace" not in text and "Grace Hopper" not in text
    assert "this copy counts those confirmed" in text


def test_the_copy_for_signing_verifies_as_genuine(staff_client, client, version):
    content = staff_client.get(url(version)).content
    response = client.post(
        "/verify/", {"document": SimpleUploadedFile("signing.pdf", content, content_type="application/pdf")}
    )
    assert "This PDF is genuine" in response.content.decode()


def test_the_public_pdf_never_gains_the_signature_page(staff_client, client, version):
    staff_client.get(url(version))
    exports.request_pdf(version=version)  # as a confirmed signature does; the worker's render, in process
    exports.render_owed(version_id=version.pk)
    public = client.get(
        reverse("compact:pdf", kwargs={"slug": version.compact.slug, "number": version.number}), follow=True
    )
    assert public.status_code == 200 and public["Content-Type"] == "application/pdf"
    text = " ".join(pages_of(b"".join(public.streaming_content)))
    assert "Ada Lovelace" in text  # the public PDF lists the names ...
    assert "Signature page" not in text and "Signed on behalf of" not in text  # ... and has no signing lines
    # Nothing was stored for the staff copy: the one ready PDF is the public one.
    assert PdfExport.objects.ready().filter(version=version).count() == 1


def test_leaders_are_refused_and_visitors_sent_to_sign_in(leader_client, version, client):
    assert leader_client.get(url(version)).status_code == 403
    client.logout()
    response = client.get(url(version))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_a_draft_has_no_copy_for_signing(staff_client, staff):
    version = draft_version()
    assert staff_client.get(url(version)).status_code == 404
    page = staff_client.get(
        reverse("compact:staff_version", kwargs={"slug": version.compact.slug, "number": version.number})
    ).content.decode()
    assert "Download a copy for a signing event" not in page


def test_a_ratified_version_not_yet_published_can_be_printed_for_signing(staff_client, staff):
    version = draft_version()
    services.ratify(actor=staff, version=version)
    response = staff_client.get(url(version))
    assert response.status_code == 200
    assert any("Signature page" in page for page in pages_of(response.content))
