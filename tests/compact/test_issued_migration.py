"""The migration that began keeping the digest of every PDF issued records the PDFs already
stored, so a copy downloaded before it still checks as one of ours."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from compact import exports
from compact.models import IssuedPdf, PdfExport
from tests.factories import StaffFactory, published_version

BEFORE = [("compact", "0012_vision_heading_party_note_and_closing_optional_section_heading")]


@pytest.mark.django_db(transaction=True)
def test_the_pdfs_already_stored_are_recorded_as_issued(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.VERIFY_READ_SECONDS = 60
    version = published_version(staff=StaffFactory())
    exports.request_pdf(version=version)
    exports.render_owed(version_id=version.pk)  # unless the task, run at once on commit, did
    export, _waiting, _failed = exports.current_pdf(version=version)
    content = export.file.read()
    # A ready row whose file has gone from the store: nothing to read, nothing recorded.
    lost = PdfExport.objects.create(version=version, status="failed", file="compacts/pdf/lost.pdf")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("compact", "PdfExport").objects.filter(pk=lost.pk).update(status="ready")
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    (record,) = IssuedPdf.objects.all()
    assert record.sha256 == hashlib.sha256(content).hexdigest()
    assert record.version_id == version.pk and record.kind == "public"
    assert record.issued_at == export.finished_at and record.size == len(content)
    response = client.post(
        "/verify/", {"document": SimpleUploadedFile("compact.pdf", content, content_type="application/pdf")}
    )
    assert "This PDF is genuine" in response.content.decode()
