"""The customer's ticket page says whether the charge of a finished job is paid (billing's
receivable, docs/portal.md "What you pay"): still to pay, partly paid, paid with its invoice,
the cash handed to the technician being confirmed, a waived rest — in both languages, to the
ticket's own customer only, without the internal notes (a waiver's reason, a payment's
reference no., who collected it)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.billing import services as billing
from aftersales.billing.models import InvoiceKind, PaymentMethod, Receivable
from aftersales.billing.selectors import customer_charges_for
from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.fieldservice.models import ChargePolicy, TravelMode, TravelRate
from aftersales.portal.links import portal_path_for
from tests.billing.factories import finance, supervisor
from tests.factories import CustomerFactory, UserFactory
from tests.fieldservice.helpers import agent, dispatcher, in_progress_ticket, new_job, technician, unit_out_of_warranty, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def done():  # type: ignore[no-untyped-def]
    """A chargeable job done (2 h at 120 yuan + 50 yuan travel = 290 yuan), its receivable, the
    ticket's customer signed in to the portal, the technician."""
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.FLAT, cost=Decimal("30"), price=Decimal("50"))
    handler, tech = agent(), technician()
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_out_of_warranty())
    job = walk_to(new_job(handler=handler, measure=measure), "done", boss=dispatcher(), tech=tech, hours="2")
    receivable = Receivable.objects.get(work_order=job)
    assert receivable.amount == Decimal("290.00")
    user = UserFactory(role=Role.CUSTOMER, username="emily")
    Customer.objects.filter(pk=ticket.customer_id).update(user=user)
    return {"ticket": ticket, "job": job, "receivable": receivable, "user": user, "tech": tech}


def _page(user, ticket, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    response = client.get(reverse("portal:ticket", args=[ticket.number]))
    assert response.status_code == 200
    return response.content.decode()


def _block(html: str) -> str:
    start = html.index('data-test-id="portal-job-payment"')
    return html[start : html.index("</div>", start)]


def _status(html: str) -> str:
    found = re.search(r'data-test-id="portal-job-payment" data-status="([a-z_]+)"', html)
    assert found is not None
    return found.group(1)


def test_not_paid_yet_then_partly_then_paid_with_its_invoice(done):
    ticket, user, receivable = done["ticket"], done["user"], done["receivable"]
    html = _page(user, ticket)
    block = _block(html)
    assert _status(html) == "open" and "Not paid yet" in block and "Still to pay:" in block
    assert re.search(r'data-test-id="portal-payment-outstanding">290.00 yuan<', block)

    cashier = finance()
    billing.payment_record(
        receivable=receivable, actor=cashier, amount="100", method=PaymentMethod.WECHAT, reference="WX4200001234"
    )
    block = _block(html := _page(user, ticket))
    assert _status(html) == "partly_paid" and "you paid 100.00 yuan" in block
    assert re.search(r'data-test-id="portal-payment-outstanding">190.00 yuan<', block)
    assert "WX4200001234" not in html  # the payment's reference is finance's

    billing.payment_record(
        receivable=Receivable.objects.get(pk=receivable.pk),
        actor=cashier,
        amount="190",
        method=PaymentMethod.ALIPAY,
        reference="AP2026120700001",
    )
    billing.invoice_record(
        receivable=Receivable.objects.get(pk=receivable.pk),
        actor=cashier,
        kind=InvoiceKind.NORMAL,
        number="04400123",
        issued_on=clock.local_today(),
        title="Emily Carter",
    )
    block = _block(html := _page(user, ticket))
    assert _status(html) == "paid" and "Paid in full" in block and "Still to pay" not in block
    assert "Ordinary invoice" in block and 'data-test-id="portal-invoice-number">04400123<' in block
    assert "290.00 yuan" in block and "AP2026120700001" not in html


def test_cash_handed_to_the_technician_is_said_until_finance_confirms_it(done):
    ticket, user = done["ticket"], done["user"]
    payment = billing.payment_collect_on_site(receivable=done["receivable"], actor=done["tech"], amount="290")
    block = _block(_page(user, ticket))
    assert "290.00 yuan paid to the technician, being confirmed." in block
    assert "Still to pay" not in block  # nothing left beyond the cash being confirmed
    billing.payment_confirm(payment=payment, actor=finance())
    html = _page(user, ticket)
    assert _status(html) == "paid" and "being confirmed" not in html


def test_a_waived_rest_shows_no_reason(done):
    ticket, user = done["ticket"], done["user"]
    billing.payment_record(receivable=done["receivable"], actor=finance(), amount="90", method=PaymentMethod.CASH)
    billing.receivable_waive(
        receivable=Receivable.objects.get(pk=done["receivable"].pk), actor=supervisor(), reason="INTERNAL goodwill, second visit"
    )
    html = _page(user, ticket)
    block = _block(html)
    assert _status(html) == "waived" and "Nothing more to pay" in block and "you paid 90.00 yuan" in block
    assert "INTERNAL goodwill" not in html and "Still to pay" not in block


def test_in_chinese_and_through_the_signed_link(done):
    ticket, user = done["ticket"], done["user"]
    billing.payment_record(receivable=done["receivable"], actor=finance(), amount="100", method=PaymentMethod.CASH)
    block = _block(_page(user, ticket, "zh-hans"))
    assert "部分已付" in block and "您已支付 100.00 元" in block and "尚需支付：" in block and "190.00 元" in block
    linked = Client()
    linked.cookies["django_language"] = "en"
    html = linked.get(portal_path_for(ticket)).content.decode()
    assert _status(html) == "partly_paid"


def test_another_customer_sees_nothing_of_it(done):
    stranger = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=stranger, phone="+8613700000009")
    client = Client()
    client.force_login(stranger)
    assert client.get(reverse("portal:ticket", args=[done["ticket"].number])).status_code == 404


def test_a_free_job_has_no_payment_line_and_the_reader_needs_no_receivable():
    assert customer_charges_for([]) == {}
    assert customer_charges_for([987654]) == {}
