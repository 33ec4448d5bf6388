"""The cap on what one technician may hold in advances (``TRAVEL_OUTSTANDING_MAX``, CNY; 0 or unset:
no cap): a request that would take his advances outstanding or waiting past it is refused naming
the amount, and so is a payment that would take his paid, unsettled advances past it (checked
again when the money leaves); a reimbursement that settles them makes room."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.travel import services
from aftersales.travel.models import AdvanceStatus, CashAdvance, PaymentMethod
from tests.clients import client_for_language

from .factories import advance, claim, finance, paid_advance, technician

pytestmark = pytest.mark.django_db
A = AdvanceStatus


def pay(item: CashAdvance, payer) -> CashAdvance:
    return services.advance_pay(advance=item, actor=payer, method=PaymentMethod.CASH, reference=f"R-{item.number}")


def test_without_a_cap_any_number_of_advances_may_be_held(settings):
    assert services.outstanding_maximum() == 0
    settings.TRAVEL_OUTSTANDING_MAX = 0
    tech, payer = technician(), finance()
    for _ in range(3):
        paid_advance(tech, "40000.00", payer=payer)
    assert CashAdvance.objects.filter(technician=tech, status=A.PAID).count() == 3


def test_a_request_past_the_cap_is_refused_naming_the_amount(settings):
    settings.TRAVEL_OUTSTANDING_MAX = "2000"
    tech, payer = technician(), finance()
    paid_advance(tech, "800.00", payer=payer)
    advance(tech, "1000.00")  # waiting: counts too
    with pytest.raises(ValidationFailed) as refused:
        advance(tech, "300.00")
    assert refused.value.code == "outstanding_above_maximum" and set(refused.value.errors) == {"amount"}
    assert "1800.00 CNY" in str(refused.value) and "2000.00 CNY" in str(refused.value)
    assert advance(tech, "200.00").status == A.REQUESTED  # exactly the cap
    # Another technician has his own room.
    assert advance(technician(), "2000.00").status == A.REQUESTED


def test_a_form_sent_again_at_the_cap_gets_its_advance_back(settings):
    settings.TRAVEL_OUTSTANDING_MAX = "500"
    tech = technician()
    first = advance(tech, "500.00", idempotency_key="k-1")
    assert advance(tech, "500.00", idempotency_key="k-1").pk == first.pk


def test_a_payment_past_the_cap_is_refused_until_a_reimbursement_settles(settings):
    tech, payer = technician(), finance()
    one = services.advance_approve(advance=advance(tech, "1500.00"), actor=payer)
    two = services.advance_approve(advance=advance(tech, "1500.00"), actor=payer)
    settings.TRAVEL_OUTSTANDING_MAX = "2000"  # lowered after he asked
    pay(one, payer)
    with pytest.raises(DomainError) as refused:
        pay(two, payer)
    assert refused.value.code == "outstanding_above_maximum" and refused.value.field == "amount"
    assert CashAdvance.objects.get(pk=two.pk).status == A.APPROVED
    claim(tech, "1500.00", decider=payer)
    draft = services.reimbursement_draft(technician=tech, actor=payer)
    services.reimbursement_post(reimbursement=draft, actor=payer)  # settles the first
    assert pay(CashAdvance.objects.get(pk=two.pk), payer).status == A.PAID


def test_the_phone_page_shows_the_refusal_on_the_amount(settings):
    settings.TRAVEL_OUTSTANDING_MAX = "1000"
    tech = technician()
    advance(tech, "900.00")
    response = client_for_language(tech, "en").post(
        reverse("travel:mine"),
        {"purpose": "Trip", "amount": "200", "trip_from": "2026-12-08", "trip_until": "2026-12-09", "idempotency_key": "x-1"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-test-id="error-amount"' in html
    assert "would pass your limit of 1000.00 CNY" in html
    assert CashAdvance.objects.filter(technician=tech).count() == 1
