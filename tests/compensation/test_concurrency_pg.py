"""Two refunds of one purchase at the same moment (two tickets on the same unit): the purchase
row is locked, so they cannot both pass the ceiling of what was paid. PostgreSQL, real threads."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from aftersales.audit.models import AuditEvent
from aftersales.compensation import services
from aftersales.compensation.models import Refund
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.remedies.choices import Remedy
from aftersales.remedies.models import Purchase
from aftersales.remedies.services import remedy_decide
from tests.factories import ProductUnitFactory

from .helpers import agent, ticket_with

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_refunds_never_exceed_what_was_paid() -> None:
    handler = agent()
    unit = ProductUnitFactory()
    measures = [ticket_with(actor=handler, unit=unit)[1] for _ in range(2)]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def worker(measure) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            services.refund_request(
                measure=measure, actor=handler, method="cash", price_paid="3000", fees="0", daily_rate="0", amount="2000"
            )
            outcomes.append("done")
        except DomainError as exc:
            outcomes.append(exc.code)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(m,)) for m in measures]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(outcomes) == ["done", "refund_exceeds_paid"]
    assert Purchase.objects.count() == 1 and Refund.objects.count() == 1


def test_a_remedy_decision_and_a_refund_at_once_record_the_price_once() -> None:
    """The decision of one ticket and the refund of another, on one unit, both giving the price:
    one purchase record (``remedies.Purchase``), and the refunds stay under it."""
    handler = agent()
    unit = ProductUnitFactory(purchase_date=clock.local_today() - dt.timedelta(days=5))
    (decided, _m), (_t, measure) = (ticket_with(actor=handler, unit=unit) for _ in range(2))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(call) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            call()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    calls = [
        lambda: remedy_decide(ticket=decided, actor=handler, remedy=Remedy.RETURN, price_paid="3000", reason="退货"),
        lambda: services.refund_request(
            measure=measure, actor=handler, method="cash", price_paid="3000", fees="0", daily_rate="0", amount="2000"
        ),
    ]
    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert Purchase.objects.count() == 1 and Purchase.objects.get().price_paid == 3000
    assert AuditEvent.objects.filter(action="remedies.purchase_recorded").count() == 1
    with pytest.raises(DomainError) as refused:
        services.refund_request(measure=measure, actor=handler, method="cash", fees="0", daily_rate="0", amount="1500")
    assert refused.value.code == "refund_exceeds_paid"
