"""Migration operations that keep a big table writable while they run (docs/operations.md,
"Migrations on big tables").

``AddIndexConcurrently`` of ``django.contrib.postgres`` builds an index without blocking writes,
but exists only on PostgreSQL: a migration that uses it fails on SQLite, which the product also
supports. ``AddIndexOnline`` is the same operation for both: ``CREATE INDEX CONCURRENTLY`` on
PostgreSQL (writes go on; only a SHARE UPDATE EXCLUSIVE lock, which conflicts with no insert,
update or delete), a plain ``CREATE INDEX`` elsewhere. For the migration state it is an
``AddIndex`` (the model's ``Meta.indexes`` names the index), so ``makemigrations --check`` stays
clean.

A migration with such an operation must declare ``atomic = False``: PostgreSQL refuses
``CONCURRENTLY`` inside a transaction. If the build fails half-way, PostgreSQL leaves an INVALID
index of that name; drop it (``DROP INDEX CONCURRENTLY name``) and migrate again.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


class AddIndexOnline(migrations.AddIndex):
    """``AddIndex`` that builds the index ``CONCURRENTLY`` on PostgreSQL (needs ``atomic = False``)."""

    atomic = False

    def describe(self) -> str:
        return f"Create index {self.index.name} on {self.model_name} (concurrently on PostgreSQL)"

    @staticmethod
    def _concurrently(schema_editor: Any) -> bool:
        if schema_editor.connection.vendor != "postgresql":
            return False
        if schema_editor.connection.in_atomic_block:
            raise ValueError(
                "AddIndexOnline builds the index CONCURRENTLY on PostgreSQL, which cannot run in a "
                "transaction: set atomic = False on the migration."
            )
        return True

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if self._concurrently(schema_editor):
                schema_editor.add_index(model, self.index, concurrently=True)
            else:
                schema_editor.add_index(model, self.index)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            if self._concurrently(schema_editor):
                schema_editor.remove_index(model, self.index, concurrently=True)
            else:
                schema_editor.remove_index(model, self.index)


class AddUniqueConstraintOnline(migrations.AddConstraint):
    """``AddConstraint`` of a conditional ``UniqueConstraint`` (a partial unique index) built
    ``CONCURRENTLY`` on PostgreSQL, as ``AddIndexOnline`` builds an index; a plain ``CREATE UNIQUE
    INDEX`` elsewhere. The migration needs ``atomic = False``. For the state it is an
    ``AddConstraint`` (the model's ``Meta.constraints`` names it)."""

    atomic = False
    constraint: Any  # set by ``AddConstraint.__init__`` (the stubs leave these untyped)
    model_name: str

    def describe(self) -> str:
        return f"Create unique index {self.constraint.name} on {self.model_name} (concurrently on PostgreSQL)"

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if not AddIndexOnline._concurrently(schema_editor):
            schema_editor.add_constraint(model, self.constraint)
            return
        if getattr(self.constraint, "condition", None) is None:
            raise ValueError("AddUniqueConstraintOnline builds a partial unique index: give the constraint a condition.")
        sql = str(self.constraint.create_sql(model, schema_editor))
        prefix = "CREATE UNIQUE INDEX "
        if not sql.startswith(prefix):
            raise ValueError(f"unexpected SQL for {self.constraint.name}: {sql}")
        schema_editor.execute(prefix + "CONCURRENTLY " + sql[len(prefix) :])
