"""Indexes for the triage's duplicate lookup (issue 20): open tickets of the same contact phone or
reported serial, by creation time. Built CONCURRENTLY on PostgreSQL (``AddIndexOnline``): intake
and every ticket update go on while they build; hence ``atomic = False``."""

from django.db import migrations, models

from aftersales.core.migration_ops import AddIndexOnline

# tickets.states.OPEN_STATUS_LIST when written (a migration must not follow later changes).
OPEN = [
    "analysing",
    "awaiting_approval",
    "awaiting_customer",
    "awaiting_info",
    "in_progress",
    "on_hold",
    "planning",
    "registered",
    "reopened",
    "verifying",
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0016_search_grams_normalised")]

    operations = [
        AddIndexOnline(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", OPEN), models.Q(("contact_phone", ""), _negated=True)),
                fields=["contact_phone", "created_at"],
                name="ticket_open_phone_idx",
            ),
        ),
        AddIndexOnline(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("status__in", OPEN), models.Q(("reported_serial", ""), _negated=True)),
                fields=["reported_serial", "created_at"],
                name="ticket_open_serial_idx",
            ),
        ),
    ]
