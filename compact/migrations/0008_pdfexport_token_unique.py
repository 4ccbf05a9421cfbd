import django.db.models

import compact.models
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("compact", "0007_pdfexport_token")]

    operations = [
        migrations.AlterField(
            model_name="pdfexport",
            name="token",
            field=django.db.models.CharField(
                default=compact.models.new_pdf_token, editable=False, max_length=32, unique=True
            ),
        ),
    ]
