"""The chargeback's index per responsible party and resolution day, built CONCURRENTLY on
PostgreSQL (``AddIndexOnline``) so the facts' refresh goes on while it builds; hence
``atomic = False``."""

from django.db import migrations, models

from aftersales.core.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("analytics", "0009_ticketfact_party_key")]

    operations = [
        AddIndexOnline(
            model_name="ticketfact",
            index=models.Index(fields=["party_key", "resolved_day"], name="an_fact_party_day_idx"),
        ),
    ]
