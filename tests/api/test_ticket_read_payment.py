"""The ticket read's work orders (``expand=work_orders``, staff: ``workorders:read``) say whether
each charged job is paid: billing's receivable as the customer reads it — the amounts, the cash
being confirmed, the invoice — never a payment's reference no. nor why a rest was waived; a free
job has none."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from aftersales.billing import services as billing
from aftersales.billing.models import InvoiceKind, PaymentMethod, Receivable, ReceivableStatus
from aftersales.core import clock
from aftersales.fieldservice.models import ChargePolicy, TravelMode, TravelRate
from tests.api.conftest import api_client, customer_user
from tests.billing.factories import finance, supervisor
from tests.fieldservice.helpers import agent, dispatcher, in_progress_ticket, new_job, technician, unit_out_of_warranty, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def done():  # type: ignore[no-untyped-def]
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.FLAT, cost=Decimal("30"), price=Decimal("50"))
    handler = agent()
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_out_of_warranty())
    job = walk_to(new_job(handler=handler, measure=measure), "done", boss=dispatcher(), tech=technician(), hours="2")
    return {"ticket": ticket, "job": job, "receivable": Receivable.objects.get(work_order=job), "handler": handler}


def _work_order(client, number: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(f"/api/v1/tickets/{number}", {"expand": ["work_orders"]})
    assert response.status_code == 200, response.content
    (wo,) = response.json()["work_orders"]
    return wo


def test_staff_read_the_payment_the_customer_reads_it_in_the_portal(done):
    ticket, receivable = done["ticket"], done["receivable"]
    staff = api_client(done["handler"])
    read = _work_order(staff, ticket.number)["payment"]
    assert read.pop("status_label") in {"Open", str(ReceivableStatus.OPEN.label)}
    assert read == {
        "status": "open",
        "amount": "290.00",
        "paid": "0.00",
        "outstanding": "290.00",
        "awaiting_confirmation": "0.00",
        "paid_at": None,
        "invoice_kind": "",
        "invoice_number": "",
        "invoice_issued_on": None,
        "invoice_amount": None,
    }
    cashier = finance()
    billing.payment_record(
        receivable=receivable, actor=cashier, amount="290", method=PaymentMethod.WECHAT, reference="WX42000099"
    )
    billing.invoice_record(
        receivable=Receivable.objects.get(pk=receivable.pk),
        actor=cashier,
        kind=InvoiceKind.NORMAL,
        number="04400124",
        issued_on=clock.local_today(),
        title="陈先生",
    )
    payment = _work_order(staff, ticket.number)["payment"]
    assert (payment["status"], payment["paid"], payment["outstanding"]) == ("paid", "290.00", "0.00")
    assert (payment["invoice_kind"], payment["invoice_number"], payment["invoice_amount"]) == ("normal", "04400124", "290.00")
    assert payment["paid_at"] is not None
    body = staff.get(f"/api/v1/tickets/{ticket.number}", {"expand": ["work_orders"]}).content.decode()
    assert "WX42000099" not in body and "陈先生" not in body
    # A customer's key never reads work orders (``workorders:read`` is staff-only): the portal's
    # ticket page is where the customer sees it (tests/portal/test_portal_billing.py).
    customer = api_client(customer_user(ticket))
    assert customer.get(f"/api/v1/tickets/{ticket.number}", {"expand": ["work_orders"]}).status_code == 403


def test_the_cash_being_confirmed_and_a_waiver_without_its_reason(done):
    ticket, receivable = done["ticket"], done["receivable"]
    staff = api_client(done["handler"])
    tech = receivable.work_order.technician
    payment = billing.payment_collect_on_site(receivable=receivable, actor=tech, amount="90")
    read = _work_order(staff, ticket.number)["payment"]
    assert (read["awaiting_confirmation"], read["outstanding"]) == ("90.00", "200.00")
    billing.payment_confirm(payment=payment, actor=finance())
    billing.receivable_waive(receivable=Receivable.objects.get(pk=receivable.pk), actor=supervisor(), reason="二次上门免收")
    read = _work_order(staff, ticket.number)["payment"]
    assert (read["status"], read["paid"], read["outstanding"]) == ("waived", "90.00", "0.00")
    assert "二次上门免收" not in staff.get(f"/api/v1/tickets/{ticket.number}", {"expand": ["work_orders"]}).content.decode()


def test_a_free_job_has_no_payment():
    handler = agent()
    ticket, measure = in_progress_ticket(actor=handler)
    walk_to(new_job(handler=handler, measure=measure), "done", boss=dispatcher(), tech=technician())
    assert _work_order(api_client(handler), ticket.number)["payment"] is None


def test_the_schema_documents_it(db):
    schema = Client().get("/api/v1/openapi.json").json()
    payment = schema["components"]["schemas"]["WorkOrderPaymentOut"]
    assert {"status", "outstanding", "awaiting_confirmation", "invoice_number"} <= set(payment["properties"])
