"""Human-readable, unique ticket numbers: PREFIX + local date + sequence (SH20261122-000123).

The counter row for (prefix, day) is incremented with one ``UPDATE … RETURNING`` inside the
caller's transaction. The row lock (PostgreSQL) or the database write lock (SQLite, whose
transactions begin IMMEDIATE) serialises concurrent intakes on that row, so two transactions can
never read the same value; if the ticket's transaction rolls back, so does the increment. The
unique constraint on ``Ticket.number`` is the last line of defence.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction

from aftersales.core import clock

from .models import TicketNumberSequence


def format_ticket_number(prefix: str, day: dt.date, value: int) -> str:
    return f"{prefix}{day:%Y%m%d}-{value:06d}"


def reserve_ticket_numbers(*, count: int = 1, day: dt.date | None = None, prefix: str | None = None) -> int:
    """Reserve ``count`` consecutive values for ``day``; returns the first. Needs a transaction."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_ticket_numbers must run inside the ticket's transaction")
    prefix = prefix if prefix is not None else settings.TICKET_NUMBER_PREFIX
    day = day or clock.local_today()
    table = connection.ops.quote_name(TicketNumberSequence._meta.db_table)
    sql = f"UPDATE {table} SET last_value = last_value + %s WHERE prefix = %s AND day = %s RETURNING last_value"  # noqa: S608
    day_param = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, prefix, day_param])
        row = cursor.fetchone()
        if row is None:
            # First ticket of the day: create the counter (a racing creator is fine), then count.
            with transaction.atomic():
                TicketNumberSequence.objects.bulk_create(
                    [TicketNumberSequence(prefix=prefix, day=day, last_value=0)], ignore_conflicts=True
                )
            cursor.execute(sql, [count, prefix, day_param])
            row = cursor.fetchone()
    last = int(row[0])
    return last - count + 1


def next_ticket_number(*, day: dt.date | None = None, prefix: str | None = None) -> str:
    prefix = prefix if prefix is not None else settings.TICKET_NUMBER_PREFIX
    day = day or clock.local_today()
    return format_ticket_number(prefix, day, reserve_ticket_numbers(count=1, day=day, prefix=prefix))
