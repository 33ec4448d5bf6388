"""Two operations that lock the same tickets in opposite orders must not deadlock.

``ticket_merge`` locks the duplicate and the ticket it merges into. When it locked the source
first and the target second, an agent merging A into B while a colleague merged B into A could
each hold one row and wait for the other: PostgreSQL's deadlock detector then aborts one of them
with "deadlock detected". Both rows are now locked in key order (``tickets.locking.lock_tickets``),
so one merge waits for the other and then finds the ticket already merged (a clean refusal).
Each worker thread has its own PostgreSQL connection and runs the real service.
"""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from aftersales.core.errors import DomainError
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_merge
from aftersales.tickets.states import TicketStatus
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent

ROUNDS = 12


def _race(first, second) -> tuple[dict[str, str], list[BaseException]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def worker(name: str, call) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            try:
                call()
                outcomes[name] = "done"
            except DomainError as exc:
                outcomes[name] = exc.code
        except BaseException as exc:  # noqa: BLE001 - a deadlock arrives here as OperationalError
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=("first", first)), threading.Thread(target=worker, args=("second", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_merging_two_tickets_into_each_other_at_once_never_deadlocks():
    handler, colleague = agent(), agent()
    for _ in range(ROUNDS):
        a = make_ticket(actor=handler)
        b = make_ticket(actor=handler, description="同一个问题，第二次来电。")
        assert a.customer_id == b.customer_id

        outcomes, errors = _race(
            lambda a=a, b=b: ticket_merge(ticket=a, into=b, actor=handler),
            lambda a=a, b=b: ticket_merge(ticket=b, into=a, actor=colleague),
        )

        assert not [e for e in errors if isinstance(e, OperationalError)], f"deadlock: {errors}"
        assert errors == []
        # Exactly one merge wins; the other is refused because its ticket or its target is merged.
        assert sorted(outcomes.values()) in (
            ["action_not_available", "done"],
            ["done", "merge_into_final"],
            ["done", "ticket_final"],
        ), outcomes
        statuses = sorted(Ticket.objects.filter(pk__in=[a.pk, b.pk]).values_list("status", flat=True))
        assert statuses == sorted([TicketStatus.MERGED, TicketStatus.REGISTERED])
