"""Two workers running the revisit job at the same moment create every revisit once.

Each worker thread has its own PostgreSQL connection and runs the real job; the unique
constraints on the natural keys (customer + period, ticket, one open periodic revisit per
customer) make the slower insert of each pair fail and count as "already there"."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from aftersales.catalog.warranty import add_months
from aftersales.core import clock
from aftersales.customers.models import CustomerTier
from aftersales.revisits.models import Revisit
from aftersales.revisits.services import revisits_schedule

from .helpers import agent, closed_ticket, customer, region

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 3


def test_two_concurrent_runs_create_each_revisit_once():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    today = clock.local_today()
    east = region()
    agent(region=east)
    agent(region=east)
    for n in range(ROUNDS):
        for _ in range(8):
            customer(tier=CustomerTier.KEY, region=east, created=add_months(today, -7))
        closed_ticket(closed=today - dt.timedelta(days=7), phone=f"1390000{n:04d}")
        barrier = threading.Barrier(2)
        created: list[int] = []
        errors: list[BaseException] = []

        def worker(
            barrier: threading.Barrier = barrier, created: list[int] = created, errors: list[BaseException] = errors
        ) -> None:
            try:
                barrier.wait(timeout=30)
                created.append(revisits_schedule(today=today).created)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not errors, errors
        assert sum(created) == 9, created
        assert Revisit.objects.count() == 9 * (n + 1)
    assert Revisit.objects.values("customer_id", "period").distinct().count() == Revisit.objects.count()
