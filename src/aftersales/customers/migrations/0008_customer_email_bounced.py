"""The customer's e-mail address marked bouncing (docs/customers.md, "E-mail bounced"): two columns
added without a stored default (no table rewrite on PostgreSQL; tests/infra/test_migration_locks.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0007_phone_check_phone_reuse_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="email_bounce_reason",
            field=models.CharField(blank=True, max_length=255, verbose_name="e-mail bounce reason"),
        ),
        migrations.AddField(
            model_name="customer",
            name="email_bounced_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="e-mail bounced at"),
        ),
    ]
