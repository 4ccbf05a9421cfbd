"""A PDF render in progress is never claimed by another worker or the reconciler, however long it
has run, and a render done again (after a worker died) leaves no orphaned file behind."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile

from compact import exports
from compact.models import PdfExport
from tests.factories import StaffFactory, published_version
from tests.signatories.factories import SignatureFactory

from .worker import celery_worker, wait_for


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.PDF_COALESCE_SECONDS = 0
    return tmp_path


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_render_still_running_is_never_claimed_by_a_second_task_or_the_reconciler(media):
    version = published_version(staff=StaffFactory())
    SignatureFactory(version=version)
    with celery_worker(media, PDF_RENDER_DELAY_SECONDS=6):
        exports.request_pdf(version=version)
        wait_for(
            lambda: PdfExport.objects.filter(version=version, status=PdfExport.Status.RENDERING).exists()
        )
        # Another worker's task for the same version (a duplicate message, say): it finds the
        # render held and takes nothing, even though the row looks claimable.
        assert exports.render_owed(version_id=version.pk) is None
        exports.reconcile(older_than=timedelta(0))  # the render looks "stale" to an age rule
        export = wait_for(
            lambda: PdfExport.objects.filter(version=version, status=PdfExport.Status.READY).first(),
            timeout=120,
        )
    assert export.attempts == 1
    assert len(list(media.rglob("*.pdf"))) == 1


@pytest.mark.django_db
def test_a_render_done_again_after_its_worker_died_leaves_no_orphaned_file(media):
    version = published_version(staff=StaffFactory())
    exports.request_pdf(version=version)
    owed = exports._take_owed(version.pk)  # a worker claims the render, writes its file, and dies
    name = f"{version.compact.slug[:30]}-v{version.number}-{version.content_hash[:16]}-{owed.token}.pdf"
    owed.file.storage.save(owed.file.field.generate_filename(owed, name), ContentFile(b"%PDF half"))

    export = exports.render_owed(version_id=version.pk)  # the reconciler's task takes it again

    assert export.status == PdfExport.Status.READY and export.attempts == 2
    files = list(media.rglob("*.pdf"))
    assert [f.name for f in files] == [name]
    assert files[0].read_bytes() != b"%PDF half"
