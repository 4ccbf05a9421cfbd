"""PDF addresses carry a random token instead of the row id; existing rows get one each."""

import secrets

from django.db import migrations, models


def give_each_export_a_token(apps, schema_editor):
    PdfExport = apps.get_model("compact", "PdfExport")
    for export in PdfExport.objects.filter(token__isnull=True).only("pk"):
        PdfExport.objects.filter(pk=export.pk).update(token=secrets.token_urlsafe(16))


class Migration(migrations.Migration):
    dependencies = [("compact", "0006_one_pending_pdf_per_version")]

    operations = [
        migrations.AddField(
            model_name="pdfexport",
            name="token",
            field=models.CharField(max_length=32, null=True, editable=False),
        ),
        migrations.RunPython(give_each_export_a_token, migrations.RunPython.noop),
    ]
