"""The public PDFs already stored were issued before their digests were kept: record them, so
/verify/ knows a copy downloaded before this release as one of ours. A file the store no longer has
is skipped (its row is the only trace, and the row cannot vouch for bytes it cannot read)."""

import hashlib

from django.db import migrations


def record_stored_pdfs(apps, schema_editor):
    PdfExport = apps.get_model("compact", "PdfExport")
    IssuedPdf = apps.get_model("compact", "IssuedPdf")
    for export in PdfExport.objects.filter(status="ready").exclude(file="").order_by("id").iterator():
        digest = hashlib.sha256()
        try:
            with export.file.storage.open(export.file.name, "rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):  # noqa: B023 - read at once
                    digest.update(chunk)
        except FileNotFoundError:
            continue
        IssuedPdf.objects.get_or_create(
            sha256=digest.hexdigest(),
            defaults={
                "version_id": export.version_id,
                "kind": "public",
                "size": export.size,
                "signatory_count": export.signatory_count,
                "issued_at": export.finished_at or export.requested_at,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("compact", "0013_issued_pdfs"),
    ]

    operations = [
        # Backwards, the table goes with 0013: nothing to undo here.
        migrations.RunPython(record_stored_pdfs, migrations.RunPython.noop),
    ]
