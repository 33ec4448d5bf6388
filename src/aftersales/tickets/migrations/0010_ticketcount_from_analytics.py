"""TicketCount moves from the analytics app to tickets (issue 13: the ticket list's total reads
it, and tickets may not import analytics). Only Django's model state changes: the table keeps
its name, ``analytics_ticketcount``, and its rows."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("tickets", "0009_ticket_due_idx"), ("analytics", "0002_fill_counts")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="TicketCount",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("status", models.CharField(max_length=24, verbose_name="status")),
                        ("category_key", models.PositiveIntegerField(default=0, verbose_name="category")),
                        ("region_key", models.PositiveIntegerField(default=0, verbose_name="region")),
                        ("slot", models.PositiveSmallIntegerField(default=0)),
                        ("n", models.BigIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "ticket count",
                        "verbose_name_plural": "ticket counts",
                        "db_table": "analytics_ticketcount",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("status", "category_key", "region_key", "slot"), name="ticket_count_key_unique"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
