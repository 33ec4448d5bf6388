"""The customer's ticket page shows the expected solution date they were promised (in their
language, Asia/Shanghai) with the reason, and their timeline shows the promise as our message;
once the ticket is resolved the date is no longer shown."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.promise import ticket_promise_solution_date
from aftersales.tickets.services import ticket_transition
from aftersales.tickets.states import TicketStatus as S
from tests.clock import freeze_time
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.tickets.process_helpers import agent

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
MONDAY_0900 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def _client(user, language: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"Accept-Language": language})
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


@freeze_time(MONDAY_0900)
@pytest.mark.parametrize(
    ("language", "label", "date", "said", "foreign"),
    [
        ("zh-hans", "预计解决时间：", "2026年11月26日 18:00", "预计问题将于2026年11月26日 18:00前解决", "Expected solution date"),
        (
            "en",
            "Expected solution date:",
            "2026-11-26 18:00",
            "We expect the problem to be solved by 2026-11-26 18:00",
            "预计解决时间",
        ),
    ],
)
def test_the_customer_sees_the_expected_solution_date_and_the_promise_on_their_timeline(language, label, date, said, foreign):  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, username="li.na", language=language)
    CustomerFactory(user=user, phone="+8613912345678", name="李娜", language=language)
    ticket = make_ticket(actor=user, phone="13912345678", customer_name="李娜")
    ticket_promise_solution_date(
        ticket=ticket, actor=agent(), promised_date=dt.date(2026, 11, 26), promised_time=dt.time(18, 0), reason="配件需从工厂发货"
    )
    client = _client(user, language)
    html = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    block = html[html.index('data-test-id="portal-expected-solution"') :]
    block = block[: block.index("</p>")]
    assert label in block and date in block and "配件需从工厂发货" in block
    timeline = html[html.index('data-test-id="portal-timeline"') :]
    assert said in timeline and 'data-key="message_out"' in timeline
    assert foreign not in html
    ticket = Ticket.objects.get(pk=ticket.pk)
    for status in (S.VERIFYING, S.ANALYSING, S.PLANNING, S.AWAITING_CUSTOMER, S.IN_PROGRESS, S.RESOLVED):
        ticket = ticket_transition(ticket=ticket, to_status=status, actor=None)
    html = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-test-id="portal-expected-solution"' not in html


@freeze_time(MONDAY_0900)
def test_no_expected_date_before_a_promise():
    user = UserFactory(role=Role.CUSTOMER, username="zhao.min")
    CustomerFactory(user=user, phone="+8613912345679", name="赵敏")
    ticket = make_ticket(actor=user, phone="13912345679", customer_name="赵敏")
    html = _client(user, "zh-hans").get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-test-id="portal-expected-solution"' not in html
