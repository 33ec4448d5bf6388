"""An SLA check and a status change of the same ticket must not deadlock.

A status change locks the ticket, then its clocks (``sla_on_status_change``). The check of a
clock used to lock the clock first and then write the ticket (a breach raises its escalation
level): a breach due while an agent changed the ticket could hold the clock and wait for the
ticket while the change held the ticket and waited for the clock, and PostgreSQL's deadlock
detector aborted one of them. The check now locks the ticket first (``tickets.locking``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import threading
import time

import pytest
from django.apps import apps
from django.db import OperationalError, connection, transaction

from aftersales.sla.models import ClockStatus, SlaClock, SlaMetric
from aftersales.sla.services import sla_check_clock, sla_on_status_change
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.states import TicketStatus
from tests.factories import make_ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _default_policies():  # type: ignore[no-untyped-def]
    """Transactional tests empty the tables between tests: put the seeded policies back."""
    importlib.import_module("aftersales.sla.migrations.0002_default_policies").add_defaults(apps, None)


def test_a_breach_due_while_the_ticket_changes_status_never_deadlocks(supervisor):
    ticket = make_ticket()
    clock = SlaClock.objects.get(ticket=ticket, metric=SlaMetric.FIRST_RESPONSE)
    overdue = clock.due_at + dt.timedelta(minutes=1)
    ticket_locked = threading.Event()
    errors: list[BaseException] = []
    done: list[list[str]] = []

    def status_change() -> None:
        """The order of a status change: the ticket, then (a moment later) its clocks."""
        try:
            with transaction.atomic():
                lock_ticket(ticket.pk)
                ticket_locked.set()
                time.sleep(0.5)  # the check starts meanwhile
                sla_on_status_change(
                    ticket=ticket, old_status=TicketStatus.VERIFYING, new_status=TicketStatus.AWAITING_INFO, now=overdue
                )
        except BaseException as exc:  # noqa: BLE001 - a deadlock arrives here as OperationalError
            errors.append(exc)
        finally:
            connection.close()

    def check() -> None:
        try:
            assert ticket_locked.wait(timeout=30)
            done.append(sla_check_clock(clock_id=clock.pk, now=overdue))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=status_change), threading.Thread(target=check)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a worker is still waiting"

    assert not [e for e in errors if isinstance(e, OperationalError)], f"deadlock: {errors}"
    assert errors == []
    # The check waited for the change: it found the clock paused and left it alone.
    assert done == [[]]
    clock.refresh_from_db()
    assert clock.status == ClockStatus.PAUSED and clock.breached_at is None
