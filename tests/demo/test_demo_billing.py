"""The customer-charges demo (``demo.billing``): receivables in every state the finance pages
show — outstanding in each aging bucket, partly paid, paid with each kind of invoice, waived,
cash collected on site waiting for finance — made through the services, the finance list and
aging not empty, the demo customer's portal page saying what she still owes; loading again
changes nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role, User
from aftersales.audit.models import AuditEvent
from aftersales.billing.models import Invoice, InvoiceKind, Payment, PaymentStatus, Receivable, ReceivableStatus
from aftersales.billing.selectors import BUCKETS, receivable_list, totals
from aftersales.demo.billing import KEY_PREFIX, load_billing_demo
from aftersales.demo.builders import PORTAL_USERNAME
from aftersales.tickets.selectors import tickets_with_intake_key_prefix

pytestmark = pytest.mark.django_db


@pytest.fixture
def billing_demo(demo_output):  # type: ignore[no-untyped-def]
    """The demo with its charges (loaded here too until ``demo_data`` calls it: idempotent)."""
    load_billing_demo(StringIO())
    return Receivable.objects.filter(ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX))


def test_every_state_and_every_aging_bucket(billing_demo):
    statuses = set(billing_demo.values_list("status", flat=True))
    assert statuses == {ReceivableStatus.OPEN, ReceivableStatus.PARTLY_PAID, ReceivableStatus.PAID, ReceivableStatus.WAIVED}
    assert {i.kind for i in Invoice.objects.filter(receivable__in=billing_demo)} == {InvoiceKind.NORMAL, InvoiceKind.SPECIAL}
    assert Payment.objects.filter(receivable__in=billing_demo, status=PaymentStatus.PENDING).count() == 1
    finance = User.objects.get(username="finance")
    figures = totals(receivable_list(user=finance))
    assert all(amount > 0 for _bucket, amount in figures.buckets), figures.buckets
    assert [b.key for b, _amount in figures.buckets] == [b.key for b in BUCKETS]
    # Through the services: each receivable's creation and each payment are in the audit log.
    assert AuditEvent.objects.filter(action="billing.receivable_created").count() >= billing_demo.count()
    assert AuditEvent.objects.filter(action="billing.receivable_waived").count() == 1


def test_the_finance_list_and_the_customers_portal_page(billing_demo):
    finance = User.objects.get(username="finance")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(finance)
    html = client.get(reverse("billing:list")).content.decode()
    # The default list: the outstanding ones (open, partly paid); every aging cell filled.
    assert html.count('data-test-id="receivable-row"') == receivable_list(user=finance).count() >= 5
    assert 'data-test-id="aging-over_90">¥0.00<' not in html and 'data-test-id="aging-31_60">¥0.00<' not in html
    hers = billing_demo.filter(ticket__customer__user__username=PORTAL_USERNAME).get()
    assert hers.status == ReceivableStatus.PARTLY_PAID
    customer = User.objects.get(username=PORTAL_USERNAME, role=Role.CUSTOMER)
    client.force_login(customer)
    page = client.get(reverse("portal:ticket", args=[hers.ticket.number])).content.decode()
    assert 'data-test-id="portal-job-payment" data-status="partly_paid"' in page and "尚需支付" in page


def test_loading_again_changes_nothing(billing_demo):
    before = (Receivable.objects.count(), Payment.objects.count(), Invoice.objects.count())
    out = StringIO()
    load_billing_demo(out)
    assert "already loaded" in out.getvalue()
    assert (Receivable.objects.count(), Payment.objects.count(), Invoice.objects.count()) == before
