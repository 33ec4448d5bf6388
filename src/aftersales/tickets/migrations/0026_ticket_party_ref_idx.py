"""The index of the tickets that name a responsible party (the list's party filter, the register's
PROTECT check): partial, built CONCURRENTLY on PostgreSQL (``AddIndexOnline``) so intake and
every ticket update go on while it builds; hence ``atomic = False``."""

from django.db import migrations, models

from aftersales.core.migration_ops import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0025_solution_promise")]

    operations = [
        AddIndexOnline(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("responsible_party_ref__isnull", False)),
                fields=["responsible_party_ref"],
                name="ticket_party_ref_idx",
            ),
        ),
    ]
