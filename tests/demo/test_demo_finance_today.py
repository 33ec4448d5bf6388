"""Finance's Today page on the demo: its payments (refunds, cash compensation, outlets'
statements) and its travel money, each count the count of the page its tile links to, in both
languages; no other role gets the payments."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role, User
from aftersales.compensation.selectors import compensations_to_fulfil, refunds_to_pay
from aftersales.desk.selectors import finance_payments
from aftersales.outlets.models import SettlementStatus
from aftersales.outlets.selectors import settlements_visible_to

pytestmark = pytest.mark.django_db


def _count(html: str, name: str) -> int:
    found = re.search(rf'data-test-id="count-{name}">(\d+)<', html)
    assert found, name
    return int(found.group(1))


@pytest.mark.parametrize(
    ("language", "heading", "tile"), [("zh-hans", "付款", "待付款的网点结算单"), ("en", "Payments", "outlet statement")]
)
def test_finance_sees_what_waits_for_its_payment(demo_output, language, heading, tile):
    finance = User.objects.filter(role=Role.FINANCE, is_active=True).order_by("id").first()
    assert finance is not None
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(finance)
    html = client.get(reverse("desk:home")).content.decode()
    assert 'data-test-id="today-finance-payments"' in html and f"<h2>{heading}</h2>" in html and tile in html
    counts = {name: _count(html, name) for name in ("refunds-to-pay", "compensation-to-pay", "statements-to-pay")}
    assert counts == {
        "refunds-to-pay": refunds_to_pay(user=finance).count(),
        "compensation-to-pay": compensations_to_fulfil(user=finance).count(),
        "statements-to-pay": settlements_visible_to(finance).filter(status=SettlementStatus.APPROVED).count(),
    }
    assert sum(counts.values()) > 0, "the demo leaves finance nothing to pay"
    assert 'data-test-id="today-finance-travel"' in html


def test_no_other_role_gets_the_payments(demo_output):
    for role in (Role.AGENT, Role.TECHNICIAN, Role.SUPERVISOR, Role.MARKETING):
        user = User.objects.filter(role=role, is_active=True).order_by("id").first()
        assert user is not None, role
        assert finance_payments(user=user) is None, role
