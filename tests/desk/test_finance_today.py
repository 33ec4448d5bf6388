"""Finance's Today page: the refunds tile and the cash compensation tile each open their own
section of the compensation queues (``/compensation/#refunds-to-pay``,
``#compensation-to-fulfil``), and that section lists what the tile counts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from aftersales.compensation import services
from aftersales.tickets.models import MeasureKind
from tests.clients import client_for
from tests.compensation.helpers import agent, finance, ticket_with

pytestmark = pytest.mark.django_db


def section(html: str, anchor: str) -> str:
    found = re.search(rf'<section class="card" id="{anchor}"[^>]*>(.*?)</section>', html, re.S)
    assert found, anchor
    return found.group(1)


def test_each_payment_tile_opens_its_own_section_of_the_queues() -> None:
    handler = agent()
    _ticket, refund_measure = ticket_with(actor=handler)
    refund = services.refund_request(measure=refund_measure, actor=handler, method="original", price_paid="1000", fees="0")
    _other, cash_measure = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="200")
    cash = services.compensation_request(measure=cash_measure, actor=handler, kind="cash", amount="200", reason="服务延误")
    client = client_for(finance())
    today = client.get(reverse("desk:today")).content.decode()
    queues = reverse("compensation:queues")
    tiles = {
        "refunds-to-pay": ("tile-refunds-to-pay", "count-refunds-to-pay", refund.number),
        "compensation-to-fulfil": ("tile-compensation-to-pay", "count-compensation-to-pay", cash.number),
    }
    page = client.get(queues).content.decode()
    for anchor, (tile, count, number) in tiles.items():
        assert f'href="{queues}#{anchor}" data-test-id="{tile}"' in today
        assert f'data-test-id="{count}">1<' in today
        listed = section(page, anchor)
        assert number in listed, anchor
    assert refund.number not in section(page, "compensation-to-fulfil")
    assert cash.number not in section(page, "refunds-to-pay")
    assert page.count('id="refunds-to-pay"') == 1 and page.count('id="compensation-to-fulfil"') == 1
