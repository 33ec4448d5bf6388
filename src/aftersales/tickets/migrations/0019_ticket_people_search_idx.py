"""The ticket list's search by phone and serial number (``tickets.selectors.people``): tickets
whose own contact phone or reported serial is the one searched, in every status. The duplicate
lookup's indexes (0017) hold open tickets only; these hold every ticket with a value (partial:
not blank, so a ticket without one costs nothing). ``contact_phone = '+86…'`` implies the
predicate, so PostgreSQL uses them inside the search's bitmap OR.

PostgreSQL only and not declared on the model, like the bigram index (0008); built
``CONCURRENTLY`` (intake and updates go on meanwhile), hence ``atomic = False``.
"""

from django.db import migrations

INDEXES = {
    "ticket_contact_phone_idx": "ON tickets_ticket (contact_phone) WHERE contact_phone <> ''",
    "ticket_reported_serial_idx": "ON tickets_ticket (reported_serial) WHERE reported_serial <> ''",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, definition in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("tickets", "0018_saved_views")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
