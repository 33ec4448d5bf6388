"""When and where on the customer's request form (SPEC §2.1: required for every request): the
day, the time if they know it, "around this date" or "I don't remember"; the place prefilled from
the address on file, or "same as my address on file"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.customers.models import Address, Customer
from aftersales.tickets.choices import EventKind, RequestType
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.selectors.when_where import ticket_when_where
from aftersales.tickets.when_where import Precision
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = reverse("portal:request_new")


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, language="en")
    customer = CustomerFactory(user=user, phone="+8613912345670", name="Emily Carter", language="en")
    Address.objects.create(
        customer=customer, province="江苏省", city="南京市", district="鼓楼区", detail="中山路1号", is_default=True
    )
    return user


def _client(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies.load({"django_language": language})
    return client


def _post(client: Client, **overrides: str):  # type: ignore[no-untyped-def]
    data = {
        "idempotency_key": overrides.pop("idempotency_key", "key-1"),
        "request_type": RequestType.COMPLAINT,
        "description": "The technician was rude.",
        "occurred_on": (clock.local_today() - dt.timedelta(days=4)).isoformat(),
        "occurred_time": "",
        "occurred_certainty": "given",
        "province": "江苏省",
        "city": "南京市",
        "district": "鼓楼区",
        "address": "中山路1号",
        "phone": "139 1234 5670",
    }
    data.update(overrides)
    return client.post(NEW, data)


def _error(html: str, name: str) -> str:
    return html.split(f'data-test-id="error-{name}"', 1)[1].split("</ul>", 1)[0]


def test_the_form_asks_when_with_the_address_on_file_prefilled_and_offered_as_is(customer_user):
    html = _client(customer_user).get(NEW).content.decode()
    for name in ("occurred_on", "occurred_time", "occurred_certainty", "same_address"):
        assert f'data-test-id="field-{name}"' in html
    assert "I don&#x27;t remember" in html and "Around this date" in html
    assert 'value="中山路1号"' in html and 'value="南京市"' in html


def test_without_an_address_on_file_same_as_my_address_is_not_offered():
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN)
    CustomerFactory(user=user, phone="+8613912345671")
    html = _client(user).get(NEW).content.decode()
    assert 'data-test-id="field-same_address"' not in html


@pytest.mark.parametrize(
    ("language", "when", "city"),
    [
        ("en", "Tell us the day it started, or choose “I don&#x27;t remember”.", "Tell us the city."),
        ("zh-hans", "请告诉我们开始的日期", "请告诉我们所在城市"),
    ],
)
def test_every_request_needs_when_and_where_said_on_the_field(customer_user, language, when, city):  # type: ignore[no-untyped-def]
    response = _post(_client(customer_user, language), occurred_on="", city="", address="")
    assert response.status_code == 200
    html = response.content.decode()
    assert when in _error(html, "occurred_on") and city in _error(html, "city")
    assert 'href="#id_occurred_on"' in html.split('data-test-id="portal-request-errors"', 1)[1]
    assert not Ticket.objects.exists()


def test_a_day_only_and_around_this_date_are_kept(customer_user):
    assert _post(_client(customer_user), occurred_on="2026-06-01", occurred_certainty="about").status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.occurred_at == dt.datetime(2026, 5, 31, 16, 0, tzinfo=dt.UTC)  # 2026-06-01 00:00 in Shanghai
    facts = ticket_when_where(ticket)
    assert (facts.precision, facts.about, facts.complete) == (Precision.DAY, True, True)


def test_i_dont_remember_registers_the_request_without_a_date(customer_user):
    assert _post(_client(customer_user), occurred_on="", occurred_certainty="unknown").status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.occurred_at is None
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.CREATED).data["occurred_precision"] == Precision.UNKNOWN
    assert ticket_when_where(ticket).complete


def test_a_future_day_is_refused(customer_user):
    tomorrow = (clock.local_today() + dt.timedelta(days=1)).isoformat()
    html = _post(_client(customer_user), occurred_on=tomorrow).content.decode()
    assert "cannot be in the future" in _error(html, "occurred_on")
    assert not Ticket.objects.exists()


def test_same_as_my_address_uses_the_address_on_file_whatever_is_typed(customer_user):
    response = _post(_client(customer_user), same_address="on", province="", city="", district="", address="")
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.province, ticket.city, ticket.district, ticket.address) == ("江苏省", "南京市", "鼓楼区", "中山路1号")
    assert Address.objects.filter(customer=Customer.objects.get(user=customer_user)).count() == 1
