"""The billing pages: finance's receivables list (outstanding first, aging buckets, filters,
totals in CNY, htmx results), the receivable's page with payments, the invoice and the actions
(overpayment shown on its field), the technician's phone page for cash collected on site, the
work order's charge status partial; who sees what (403/404), both languages, tables that scroll
in their own box at 375 px."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.billing import services
from aftersales.billing.models import PaymentMethod, PaymentStatus, ReceivableStatus
from aftersales.core import clock
from aftersales.fieldservice.models import WorkOrder
from tests.clients import client_for_language

from .factories import finance, receivable, staff, supervisor, technician

pytestmark = pytest.mark.django_db
S = ReceivableStatus


def tables_are_wrapped(html: str) -> bool:
    return html.count("<table") == len(re.findall(r'class="table-wrap"><table', html))


@pytest.fixture
def world():
    tech = technician(display_name="刘强")
    payer = finance()
    fresh = receivable(tech, charge="380.00", done_days_ago=5)
    old = receivable(tech, charge="120.00", done_days_ago=75)
    ancient = receivable(tech, charge="200.00", done_days_ago=120)
    paid = receivable(tech, charge="90.00", done_days_ago=10)
    services.payment_record(receivable=paid, actor=payer, amount="90", method=PaymentMethod.CASH)
    services.payment_record(receivable=old, actor=payer, amount="20", method=PaymentMethod.CASH)
    return {"tech": tech, "finance": payer, "fresh": fresh, "old": old, "ancient": ancient, "paid": paid}


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_overseers_see_the_outstanding_receivables_oldest_first_with_aging(world, role):
    response = client_for_language(staff(role)).get(reverse("billing:list"))
    assert response.status_code == 200
    html = response.content.decode()
    numbers = re.findall(r'data-test-id="receivable-row" data-number="([^"]+)"', html)
    assert numbers == [world["ancient"].work_order.number, world["old"].work_order.number, world["fresh"].work_order.number]
    assert 'data-bucket="over_90"' in html and 'data-bucket="61_90"' in html and 'data-bucket="0_30"' in html
    assert 'data-test-id="total-outstanding">¥680.00<' in html  # 380 + 100 + 200
    assert 'data-test-id="aging-61_90">¥100.00<' in html and 'data-test-id="aging-31_60">¥0.00<' in html
    assert "应收款" in html and "账龄" in html
    assert tables_are_wrapped(html)


def test_the_filters_and_the_htmx_results(world):
    client = client_for_language(world["finance"])
    everything = client.get(reverse("billing:list"), {"status": "all"}).content.decode()
    assert world["paid"].work_order.number in everything
    assert 'data-test-id="total-amount">¥790.00<' in everything and 'data-test-id="total-paid">¥110.00<' in everything
    bucket = client.get(reverse("billing:list"), {"bucket": "over_90"}, headers={"HX-Request": "true"})
    html = bucket.content.decode()
    assert "<html" not in html and world["ancient"].work_order.number in html and world["fresh"].work_order.number not in html
    one = client.get(reverse("billing:list"), {"q": world["fresh"].ticket.number}).content.decode()
    assert re.findall(r'data-number="([^"]+)"', one) == [world["fresh"].work_order.number]
    assert (
        client.get(reverse("billing:list"), {"technician": "nobody"}).content.decode().count('data-test-id="receivable-row"') == 0
    )


@pytest.mark.parametrize("role", [Role.AGENT, Role.TECHNICIAN, Role.WAREHOUSE])
def test_others_get_no_list(world, role):
    assert client_for_language(staff(role)).get(reverse("billing:list")).status_code == 403


def test_a_region_scoped_finance_user_sees_his_region_only(world):
    from tests.factories import RegionFactory

    east = RegionFactory()
    mine = receivable(technician(), charge="10.00", region=east)
    client = client_for_language(finance(data_scope=DataScope.REGION, region=east))
    html = client.get(reverse("billing:list")).content.decode()
    assert mine.work_order.number in html and world["fresh"].work_order.number not in html
    assert client.get(reverse("billing:receivable", args=[world["fresh"].work_order.number])).status_code == 404


def test_finance_records_a_payment_and_an_overpayment_is_shown_on_its_field(world):
    client = client_for_language(world["finance"], "en")
    number = world["fresh"].work_order.number
    page = client.get(reverse("billing:receivable", args=[number])).content.decode()
    assert 'data-test-id="do-pay"' in page and 'data-test-id="do-invoice"' in page and 'data-test-id="do-waive"' not in page
    today = clock.local_today().isoformat()
    over = client.post(
        reverse("billing:action", args=[number, "pay"]),
        {"amount": "380.01", "method": "cash", "paid_on": today, "expected_version": 1},
    )
    assert over.status_code == 200 and "At most 380.00 CNY is left to pay." in over.content.decode()
    done = client.post(
        reverse("billing:action", args=[number, "pay"]),
        {"amount": "80", "method": "wechat", "paid_on": today, "reference": "4200009999", "expected_version": 1},
    )
    assert done.status_code == 302
    world["fresh"].refresh_from_db()
    assert world["fresh"].status == S.PARTLY_PAID and world["fresh"].paid_amount == Decimal("80.00")
    page = client.get(reverse("billing:receivable", args=[number])).content.decode()
    assert "WeChat Pay" in page and "4200009999" in page and "¥300.00" in page
    assert not any(word in page for word in ["应收款", "收款", "发票", "待收", "微信支付"])


def test_finance_records_the_invoice_on_the_page(world):
    client = client_for_language(world["finance"])
    number = world["fresh"].work_order.number
    today = clock.local_today().isoformat()
    missing = client.post(
        reverse("billing:action", args=[number, "invoice"]),
        {"kind": "special", "number": "12345678", "issued_on": today, "title": "上海某某有限公司"},
    )
    assert missing.status_code == 200 and "增值税专用发票须填写购买方纳税人识别号" in missing.content.decode()
    saved = client.post(
        reverse("billing:action", args=[number, "invoice"]),
        {
            "kind": "special",
            "number": "12345678",
            "issued_on": today,
            "title": "上海某某有限公司",
            "tax_id": "91310000MA1K00000X",
        },
    )
    assert saved.status_code == 302
    page = client.get(reverse("billing:receivable", args=[number])).content.decode()
    assert 'data-test-id="invoice-number">12345678<' in page and "增值税专用发票" in page


def test_a_supervisor_waives_on_the_page(world):
    client = client_for_language(supervisor())
    number = world["old"].work_order.number
    page = client.get(reverse("billing:receivable", args=[number])).content.decode()
    assert 'data-test-id="do-waive"' in page and 'data-test-id="do-pay"' not in page
    assert (
        client.post(
            reverse("billing:action", args=[number, "pay"]), {"amount": "1", "method": "cash", "paid_on": "2026-01-01"}
        ).status_code
        == 403
    )
    done = client.post(reverse("billing:action", args=[number, "waive"]), {"reason": "老客户，免收余款"})
    assert done.status_code == 302
    world["old"].refresh_from_db()
    assert world["old"].status == S.WAIVED


def test_the_technician_records_cash_on_his_phone_and_finance_confirms_it(world):
    tech = world["tech"]
    client = client_for_language(tech)
    number = world["fresh"].work_order.number
    page = client.get(reverse("billing:collect", args=[number]))
    html = page.content.decode()
    assert page.status_code == 200 and "现场收款" in html and 'data-test-id="collect-left">¥380.00<' in html
    assert 'name="viewport"' in html and "<table" not in html  # a list, not a table, on the phone
    assert client.post(reverse("billing:collect", args=[number]), {"amount": "380", "method": "cash"}).status_code == 302
    pending = world["fresh"].payments.get()
    assert pending.status == PaymentStatus.PENDING
    assert client.get(reverse("billing:list")).status_code == 403
    assert client.get(reverse("billing:receivable", args=[number])).status_code == 200  # his own job's
    other = receivable(technician())
    assert client.get(reverse("billing:collect", args=[other.work_order.number])).status_code == 404
    payer = client_for_language(world["finance"])
    page = payer.get(reverse("billing:receivable", args=[number])).content.decode()
    assert 'data-test-id="payment-confirm"' in page and "现场已收，待确认" in page
    assert payer.post(reverse("billing:payment_decide", args=[number, pending.pk, "confirm"])).status_code == 302
    world["fresh"].refresh_from_db()
    assert world["fresh"].status == S.PAID


def test_the_work_orders_charge_status(world):
    request = RequestFactory().get("/")
    request.user = world["tech"]
    wo = WorkOrder.objects.get(pk=world["old"].work_order_id)  # as the page reads it
    html = render_to_string("billing/_charge_status.html", {"work_order": wo, "request": request})
    assert 'data-status="partly_paid"' in html and "¥100.00" in html and reverse("billing:collect", args=[wo.number]) in html
    request.user = world["finance"]
    paid_job = WorkOrder.objects.get(pk=world["paid"].work_order_id)
    paid = render_to_string("billing/_charge_status.html", {"work_order": paid_job, "request": request})
    assert 'data-status="paid"' in paid and reverse("billing:receivable", args=[world["paid"].work_order.number]) in paid
    assert render_to_string("billing/_charge_status.html", {"work_order": None, "request": request}).strip() == ""


def test_the_job_page_shows_the_charge_and_the_technicians_link(world):
    number = world["old"].work_order.number
    tech_page = client_for_language(world["tech"]).get(reverse("fieldservice:detail", args=[number]))
    assert tech_page.status_code == 200
    html = tech_page.content.decode()
    assert 'data-test-id="charge-status" data-status="partly_paid"' in html and "待收款" in html
    assert reverse("billing:collect", args=[number]) in html
    english = client_for_language(world["finance"], "en").get(reverse("fieldservice:detail", args=[number])).content.decode()
    assert "Outstanding" in english and reverse("billing:receivable", args=[number]) in english
