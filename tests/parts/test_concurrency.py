"""Stock can never go negative or be handed out twice, even when many issues race for it.

Each worker thread has its own PostgreSQL connection and runs the real services: submit (which
reserves under the row lock) and issue (which consumes the reservation). Without the ordered
``select_for_update`` in ``parts.stock.lock_stock`` two workers read the same level, both pass the
check and the later write loses the earlier one: more is issued than was there while on-hand and
the ledger disagree. This test fails then (checked by hand with the lock removed)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.db.models import Sum

from aftersales.core.errors import DomainError
from aftersales.parts import services
from aftersales.parts.models import MovementKind, RequisitionStatus, Stock, StockMovement
from tests.parts.conftest import assert_ledger_balances

WORKERS = 8
EACH = 3
ON_HAND = 10  # room for three of the eight requests


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_issues_never_issue_more_than_there_is(regional, board, keeper, technician, work_order_for):
    services.stock_receive(warehouse=regional, lines=[(board, ON_HAND)], actor=keeper)
    drafts = [
        services.requisition_create(work_order=work_order_for(), warehouse=regional, lines=[(board, EACH)], actor=technician)
        for _ in range(WORKERS)
    ]
    barrier = threading.Barrier(WORKERS)
    outcomes: dict[int, str] = {}
    errors: list[BaseException] = []

    def worker(requisition) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            try:
                services.requisition_submit(requisition=requisition, actor=technician)
                services.requisition_issue(requisition=requisition, actor=keeper)
                outcomes[requisition.pk] = "issued"
            except DomainError as exc:
                outcomes[requisition.pk] = exc.code
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(draft,)) for draft in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    issued_count = sum(1 for outcome in outcomes.values() if outcome == "issued")
    assert set(outcomes.values()) <= {"issued", "insufficient_stock"}
    issued = -(
        StockMovement.objects.filter(warehouse=regional, kind=MovementKind.ISSUE).aggregate(total=Sum("quantity"))["total"] or 0
    )
    row = Stock.objects.get(warehouse=regional, part=board)
    assert issued <= ON_HAND, "more was issued than was on hand"
    assert issued == issued_count * EACH == (ON_HAND // EACH) * EACH
    assert row.on_hand == ON_HAND - issued >= 0
    assert row.reserved == 0
    assert sum(1 for d in drafts if type(d).objects.get(pk=d.pk).status == RequisitionStatus.ISSUED) == issued_count
    assert_ledger_balances()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_transfers_of_two_parts_in_opposite_order_neither_deadlock_nor_oversell(regional, board, sensor, keeper):
    """Half the workers list the parts one way round, half the other: locks in primary-key order
    mean no deadlock, and the on-hand check under the lock means no overselling."""
    from tests.parts.factories import WarehouseFactory

    services.stock_receive(warehouse=regional, lines=[(board, ON_HAND), (sensor, ON_HAND)], actor=keeper)
    targets = [WarehouseFactory(code=f"target-{i}", region=regional.region) for i in range(WORKERS)]
    barrier = threading.Barrier(WORKERS)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        lines = [(board, EACH), (sensor, EACH)]
        try:
            barrier.wait(timeout=30)
            try:
                services.transfer_create(
                    from_warehouse=regional, to_warehouse=targets[index], lines=lines if index % 2 else lines[::-1], actor=keeper
                )
                outcomes.append("moved")
            except DomainError as exc:
                outcomes.append(exc.code)
        except BaseException as exc:  # noqa: BLE001 - a deadlock would show here
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(outcomes) == ["insufficient_stock"] * (WORKERS - ON_HAND // EACH) + ["moved"] * (ON_HAND // EACH)
    for part in (board, sensor):
        assert Stock.objects.get(warehouse=regional, part=part).on_hand == ON_HAND - (ON_HAND // EACH) * EACH
    assert_ledger_balances()
