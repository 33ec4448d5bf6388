"""The ticket list's search by a customer's name (``customers.selectors.customer_ids_by_name``):
on PostgreSQL an index of ``UPPER(name)`` with ``text_pattern_ops``, which serves both the
case-insensitive equality (``name__iexact``) and the prefix (``name__istartswith``: 张伟 finds
张伟明) whatever the database's collation — the default operator class serves ``LIKE 'x%'`` only
under the C collation.

PostgreSQL only, like the tickets' bigram index (tickets migration 0008): an operator class is not
SQLite's, and the model does not declare it (Django cannot express an expression index with an
operator class portably). Built ``CONCURRENTLY``: intake goes on creating customers meanwhile,
hence ``atomic = False``.
"""

from django.db import migrations

INDEX_SQL = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS customer_name_upper_idx ON customers_customer (UPPER(name::text) text_pattern_ops)"
)
DROP_SQL = "DROP INDEX CONCURRENTLY IF EXISTS customer_name_upper_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INDEX_SQL)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_SQL)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0005_customer_version_phone_tail")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
