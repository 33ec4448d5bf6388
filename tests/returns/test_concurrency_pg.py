"""Concurrent authorisations (PostgreSQL, one connection per thread, the real services): the
replacements reserved never exceed the stock, and a measure authorised twice at once gets one
RMA."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from aftersales.core.errors import DomainError
from aftersales.returns import services
from aftersales.returns.models import ReturnAuthorization
from aftersales.tickets.models import MeasureKind

from .helpers import world


def _race(calls: list[Callable[[], Any]]) -> tuple[list[str], list[BaseException]]:
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                call()
                outcomes.append("ok")
            except DomainError as exc:
                outcomes.append(exc.code)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion of the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_exchanges_never_reserve_more_than_the_stock() -> None:
    w = world(stock=2)
    measures = [w.ticket(MeasureKind.EXCHANGE)[1] for _ in range(4)]
    outcomes, errors = _race(
        [lambda m=m: services.rma_authorise(measure=m, actor=w.agent, warehouse=w.warehouse) for m in measures]
    )
    assert errors == []
    assert sorted(outcomes) == ["insufficient_stock", "insufficient_stock", "ok", "ok"]
    assert ReturnAuthorization.objects.count() == 2
    row = w.stock()
    assert (row.on_hand, row.reserved) == (2, 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_measure_authorised_twice_at_once_gets_one_rma() -> None:
    w = world(stock=5)
    _ticket, measure = w.ticket(MeasureKind.EXCHANGE)
    outcomes, errors = _race(
        [lambda: services.rma_authorise(measure=measure, actor=w.agent, warehouse=w.warehouse) for _ in range(3)]
    )
    assert errors == []
    assert sorted(outcomes) == ["ok", "rma_exists", "rma_exists"]
    assert ReturnAuthorization.objects.filter(measure=measure).count() == 1
    assert w.stock().reserved == 1
