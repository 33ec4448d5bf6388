"""Writes of the maintained ticket counts (``TicketCount``: tickets per status, category and
region), which the ticket list's total and the supervisor's dashboard read.

The changes of what they count call these inside their own transaction: intake (insert),
every status change (``ticket_transition``: merge, reject, cancel and every process step go
through it), a classification that moves the category and a corrected address that moves the
region (``services.details``); besides them the bulk writer (``demo.writer``), the region filled
in afterwards (``services.regions``) and ``delete`` of tickets (only the benchmark's clean-up
deletes tickets; it calls ``ticket_counts_rebuild``).
``manage.py rebuild_ticket_counts`` recomputes all.

Each change is one upsert per key (``INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n``,
PostgreSQL and SQLite alike), in sorted key order so that two transactions never wait on each
other's rows in opposite orders (no deadlock).
"""

from __future__ import annotations

import random
from collections.abc import Mapping

from django.db import connection, transaction
from django.db.models import Count

from .models import Ticket, TicketCount

SLOTS = 16
Key = tuple[str, int | None, int | None]  # status, category id, region id


def _upsert(deltas: Mapping[tuple[str, int, int, int], int]) -> None:
    rows = sorted((k, d) for k, d in deltas.items() if d)
    if not rows:
        return
    table = connection.ops.quote_name(TicketCount._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params: list[str | int] = []
    for (status, category, region, slot), delta in rows:
        params += [status, category, region, slot, delta]
    sql = (
        f"INSERT INTO {table} (status, category_key, region_key, slot, n) VALUES {values} "  # noqa: S608
        "ON CONFLICT (status, category_key, region_key, slot) DO UPDATE SET n = "
        f"{table}.n + excluded.n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _key(status: str, category_id: int | None, region_id: int | None, slot: int) -> tuple[str, int, int, int]:
    return (str(status), int(category_id or 0), int(region_id or 0), slot)


def ticket_counts_change(*, before: Key | None, after: Key | None) -> None:
    """Move one ticket from ``before`` to ``after`` (either may be None: insert / delete)."""
    if not connection.in_atomic_block:
        raise RuntimeError("ticket counts change inside the ticket's transaction")
    if before == after:
        return
    slot = random.randrange(SLOTS)  # noqa: S311 - spreading rows, not security
    deltas: dict[tuple[str, int, int, int], int] = {}
    if before is not None:
        k = _key(*before, slot)
        deltas[k] = deltas.get(k, 0) - 1
    if after is not None:
        k = _key(*after, slot)
        deltas[k] = deltas.get(k, 0) + 1
    _upsert(deltas)


def ticket_counts_bulk_add(counts: Mapping[Key, int]) -> None:
    """Add many tickets at once (the bulk path), in slot 0."""
    _upsert({_key(*key, 0): n for key, n in counts.items()})


@transaction.atomic
def ticket_counts_rebuild() -> int:
    """Recompute every aggregate from the tickets (GROUP BY); returns the number of keys."""
    TicketCount.objects.all().delete()
    rows = Ticket.objects.order_by().values_list("status", "category_id", "region_id").annotate(n=Count("id"))
    TicketCount.objects.bulk_create(
        [TicketCount(status=s, category_key=c or 0, region_key=r or 0, slot=0, n=n) for s, c, r, n in rows],
        batch_size=1000,
    )
    return len(rows)
