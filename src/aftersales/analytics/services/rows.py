"""Rewriting a rollup's rows only where they differ, so a refresh that changed nothing writes
nothing and says so (``RefreshState.data_version`` moves only on a change)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet

CENT = Decimal("0.01")


def _value(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, default=str)
    if isinstance(value, Decimal):
        return value.quantize(CENT)  # as stored (every amount of the rollups has two decimals)
    return value


def _fingerprint(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row's values, comparable with those read back (JSON as sorted text; ``Decimal`` and
    ``int`` compare and hash by value)."""
    return tuple(_value(v) for v in values)


def replace_rows(
    old: QuerySet[Any], new: list[Any], *, batch_size: int = 1000, differing: list[dict[str, Any]] | None = None
) -> int:
    """Replace the rows of ``old`` with ``new`` (unsaved instances of its model) unless they
    already hold exactly those values; returns how many rows changed (deleted plus inserted), 0
    when nothing was written — what moves ``RefreshState.data_version``. ``differing`` receives
    the values (by field name) of the rows that are not in both, old and new."""
    model: type[Model] = old.model
    fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    before = Counter(_fingerprint(values) for values in old.order_by().values_list(*fields))
    after = Counter(_fingerprint(tuple(getattr(row, name) for name in fields)) for row in new)
    if before == after:
        return 0
    if differing is not None:
        differing.extend(dict(zip(fields, values, strict=True)) for values in (before - after) + (after - before))
    deleted, _by_model = old.delete()
    model._default_manager.bulk_create(new, batch_size=batch_size)
    return deleted + len(new)
