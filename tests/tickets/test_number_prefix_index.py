"""A ticket number's prefix (the list's and the API's ``number=SH20261207``: ``number_q``) is
``LIKE 'SH20261207%'``. On PostgreSQL the unique index serves such a range only under the C
collation; Django adds a second index of the unique ``number`` with ``varchar_pattern_ops``
(``tickets_ticket_number_<hash>_like``, migration 0001), which serves it under every collation —
no migration of ours is needed. Here the catalogue and the planner say so."""

from __future__ import annotations

import pytest
from django.db import connection

from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors.listing import number_q
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_a_prefix_finds_the_numbers_that_start_with_it_and_a_whole_number_only_itself():
    first, second = make_ticket(), make_ticket()
    day = first.number[: -len("000001")]  # SH20261207-
    assert second.number.startswith(day)
    assert set(Ticket.objects.filter(number_q(day)).values_list("pk", flat=True)) == {first.pk, second.pk}
    assert list(Ticket.objects.filter(number_q(first.number)).values_list("pk", flat=True)) == [first.pk]
    assert not Ticket.objects.filter(number_q(day.lower() + "x")).exists()


def _plan(sql: str, params: tuple) -> str:
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")  # a handful of rows: ask which index could serve it
        cur.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cur.fetchall())


@pytest.mark.postgres
def test_postgres_serves_a_number_prefix_from_the_pattern_ops_index():
    make_ticket()
    with connection.cursor() as cur:
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tickets_ticket'")
        indexes = dict(cur.fetchall())
        cur.execute("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        [collation] = cur.fetchone()
    [pattern] = [name for name, sql in indexes.items() if "(number varchar_pattern_ops)" in sql]
    prefix = Ticket.objects.filter(number_q("SH20261207")).values_list("pk", flat=True)
    plan = _plan(*prefix.query.sql_with_params())
    assert "Seq Scan" not in plan and "Index" in plan
    if collation not in {"C", "POSIX"}:  # C.UTF-8 too: the default index cannot serve LIKE there
        assert pattern in plan
        assert "~>=~" in plan and "~<~" in plan  # the LIKE as a range of the pattern operators
