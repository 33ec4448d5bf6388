"""Model rows read with a statement compiled once per process: ``RowByKey`` (one row by one key
column) and ``PreparedQuery`` (a fixed queryset shape with key values filled in per call).

Every signed-in page reads its session row and its user row before it does anything else. The
ORM compiles those two statements anew for every request: about 0.15 ms of Python each, more
than PostgreSQL needs to answer them. ``RowByKey`` asks the ORM for the statement once (so it
is exactly what ``Model.objects.filter(key=…)`` would run, every concrete field, the same
quoting and the backend's converters) and then only executes it; ``PreparedQuery`` does the same
for any queryset of a fixed shape (the ticket page's reads), and ``RowByKey`` is one of those.

Only for keys whose values need no adaptation by their field (integers and text): the value is
passed to the database as it is.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import Field, Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]

M = TypeVar("M", bound=Model)

# Every PreparedQuery made (module-level constants): the tests check each against the ORM.
INSTANCES: list[PreparedQuery[Any]] = []


class RowByKey(Generic[M]):
    """``model``'s row whose ``field`` equals a value (a unique field), or None: a
    ``PreparedQuery`` of ``model._default_manager.filter(field=value)``."""

    def __init__(self, model: type[M], field: str, *, using: str = "default") -> None:
        kind = _key_field(model, field).get_internal_type()
        if kind not in _INTEGER_TYPES | _TEXT_TYPES:
            raise ValueError(f"{model.__name__}.{field}: a {kind} value needs adaptation; use the ORM")
        self._query = PreparedQuery(lambda key: model._default_manager.filter(**{field: key}), using=using)

    def get(self, value: int | str) -> M | None:
        rows = self._query.list(key=value)
        return rows[0] if rows else None


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


@dataclass(frozen=True)
class _Compiled:
    model: type[Model]
    kinds: dict[str, type]  # each argument's type: int, or str for text columns
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, str], ...]  # (position in params, name of the call's argument)
    converters: list[tuple[int, Any]]
    init_list: list[str]
    model_start: int
    model_end: int
    populators: list[Any]
    annotations: tuple[tuple[str, int], ...]


class PreparedQuery(Generic[M]):
    """A queryset of one fixed shape whose SQL is compiled once per process and database vendor.

    ``build`` returns the queryset from keyword arguments that are integer or text key values
    (``lambda ticket_id: SlaClock.objects.filter(ticket_id=ticket_id).select_related("policy")``).
    It is called once with a distinct sample value per argument; the ORM compiles that queryset
    and the samples' positions among the statement's parameters are remembered. ``list(**values)``
    then executes the same SQL with the call's values in those positions and builds the model
    instances the way the ORM's own iterable does (``from_db``, ``select_related`` populators,
    annotations), so the rows are exactly what the queryset would give.

    The ORM's compiler costs 0.1-0.4 ms of Python per statement (more with joins); on a page of
    six such reads that is a third of its time. Only shapes that do not depend on the values
    (no ``None``, no lists of varying length, no conditional filters) belong here: the build
    function is called once, so anything it decides is decided for every call.
    """

    def __init__(self, build: Callable[..., QuerySet[M]], *, using: str = "default") -> None:
        self.build = build
        self.names = tuple(inspect.signature(build).parameters)
        self.using = using
        self._compiled: dict[str, _Compiled] = {}
        INSTANCES.append(self)  # every use is pinned against the ORM by tests/core/test_precompiled.py

    def _compile(self, vendor: str) -> _Compiled:
        compiled = self._compiled.get(vendor)
        if compiled is not None:
            return compiled
        # Distinct values no real key has, found again by value and type among the parameters:
        # integers first; an argument whose field turns the integer into text gets a text sample.
        kinds: dict[str, type] = dict.fromkeys(self.names, int)
        for _attempt in range(2):
            samples = {
                name: -987_654_321_000 - i if kinds[name] is int else f"__prepared_{i}__" for i, name in enumerate(self.names)
            }
            queryset = self.build(**samples)
            if getattr(queryset, "_prefetch_related_lookups", ()) or getattr(queryset, "_known_related_objects", {}):
                raise ValueError("PreparedQuery: prefetch_related and related managers are not supported")
            compiler = queryset.query.get_compiler(using=self.using)
            sql, params = compiler.as_sql()
            slots = [
                (position, name)
                for position, param in enumerate(params)
                for name, sample in samples.items()
                if type(param) is type(sample) and param == sample
            ]
            missing = set(self.names) - {name for _position, name in slots}
            if not missing:
                break
            kinds.update(dict.fromkeys(missing, str))
        else:
            raise ValueError(f"PreparedQuery: {sorted(missing)} do not reach the statement as they are")
        select, klass_info = compiler.select, compiler.klass_info
        assert klass_info is not None
        fields = [column for column, _sql, _alias in select[: compiler.col_count]]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        compiled = _Compiled(
            model=klass_info["model"],
            kinds=kinds,
            sql=sql,
            params=tuple(params),
            slots=tuple(slots),
            converters=list(compiler.get_converters(fields).items()),
            init_list=[column.target.attname for column, _sql, _alias in select[start:end]],
            model_start=start,
            model_end=end,
            populators=get_related_populators(klass_info, select, self.using),
            annotations=tuple((compiler.annotation_col_map or {}).items()),
        )
        self._compiled[vendor] = compiled
        return compiled

    def list(self, **values: int | str) -> list[M]:
        """The queryset's rows for these argument values, as model instances."""
        if sorted(values) != sorted(self.names):
            raise TypeError(f"PreparedQuery takes exactly the arguments {self.names}")
        if not settings.PRECOMPILED_READS:  # the ORM's own path (benchmark comparison)
            return list(self.build(**values))
        connection = connections[self.using]
        compiled = self._compile(connection.vendor)
        for name, value in values.items():
            if type(value) is not compiled.kinds[name]:
                raise TypeError(f"PreparedQuery: {name} must be {compiled.kinds[name].__name__}, not {type(value).__name__}")
        params = list(compiled.params)
        for position, name in compiled.slots:
            params[position] = values[name]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        model = compiled.model
        objects: list[M] = []
        for raw in rows:
            row = list(raw)
            for position, (functions, expression) in compiled.converters:  # as SQLCompiler.apply_converters
                value = row[position]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[position] = value
            obj = model.from_db(self.using, compiled.init_list, row[compiled.model_start : compiled.model_end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for attr, position in compiled.annotations:
                setattr(obj, attr, row[position])
            objects.append(obj)  # type: ignore[arg-type]
        return objects
