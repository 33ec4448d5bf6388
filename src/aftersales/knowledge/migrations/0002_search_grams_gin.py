"""On PostgreSQL, the GIN index of the articles' bigram column (``knowledge.selectors.search_q``:
``string_to_array(search_grams, ' ') @> ARRAY[…]``), as for tickets. SQLite has no GIN; the
search there is the ``LIKE`` alone."""

from django.db import migrations

GIN_SQL = (
    "CREATE INDEX IF NOT EXISTS knowledge_search_grams_gin ON knowledge_article USING gin ((string_to_array(search_grams, ' ')))"
)
DROP_SQL = "DROP INDEX IF EXISTS knowledge_search_grams_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
