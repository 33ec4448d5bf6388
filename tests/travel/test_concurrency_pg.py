"""Two drafts of one technician's reimbursement at the same moment (finance and the technician
himself): the partial unique constraint keeps each claim and advance on one live reimbursement,
so one draft is made and the other caller gets a clear conflict. PostgreSQL, real threads."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from aftersales.core.errors import DomainError
from aftersales.travel import services
from aftersales.travel.models import Reimbursement, ReimbursementLine

from .factories import claim, finance, paid_advance, technician

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_drafts_put_a_claim_on_one_reimbursement() -> None:
    tech, payer = technician(), finance()
    approved = claim(tech, "200.00", decider=payer)
    paid = paid_advance(tech, "150.00", payer=payer)
    barrier = threading.Barrier(2)
    made: list[str] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def worker(actor) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            made.append(services.reimbursement_draft(technician=tech, actor=actor).number)
        except DomainError as exc:
            refused.append(str(exc.code))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(a,)) for a in (payer, tech)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert len(made) == 1 and len(refused) == 1
    assert refused[0] in {"already_on_a_reimbursement", "nothing_to_reimburse"}
    assert Reimbursement.objects.count() == 1
    live = ReimbursementLine.objects.filter(live=True)
    assert sorted(filter(None, live.values_list("claim_id", flat=True))) == [approved.pk]
    assert sorted(filter(None, live.values_list("advance_id", flat=True))) == [paid.pk]
