"""The PDF is rendered by a real Celery worker on Redis, and survives a worker killed mid-render."""

import io
import os
import re
import signal

import pytest
from pypdf import PdfReader

from compact import exports
from compact.models import PdfExport
from tests.factories import StaffFactory, published_version
from tests.signatories.factories import SignatureFactory

from .worker import celery_worker, children_of, wait_for

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.PDF_COALESCE_SECONDS = 0
    return tmp_path


def ready_export(version):
    return PdfExport.objects.filter(version=version, status=PdfExport.Status.READY).first()


def test_a_real_worker_renders_the_pdf_with_its_signatories(media):
    version = published_version(staff=StaffFactory())
    signature = SignatureFactory(version=version, full_name="Worker Rendered")
    with celery_worker(media):
        exports.request_pdf(version=version)
        export = wait_for(lambda: ready_export(version))
    with open(media / export.file.name, "rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert signature.full_name in text


def test_a_real_worker_renders_a_long_list_in_parts_in_processes_of_its_own(media):
    # A Celery prefork child is itself a pool process: the parts' processes must start from it.
    version = published_version(staff=StaffFactory())
    names = [f"Parted Signer {number:02d}" for number in range(12)]
    for name in names:
        SignatureFactory(version=version, full_name=name)
    with celery_worker(media, PDF_SIGNATORIES_PER_PART=5) as worker:
        exports.request_pdf(version=version)
        export = wait_for(lambda: ready_export(version), timeout=120)
        assert worker.poll() is None
    with open(media / export.file.name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert all(text.count(name) == 1 for name in names)
    total = len(reader.pages)
    assert all(
        f"Page {n} of {total}" in (page.extract_text() or "") for n, page in enumerate(reader.pages, 1)
    )


def test_a_worker_killed_mid_render_does_not_lose_the_job(media):
    version = published_version(staff=StaffFactory())
    SignatureFactory(version=version)
    with celery_worker(media, PDF_RENDER_DELAY_SECONDS=6) as worker:
        exports.request_pdf(version=version)
        wait_for(
            lambda: PdfExport.objects.filter(version=version, status=PdfExport.Status.RENDERING).exists()
        )
        (child,) = wait_for(lambda: children_of(worker.pid))
        os.kill(child, signal.SIGKILL)  # the pool process dies with the message unacknowledged
        export = wait_for(lambda: ready_export(version), timeout=120)
    assert export.attempts == 2
    assert PdfExport.objects.filter(version=version).count() == 1
    assert [p.name for p in media.rglob("*.pdf")] == [os.path.basename(export.file.name)]


def test_a_rolled_back_transaction_enqueues_nothing(media):
    from django.db import transaction

    from compact.signals import signatures_changed
    from signatories.models import Signature

    with celery_worker(media):
        version = published_version(staff=StaffFactory())
        first = wait_for(lambda: ready_export(version))  # the publication's own render
        try:
            with transaction.atomic():
                SignatureFactory(version=version)
                signatures_changed.send(sender=Signature, version=version)
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert list(PdfExport.objects.filter(version=version)) == [first]
        SignatureFactory(version=version)
        signatures_changed.send(sender=Signature, version=version)  # committed: renders
        second = wait_for(
            lambda: PdfExport.objects.filter(version=version, status="ready").exclude(pk=first.pk).first()
        )
    # The new PDF replaced the first one, whose file is deleted.
    assert list(PdfExport.objects.filter(version=version)) == [second]
    assert [p.name for p in media.rglob("*.pdf")] == [os.path.basename(second.file.name)]


def test_a_failing_render_retries_with_backoff_then_shows_as_failed_to_staff(media, client):
    # A real fault, not a mock: the storage folder is a file, so every save fails with an OSError.
    blocked = media / "not-a-folder"
    blocked.write_text("the storage expects a folder here")
    staff = StaffFactory()
    version = published_version(staff=staff)
    with celery_worker(blocked, PDF_RETRY_BASE_SECONDS=1) as worker:
        exports.request_pdf(version=version)
        failed = wait_for(
            lambda: PdfExport.objects.filter(version=version, status=PdfExport.Status.FAILED).first(),
            timeout=120,
        )
    assert failed.attempts == 5  # the first try and four retries
    assert "not-a-folder" in failed.error
    waits = [int(seconds) for seconds in re.findall(r"Retry in (\d+)s", worker.output)]
    assert waits == [1, 2, 4, 8]  # backing off, doubling each time
    client.force_login(staff)
    page = client.get(f"/compacts/{version.compact.slug}/").content.decode()
    # One sentence for staff, the exception folded away under "details".
    assert "The PDF could not be prepared after 5 attempts." in page and "Retry the PDF" in page
    assert page.index("Details for the service team") < page.index("not-a-folder")
