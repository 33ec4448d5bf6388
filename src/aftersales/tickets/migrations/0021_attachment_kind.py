"""What an attachment is (``Attachment.kind``: photo, invoice, purchase_proof, other). A constant
database default ("other"): PostgreSQL adds the column without rewriting the table (11+); the
files registered before it get their kind in 0022."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0020_plan_assessment"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="kind",
            field=models.CharField(
                choices=[
                    ("photo", "Photo or video"),
                    ("invoice", "Invoice"),
                    ("purchase_proof", "Proof of purchase"),
                    ("other", "Other file"),
                ],
                db_default="other",
                default="other",
                max_length=16,
                verbose_name="kind",
            ),
        ),
    ]
