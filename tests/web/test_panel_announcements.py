"""Accessibility audit (WCAG 2.1 AA): the ticket page's panels (appraisal, 三包 remedies,
compensation steps, returns) carry ``data-sr-status`` on the fragment that answers a successful
POST, and only then (a refusal and a plain load announce nothing through it)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.compensation import services as compensation_services
from aftersales.core import clock
from aftersales.tickets.models import MeasureKind
from tests.appraisal.helpers import agent as appraisal_agent
from tests.appraisal.helpers import ticket_with_unit
from tests.clients import client_for
from tests.compensation.helpers import agent as compensation_agent
from tests.compensation.helpers import finance, ticket_with
from tests.remedies.helpers import agent as remedies_agent
from tests.remedies.helpers import ticket_on, unit_sold
from tests.returns.helpers import world

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


class _SrStatus(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "data-sr-status":
                self.texts.append(value or "")


def sr_status(html: bytes | str) -> list[str]:
    parser = _SrStatus()
    parser.feed(html.decode() if isinstance(html, bytes) else html)
    return parser.texts


def english(client: Client) -> Client:
    client.cookies.load({"django_language": "en"})
    return client


def test_the_appraisal_panel_announces_a_request_but_not_a_refusal():
    requester = appraisal_agent()
    ticket = ticket_with_unit(actor=requester)
    client = english(client_for(requester))
    panel = client.get(reverse("appraisal:ticket_panel", args=[ticket.number]), headers=HX)
    assert sr_status(panel.content) == []
    refused = client.post(reverse("appraisal:request", args=[ticket.number]), {"place": "moon"}, headers=HX)
    assert b'data-test-id="error-place"' in refused.content and sr_status(refused.content) == []
    done = client.post(reverse("appraisal:request", args=[ticket.number]), {"place": "outlet", "note": "x"}, headers=HX)
    assert sr_status(done.content) == ["The appraisal was requested."]


def test_the_remedies_panel_announces_a_recorded_choice():
    handler = remedies_agent()
    today = clock.local_today()
    ticket = ticket_on(unit_sold(today - dt.timedelta(days=5)), today, actor=handler)
    client = english(client_for(handler))
    url = reverse("remedies:decide", args=[ticket.number])
    refused = client.post(url, {"remedy": "repair_paid", "reason": ""}, headers=HX)
    assert b'data-test-id="error-reason"' in refused.content and sr_status(refused.content) == []
    done = client.post(url, {"remedy": "exchange", "reason": ""}, headers=HX)
    assert sr_status(done.content) == ["The remedy was recorded."]


def test_the_compensation_steps_announce_a_saved_step_only():
    handler = compensation_agent()
    _ticket, measure = ticket_with(actor=handler)
    refund = compensation_services.refund_request(measure=measure, actor=handler, method="original", price_paid="1000", fees="0")
    cashier = english(client_for(finance()))
    url = reverse("compensation:refund_step", args=[refund.number, "fulfil"])
    empty = cashier.post(url, {"payment_reference": "", "version": refund.version}, headers=HX)
    assert b'data-test-id="error-payment_reference"' in empty.content and sr_status(empty.content) == []
    done = cashier.post(url, {"payment_reference": "BANK-77", "version": refund.version}, headers=HX)
    assert b'data-status="paid"' in done.content and sr_status(done.content) == ["Saved."]
    page = cashier.get(reverse("compensation:refund", args=[refund.number])).content
    assert sr_status(page) == []


def test_the_return_page_announces_a_done_step():
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    keeper = client_for(w.keeper)
    page = keeper.get(reverse("returns:detail", args=[rma.number])).content
    assert sr_status(page) == []
    step = reverse("returns:step", args=[rma.number, "receive"])
    answer = keeper.post(step, {"version": rma.version, "note": "外箱完好"}, headers=HX)
    (text,) = sr_status(answer.content)
    assert rma.number in text
    stale = keeper.post(step, {"version": rma.version, "note": "again"}, headers=HX)
    assert sr_status(stale.content) == []
