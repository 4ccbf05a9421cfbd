"""While a PDF is prepared its page refreshes itself and says what is happening; a failed render
reads to staff as one sentence, with the exception folded away."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from compact import exports
from compact.models import PdfExport
from tests.factories import published_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(staff):
    return published_version(staff=staff)


def pdf_url(version):
    return reverse("compact:pdf", kwargs={"slug": version.compact.slug, "number": version.number})


def test_the_preparing_page_checks_again_by_itself_without_javascript(client, version):
    PdfExport.objects.filter(version=version).delete()
    exports.request_pdf(version=version)
    PdfExport.objects.filter(version=version).update(status=PdfExport.Status.PENDING)
    response = client.get(pdf_url(version))
    page = response.content.decode()
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "waiting its turn" in page and "Check again now" in page


def test_the_preparing_page_says_a_render_is_under_way_and_how_long_the_last_one_took(client, version):
    PdfExport.objects.filter(version=version).delete()
    finished = timezone.now() - timedelta(minutes=5)
    PdfExport.objects.create(
        version=version,
        status=PdfExport.Status.FAILED,
        started_at=finished - timedelta(seconds=42),
        finished_at=finished,
        error="boom",
    )
    PdfExport.objects.create(version=version, status=PdfExport.Status.RENDERING, started_at=timezone.now())
    page = client.get(pdf_url(version)).content.decode()
    assert "being laid out now" in page
    assert "The last PDF of this version took 42 seconds to prepare." in page


def test_once_ready_the_same_address_starts_the_download(client, version):
    exports.request_pdf(version=version)
    ready = exports.render_owed(version_id=version.pk)
    response = client.get(pdf_url(version))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "compact:pdf_file", kwargs={"token": ready.token, "filename": ready.filename}
    )


def test_staff_read_a_failed_render_as_a_sentence_with_the_details_folded(staff_client, version):
    PdfExport.objects.filter(version=version).delete()
    exports.request_pdf(version=version)
    PdfExport.objects.filter(version=version).update(attempts=5)
    exports.mark_failed(
        version_id=version.pk, error="Traceback (most recent call last):\nMemoryError: cannot allocate"
    )
    page = staff_client.get(version.compact.get_absolute_url()).content.decode()
    assert "The PDF ran out of memory after 5 attempts." in page
    summary_at, details_at = page.index("ran out of memory"), page.index("Details for the service team")
    assert summary_at < details_at < page.index("MemoryError: cannot allocate")
