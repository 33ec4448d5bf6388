"""Two refunds of one purchase at the same moment (two tickets on the same unit): the purchase
row is locked, so they cannot both pass the ceiling of what was paid. PostgreSQL, real threads."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.compensation import services
from aftersales.compensation.models import Purchase, Refund
from aftersales.core.errors import DomainError
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
