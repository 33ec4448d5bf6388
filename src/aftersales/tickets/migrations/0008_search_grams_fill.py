"""Fill ``search_grams`` of existing tickets and, on PostgreSQL, create its GIN index.

The GIN expression index lives only on PostgreSQL (SQLite has no GIN; the search falls back to
LIKE there), so it is created here in SQL rather than declared on the model.
"""

from django.db import migrations

GIN_SQL = "CREATE INDEX IF NOT EXISTS ticket_search_grams_gin ON tickets_ticket USING gin ((string_to_array(search_grams, ' ')))"
DROP_SQL = "DROP INDEX IF EXISTS ticket_search_grams_gin"


def fill(apps, schema_editor):
    from aftersales.tickets.search import search_grams_for

    Ticket = apps.get_model("tickets", "Ticket")
    last = 0
    while True:
        batch = list(
            Ticket.objects.filter(pk__gt=last, search_grams="").order_by("pk").values_list("pk", "title", "description")[:2000]
        )
        if not batch:
            break
        objs = [Ticket(pk=pk, search_grams=search_grams_for(t, d)) for pk, t, d in batch]
        Ticket.objects.bulk_update(objs, ["search_grams"], batch_size=500)
        last = batch[-1][0]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN_SQL)


def unfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_search_grams_open_due_idx")]

    operations = [migrations.RunPython(fill, unfill)]
