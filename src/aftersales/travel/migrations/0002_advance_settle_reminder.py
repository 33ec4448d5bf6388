"""Cash advances overdue for settlement (docs/travel.md): when the technician and finance were last
reminded (``CashAdvance.settle_reminded_at``), so that the daily job reminds once per period.
Schema only; reversible."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("travel", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="cashadvance",
            name="settle_reminded_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="settlement reminded at"),
        ),
    ]
