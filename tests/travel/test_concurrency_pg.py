"""Two drafts of one technician's reimbursement at the same moment (finance and the technician
himself): the partial unique constraint keeps each claim and advance on one live reimbursement,
so one draft is made and the other caller gets a clear conflict. Two payments of his advances at
the same moment stay within his cap (``TRAVEL_OUTSTANDING_MAX``). PostgreSQL, real threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from aftersales.core.errors import DomainError
from aftersales.travel import services
from aftersales.travel.models import AdvanceStatus, CashAdvance, PaymentMethod, Reimbursement, ReimbursementLine

from .factories import advance, claim, finance, paid_advance, technician

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*steps: Callable[[], str]) -> tuple[list[str], list[str]]:
    """Run ``steps`` in threads released at the same moment; what they returned and the codes of
    the refusals (any other error fails the test)."""
    barrier = threading.Barrier(len(steps))
    done: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def worker(step: Callable[[], str]) -> None:
        try:
            barrier.wait(timeout=30)
            done.append(step())
        except DomainError as exc:
            refused.append(str(exc.code))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(step,)) for step in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return done, refused


def test_concurrent_drafts_put_a_claim_on_one_reimbursement() -> None:
    tech, payer = technician(), finance()
    approved = claim(tech, "200.00", decider=payer)
    paid = paid_advance(tech, "150.00", payer=payer)
    made, refused = _race(
        *(lambda actor=actor: services.reimbursement_draft(technician=tech, actor=actor).number for actor in (payer, tech))
    )
    assert len(made) == 1 and len(refused) == 1
    assert refused[0] in {"already_on_a_reimbursement", "nothing_to_reimburse"}
    assert Reimbursement.objects.count() == 1
    live = ReimbursementLine.objects.filter(live=True)
    assert sorted(filter(None, live.values_list("claim_id", flat=True))) == [approved.pk]
    assert sorted(filter(None, live.values_list("advance_id", flat=True))) == [paid.pk]


def test_concurrent_payments_keep_the_technician_within_his_cap(settings) -> None:
    """Two advances of one technician paid at the same moment, each alone within the cap, both
    together past it: his row is locked while his holdings are counted, so one is paid and the
    other refused (``outstanding_above_maximum``)."""
    tech, payer, second = technician(), finance(), finance()
    waiting = [services.advance_approve(advance=advance(tech, "1500.00"), actor=payer) for _ in range(2)]
    settings.TRAVEL_OUTSTANDING_MAX = "2000"

    def pay(actor, item) -> str:  # type: ignore[no-untyped-def]
        services.advance_pay(advance=item, actor=actor, method=PaymentMethod.CASH, reference=f"R-{item.number}")
        return str(item.number)

    paid, refused = _race(*(lambda pair=pair: pay(*pair) for pair in zip((payer, second), waiting, strict=True)))
    assert len(paid) == 1 and refused == ["outstanding_above_maximum"]
    assert CashAdvance.objects.filter(technician=tech, status=AdvanceStatus.PAID).count() == 1
