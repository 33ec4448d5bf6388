"""One model row by one key column, with the statement compiled once per process.

Every signed-in page reads its session row and its user row before it does anything else. The
ORM compiles those two statements anew for every request: about 0.15 ms of Python each, more
than PostgreSQL needs to answer them. ``RowByKey`` asks the ORM for the statement once (so it
is exactly what ``Model.objects.filter(key=…)`` would run, every concrete field, the same
quoting and the backend's converters) and then only executes it.

Only for keys whose values need no adaptation by their field (integers and text): the value is
passed to the database as it is.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from django.db import connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)

_SAMPLE = "__precompiled__"


class RowByKey(Generic[M]):
    """``model``'s row whose ``field`` equals a value (a unique field), or None."""

    def __init__(self, model: type[M], field: str, *, using: str = "default") -> None:
        kind = _key_field(model, field).get_internal_type()
        if kind not in _INTEGER_TYPES | _TEXT_TYPES:
            raise ValueError(f"{model.__name__}.{field}: a {kind} value needs adaptation; use the ORM")
        self.model = model
        self.field = field
        self.using = using
        self._sample: int | str = 0 if kind in _INTEGER_TYPES else _SAMPLE
        self._compiled: dict[str, tuple[str, list[tuple[int, Any]], list[str]]] = {}

    def _compile(self, vendor: str) -> tuple[str, list[tuple[int, Any]], list[str]]:
        compiled = self._compiled.get(vendor)
        if compiled is None:
            sample = self._sample
            query = self.model._default_manager.filter(**{self.field: sample}).query
            compiler = query.get_compiler(using=self.using)
            sql, params = compiler.as_sql()
            if list(params) != [sample]:
                raise ValueError(f"{self.model.__name__}.{self.field}: the value needs adaptation; use the ORM")
            columns = [col for col, _sql, _alias in compiler.select]
            converters = list(compiler.get_converters(columns).items())
            attnames = [col.target.attname for col in columns]
            compiled = (sql, converters, attnames)
            self._compiled[vendor] = compiled
        return compiled

    def get(self, value: int | str) -> M | None:
        connection = connections[self.using]
        sql, converters, attnames = self._compile(connection.vendor)
        with connection.cursor() as cursor:
            cursor.execute(sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        values = list(row)
        for position, (functions, expression) in converters:  # as SQLCompiler.apply_converters
            for convert in functions:
                values[position] = convert(values[position], expression, connection)
        return self.model.from_db(self.using, attnames, values)


def _key_field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if not isinstance(field, Field):
        raise ValueError(f"{model.__name__}.{name}: not a column")
    return field


_INTEGER_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "IntegerField",
        "BigIntegerField",
        "SmallIntegerField",
        "PositiveIntegerField",
        "PositiveBigIntegerField",
        "PositiveSmallIntegerField",
    }
)
_TEXT_TYPES = frozenset({"CharField", "TextField", "SlugField", "EmailField"})
