"""No migration may hold a big table locked for long on PostgreSQL (issue 21: migrations tested on
1,000,000 tickets for lock time).

Static, and fast: every migration of the apps that own the big tables is turned into the SQL that
PostgreSQL would run (``migrate``'s collect-SQL mode on a PostgreSQL schema editor that never
connects), and each statement on a big table is refused when it

* rewrites the table (``ALTER COLUMN … TYPE``, ``ADD COLUMN`` with a volatile default),
* scans it under a lock that stops writes (``SET NOT NULL``, a CHECK or FOREIGN KEY constraint
  added without ``NOT VALID``),
* builds an index without ``CONCURRENTLY`` (``CREATE INDEX``, a UNIQUE constraint): the SHARE
  lock stops every insert and update for the whole build.

A new index goes through ``core.migration_ops.AddIndexOnline`` (``atomic = False``). The
migrations that did such things before this test are listed in ``ALLOWED``: historical ones,
applied everywhere already (a fresh install runs them on empty tables), and one not yet released
whose owner is to move it to ``AddIndexOnline``. ``bench/migrations_lock.py`` measures what such a
statement costs on a loaded database (docs/benchmarks.md, "Migrations on 1 M tickets"); a new
entry needs a measurement like those, not a wish.

Not seen here: SQL run from inside ``RunPython`` (tickets 0008 builds its GIN index that way) and
``RunSQL``; review those by hand.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection, migrations
from django.db.backends.postgresql.base import DatabaseWrapper
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState
from psycopg.sql import quote

# The tables that grow with the tickets (one or more rows per ticket); their owning apps.
BIG_TABLES = {
    "tickets_ticket": "tickets",
    "tickets_ticketevent": "tickets",
    "tickets_attachment": "tickets",
    "sla_slaclock": "sla",
    "analytics_ticketfact": "analytics",
    "notifications_notification": "notifications",
    "audit_auditentry": "audit",
    "customers_customer": "customers",
}

# migration → the statements on a big table it was allowed to run, and what they cost
# (bench/migrations_lock.py; docs/benchmarks.md). Keys: "app.migration: table: kind".
ALLOWED: dict[str, str] = {
    # Historical: applied everywhere already; a fresh install runs them on empty tables.
    "tickets.0003_complaint_process: tickets_ticket: index": "FK index verified_by_id (historical)",
    "tickets.0007_search_grams_open_due_idx: tickets_ticket: index": "ticket_open_due_idx (historical)",
    "tickets.0009_ticket_due_idx: tickets_ticket: index": "ticket_due_idx (historical)",
    "tickets.0012_ticket_api_key: tickets_ticket: index": "ticket_api_key_idx (historical)",
    "notifications.0002_inbox: notifications_notification: index": "notification_inbox_idx (historical)",
    "customers.0004_customer_external_code: customers_customer: index": "customer_external_code_unique: partial (where set), so it is empty when built; the ADD COLUMN has a constant default (no rewrite) — 0.79 s ACCESS EXCLUSIVE at 20 k customers with the former extra full index, measured by bench/migrations_lock.py",
}

INDEX = re.compile(r'^CREATE (UNIQUE )?INDEX (?!CONCURRENTLY)"?(\w+)"? ON "(\w+)"', re.I)
TYPE_CHANGE = re.compile(r'^ALTER TABLE "(\w+)" ALTER COLUMN "\w+" TYPE', re.I)
ADD_COLUMN = re.compile(r'^ALTER TABLE "(\w+)" ADD COLUMN .* DEFAULT (?P<default>.+?)( NOT NULL| NULL)?(;|$)', re.I)
NOT_NULL = re.compile(r'^ALTER TABLE "(\w+)" ALTER COLUMN "\w+" SET NOT NULL', re.I)
CONSTRAINT = re.compile(r'^ALTER TABLE "(\w+)" ADD CONSTRAINT "\w+" (CHECK|FOREIGN KEY|UNIQUE)', re.I)
CREATE_TABLE = re.compile(r'^CREATE TABLE "(\w+)"', re.I)
# A default PostgreSQL can store in the catalogue (PostgreSQL 11+): no rewrite. Anything calling
# a function (random(), gen_random_uuid(), clock_timestamp(), nextval()) rewrites every row.
CONSTANT_DEFAULT = re.compile(r"^(NULL|true|false|-?\d+(\.\d+)?|'[^']*'(::\w+)?)$", re.I)


def _postgresql() -> DatabaseWrapper:
    """A PostgreSQL connection object that only writes SQL: it never connects."""
    settings = {**connection.settings_dict, "ENGINE": "django.db.backends.postgresql", "NAME": "never_connected", "OPTIONS": {}}
    pg = DatabaseWrapper(settings, alias="default")  # the alias only answers the routers
    # Parameters (a column's default) are quoted here instead of by a server connection.
    pg.ops.compose_sql = lambda sql, params: sql % tuple(quote(p) for p in params) if params else sql  # type: ignore[method-assign]
    return pg


def _findings(statement: str, created: set[str]) -> list[tuple[str, str]]:
    """(table, kind) for every lock hazard of one statement on a big table."""
    found = []
    if m := INDEX.match(statement):
        found.append((m.group(3), "index"))
    if m := TYPE_CHANGE.match(statement):
        found.append((m.group(1), "type"))
    if (m := ADD_COLUMN.match(statement)) and not CONSTANT_DEFAULT.match(m.group("default").strip()):
        found.append((m.group(1), "volatile default"))
    if m := NOT_NULL.match(statement):
        found.append((m.group(1), "set not null"))
    if (m := CONSTRAINT.match(statement)) and "NOT VALID" not in statement.upper():
        found.append((m.group(1), "constraint"))
    return [(table, kind) for table, kind in found if table in BIG_TABLES and table not in created]


def _table(state: ProjectState, app_label: str, model_name: str) -> str:
    model = state.models[app_label, model_name.lower()]
    return str(model.options.get("db_table") or f"{app_label}_{model.name_lower}")


def _touches_big_table(state: ProjectState, app_label: str, operation: Operation) -> bool:
    if isinstance(operation, migrations.SeparateDatabaseAndState):
        return any(_touches_big_table(state, app_label, op) for op in operation.database_operations)
    if isinstance(operation, (migrations.RunSQL, migrations.RunPython)):
        return False  # data only (RunSQL statements are not parsed; review them by hand)
    model_name = getattr(operation, "model_name", None) or getattr(operation, "name", None)
    if isinstance(operation, migrations.CreateModel) or not model_name:
        return False  # a new table is empty: nothing to lock for long
    return (app_label, str(model_name).lower()) in state.models and _table(state, app_label, model_name) in BIG_TABLES


def migration_sql() -> dict[str, list[str]]:
    """The PostgreSQL statements of the operations on a big table, per migration.

    The project state is carried forward unrendered (cheap); only a migration with an operation
    on a big table is turned into SQL, on a state rendered for it."""
    pg = _postgresql()
    loader = MigrationLoader(None, ignore_no_migrations=True)
    apps_of_interest = set(BIG_TABLES.values())
    plan: dict[tuple[str, str], None] = {}
    for leaf in loader.graph.leaf_nodes():
        plan.update(dict.fromkeys(loader.graph.forwards_plan(leaf)))
    state = ProjectState(real_apps=loader.unmigrated_apps)
    sql: dict[str, list[str]] = {}
    for key in plan:
        migration = loader.graph.nodes[key]
        if key[0] in apps_of_interest and any(_touches_big_table(state, key[0], op) for op in migration.operations):
            rendered = state.clone()
            with pg.schema_editor(collect_sql=True, atomic=False) as editor:
                migration.apply(rendered, editor, collect_sql=True)
            sql[f"{key[0]}.{key[1]}"] = [s for s in editor.collected_sql if not s.startswith("--")]
        state = migration.mutate_state(state, preserve=False)
    return sql


def hazards(sql: dict[str, list[str]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for label, statements in sql.items():
        created = {m.group(1) for s in statements if (m := CREATE_TABLE.match(s))}
        for statement in statements:
            for table, kind in _findings(statement, created):
                found.setdefault(f"{label}: {table}: {kind}", statement)
    return found


@pytest.fixture(scope="module")
def all_sql() -> dict[str, list[str]]:
    return migration_sql()


def test_no_migration_locks_a_big_table_for_long_unless_measured_and_allowed(all_sql):
    found = hazards(all_sql)
    new = {key: statement[:200] for key, statement in found.items() if key not in ALLOWED}
    assert not new, (
        "these migrations would lock a big table for the whole rewrite, scan or index build on PostgreSQL; "
        "build indexes with core.migration_ops.AddIndexOnline (atomic = False), add constraints NOT VALID "
        "and validate them separately, never change a column's type in place:\n"
        + "\n".join(f"{key}\n    {statement}" for key, statement in new.items())
    )
    stale = set(ALLOWED) - set(found)
    assert not stale, f"allowed but no longer found (remove them from ALLOWED): {sorted(stale)}"


def test_the_duplicate_lookup_indexes_are_built_concurrently(all_sql):
    statements = all_sql["tickets.0017_duplicate_lookup_indexes"]
    assert [s.split(" ON ")[0] for s in statements] == [
        'CREATE INDEX CONCURRENTLY "ticket_open_phone_idx"',
        'CREATE INDEX CONCURRENTLY "ticket_open_serial_idx"',
    ]


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ('CREATE INDEX "x_idx" ON "tickets_ticket" ("a");', [("tickets_ticket", "index")]),
        ('CREATE UNIQUE INDEX "x_idx" ON "tickets_ticketevent" ("a");', [("tickets_ticketevent", "index")]),
        ('CREATE INDEX CONCURRENTLY "x_idx" ON "tickets_ticket" ("a");', []),
        ('CREATE INDEX "x_idx" ON "tickets_ticketcategory" ("a");', []),  # a small table
        ('ALTER TABLE "tickets_ticket" ALTER COLUMN "title" TYPE varchar(300);', [("tickets_ticket", "type")]),
        ('ALTER TABLE "sla_slaclock" ADD COLUMN "n" integer DEFAULT 0 NOT NULL;', []),
        (
            'ALTER TABLE "sla_slaclock" ADD COLUMN "u" uuid DEFAULT (gen_random_uuid()) NOT NULL;',
            [("sla_slaclock", "volatile default")],
        ),
        ('ALTER TABLE "tickets_ticket" ALTER COLUMN "title" SET NOT NULL;', [("tickets_ticket", "set not null")]),
        ('ALTER TABLE "tickets_ticket" ADD CONSTRAINT "c" CHECK ("priority" > 0);', [("tickets_ticket", "constraint")]),
        ('ALTER TABLE "tickets_ticket" ADD CONSTRAINT "c" CHECK ("priority" > 0) NOT VALID;', []),
    ],
)
def test_the_check_recognises_each_hazard(statement, expected):
    assert _findings(statement, created=set()) == expected


def test_a_table_created_by_the_same_migration_is_not_a_hazard():
    assert _findings('CREATE INDEX "x_idx" ON "tickets_ticket" ("a");', created={"tickets_ticket"}) == []
