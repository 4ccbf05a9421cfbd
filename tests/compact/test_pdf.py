"""The PDF is read back and checked for what a reader would look for."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from compact import exports, pdf
from compact.models import PdfExport
from compact.signals import signatures_changed
from signatories.models import Signature
from tests.factories import draft_version, published_version
from tests.signatories.factories import OrganisationFactory, SignatureFactory

pytestmark = pytest.mark.django_db


def text_of(content):
    reader = PdfReader(io.BytesIO(content))
    return reader, re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def test_pdf_carries_title_commitments_signatories_footer_and_fingerprint(version):
    trust = OrganisationFactory(name="Harbour NHS Trust")
    signatures = [SignatureFactory(version=version, organisation=trust) for _ in range(3)]
    signatures.append(SignatureFactory(version=version, organisation=None, full_name="Personal Signer"))
    reader, text = text_of(pdf.render(version))
    assert version.compact.title in text
    for commitment in version.commitments.all():
        assert commitment.text in text
    for signature in signatures:
        assert signature.full_name in text
    assert "Harbour NHS Trust" in text and "Signed personally" in text
    for page in reader.pages:
        assert f"Version {version.number} · Page" in page.extract_text()
    # The fingerprint is in the colophon on the last page, not on every page.
    assert version.content_hash[:12] in reader.pages[-1].extract_text()
    assert reader.metadata.title.startswith(version.compact.title)


def test_pdf_is_tagged_and_declares_its_language(version):
    reader = PdfReader(io.BytesIO(pdf.render(version)))
    root = reader.trailer["/Root"]
    assert root.get("/Lang") == "en-GB"
    assert "/StructTreeRoot" in root


def declared(content):
    """What the PDF's metadata says it is, read back as an archive or a checker would: pikepdf
    and pypdf each read the XMP."""
    import pikepdf

    with pikepdf.open(io.BytesIO(content)) as document:
        meta = document.open_metadata()
        found = {
            "title": meta.get("dc:title"),
            "pdfua": meta.get("{http://www.aiim.org/pdfua/ns/id/}part"),
            # PDF/UA asks for the language in the catalogue, where readers look for it.
            "language": str(document.Root.get("/Lang")),
        }
    xmp = PdfReader(io.BytesIO(content)).xmp_metadata
    assert xmp is not None, "the PDF has no XMP metadata"
    # ... and archives in the XMP, with the title.
    found["xmp_language"] = xmp.dc_language
    found["xmp_title"] = xmp.dc_title
    return found


def test_the_pdf_declares_in_its_metadata_its_title_language_and_pdf_ua(version):
    version.compact.title = "The “Lead & <Listen>” Compact — 2026–27"
    version.compact.save()
    found = declared(pdf.render(version))
    title = f"The “Lead & <Listen>” Compact — 2026–27 – version {version.number}"
    assert found["title"] == title
    assert found["xmp_title"] == {"x-default": title}
    assert found["language"] == "en-GB"
    assert found["xmp_language"] == ["en-GB"]
    assert found["pdfua"] == "1"


def test_a_draft_pdf_declares_its_language_too():
    found = declared(pdf.render(draft_version(), draft=True))
    assert found["language"] == "en-GB"
    assert found["xmp_language"] == ["en-GB"]
    assert found["pdfua"] == "1"


def test_a_pdf_rendered_in_parts_declares_the_same(version):
    SignatureFactory.create_batch(12, version=version)
    found = declared(pdf.render(version, part_size=5))
    assert found["title"] == f"{version.compact.title} – version {version.number}"
    assert found["pdfua"] == "1"
    assert found["language"] == "en-GB"
    assert found["xmp_language"] == ["en-GB"]


def test_withdrawn_and_pending_signatures_are_not_printed(version):
    SignatureFactory(version=version, full_name="Withdrawn Person", status="withdrawn")
    SignatureFactory(version=version, full_name="Pending Person", status="pending", confirmed_at=None)
    _, text = text_of(pdf.render(version))
    assert "Withdrawn Person" not in text and "Pending Person" not in text


def test_a_draft_pdf_is_watermarked(staff_client):
    version = draft_version()
    response = staff_client.get(
        reverse("compact:pdf", kwargs={"slug": version.compact.slug, "number": version.number})
    )
    assert response["Content-Type"] == "application/pdf"
    _, text = text_of(response.content)
    assert "DRAFT — not ratified" in text


def test_a_draft_pdf_is_for_staff_only(leader_client):
    version = draft_version()
    url = reverse("compact:pdf", kwargs={"slug": version.compact.slug, "number": version.number})
    assert leader_client.get(url).status_code == 404


def test_the_renderer_fetches_nothing_but_the_pdf_stylesheet():
    from compact import pdf_worker

    # What every render uses, in a part's worker or not: the files the Django process resolved.
    fetcher = pdf_worker.asset_fetcher(pdf.pdf_assets())
    for url in (
        "file:///etc/passwd",
        "file:///static/pdf/compact.css",
        "https://example.com/static/pdf/compact.css",
        "/media/private.pdf",
        "https://app.invalid/static/pdf/../../config/settings.py",
        "/static/../config/settings.py",
        "https://app.invalid/static/build/app.css",
    ):
        with pytest.raises(pdf_worker.AssetRefused):
            fetcher.fetch(url)
    assert fetcher.fetch("https://app.invalid/static/pdf/compact.css").read().startswith(b"/*")


def test_hostile_names_render_as_text_in_the_pdf(version):
    SignatureFactory(version=version, full_name='<img src="file:///etc/passwd">Eve')
    _, text = text_of(pdf.render(version))
    assert '<img src="file:///etc/passwd">Eve' in text


def test_publishing_renders_the_pdf_and_the_page_links_it(
    client, staff, settings, django_capture_on_commit_callbacks
):
    settings.PDF_COALESCE_SECONDS = 0
    with django_capture_on_commit_callbacks(execute=True):
        version = published_version(staff=staff)
    export = PdfExport.objects.get(version=version)
    assert export.status == PdfExport.Status.READY and export.file.name.endswith(".pdf")
    assert version.content_hash[:16] in export.file.name
    page = client.get(version.compact.get_absolute_url()).content.decode()
    download = reverse("compact:pdf_file", kwargs={"token": export.token, "filename": export.filename})
    assert download in page
    response = client.get(download)
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{export.filename}"' in response["Content-Disposition"]
    # No shared cache keeps a list of names that may be withdrawn; the browser asks again (a 304).
    assert response["Cache-Control"] == "private, no-cache" and response["ETag"]


def test_many_signature_changes_coalesce_into_one_render(
    version, monkeypatch, django_capture_on_commit_callbacks
):
    from compact import tasks

    enqueued = []
    monkeypatch.setattr(tasks.render_pdf, "apply_async", lambda args, **options: enqueued.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(1000):
            signatures_changed.send(sender=Signature, version=version)
    assert enqueued == [(version.pk,)]
    assert PdfExport.objects.filter(version=version, status="pending").count() == 1

    exports.render_owed(version_id=version.pk)  # the worker runs it once, for everything so far
    with django_capture_on_commit_callbacks(execute=True):
        signatures_changed.send(sender=Signature, version=version)
    assert len(enqueued) == 2  # a change after the render schedules the next one


def test_the_same_signatories_are_never_rendered_twice(version):
    exports.request_pdf(version=version)
    first = exports.render_owed(version_id=version.pk)
    exports.request_pdf(version=version)
    again = exports.render_owed(version_id=version.pk)
    assert again == first
    assert PdfExport.objects.filter(version=version).count() == 1


def test_while_a_new_pdf_is_prepared_the_page_offers_the_last_one_ready(client, version):
    exports.request_pdf(version=version)
    ready = exports.render_owed(version_id=version.pk)
    SignatureFactory(version=version)
    exports.request_pdf(version=version)
    page = client.get(version.compact.get_absolute_url()).content.decode()
    assert (
        "being prepared" in page
        and reverse("compact:pdf_file", kwargs={"token": ready.token, "filename": ready.filename}) in page
    )


def test_a_failed_render_is_shown_to_staff_with_a_retry_button(staff_client, version):
    exports.request_pdf(version=version)
    exports.mark_failed(version_id=version.pk, error="Out of memory")
    page = staff_client.get(version.compact.get_absolute_url()).content.decode()
    assert "Out of memory" in page and "Retry the PDF" in page
    staff_client.post(
        reverse("compact:pdf_retry", kwargs={"slug": version.compact.slug, "number": version.number})
    )
    assert PdfExport.objects.filter(version=version, status="pending").exists()


def test_the_reconciler_re_enqueues_owed_renders_the_broker_lost(version, monkeypatch):
    from datetime import timedelta

    from compact import tasks

    exports.request_pdf(version=version)
    PdfExport.objects.update(requested_at=PdfExport.objects.get().requested_at - timedelta(minutes=10))
    sent = []
    monkeypatch.setattr(tasks.render_pdf, "apply_async", lambda args, **options: sent.append(args))
    assert exports.reconcile() == 1 and sent == [(version.pk,)]


def test_a_signature_confirmed_while_the_pdf_renders_reaches_the_next_pdf(
    version, monkeypatch, django_capture_on_commit_callbacks
):
    from compact import tasks

    enqueued = []
    monkeypatch.setattr(tasks.render_pdf, "apply_async", lambda args, **options: enqueued.append(args))
    SignatureFactory(version=version, full_name="First Signer")
    exports.request_pdf(version=version)
    real_render = pdf.render

    def render_while_someone_signs(*args, **kwargs):
        monkeypatch.setattr(pdf, "render", real_render)
        with django_capture_on_commit_callbacks(execute=True):
            SignatureFactory(version=version, full_name="Second Signer")
            signatures_changed.send(sender=Signature, version=version)  # as a confirmation does
        return real_render(*args, **kwargs)

    monkeypatch.setattr(pdf, "render", render_while_someone_signs)
    first = exports.render_owed(version_id=version.pk)
    assert first.signatory_count == 1
    assert PdfExport.objects.filter(version=version, status="pending").exists()  # still owed
    assert enqueued == [(version.pk,)]  # and the change during the render sent the next one

    exports.render_owed(version_id=version.pk)  # the follow-up task (or the reconciler) renders what is owed
    ready, waiting, _failed = exports.current_pdf(version=version)
    assert ready.signatory_count == 2 and not waiting
    _, text = text_of(ready.file.read())
    assert "First Signer" in text and "Second Signer" in text
