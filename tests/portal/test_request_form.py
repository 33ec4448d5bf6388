"""Audit 3, finding 17: the portal's request form does not make customers fail — an unknown
model number is passed on as typed, the errors are summed up on top with links to their fields,
and the first request's address is kept for the next one. When and where are required for every
request (SPEC §2.1; tests/portal/test_request_when_where.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.customers.models import Address, Customer
from aftersales.tickets.choices import RequestType
from aftersales.tickets.models import Ticket
from tests.factories import CustomerFactory, ProductModelFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW = "portal:request_new"


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, language="en")
    CustomerFactory(user=user, phone="+8613912345670", name="Emily Carter", language="en")
    return user


def _client(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies.load({"django_language": language})
    return client


def _post(client: Client, **overrides):  # type: ignore[no-untyped-def]
    data = {
        "idempotency_key": overrides.pop("idempotency_key", "key-1"),
        "request_type": RequestType.REPAIR,
        "serial_number": "",
        "product_model_code": "",
        "description": "The air conditioner does not cool.",
        "occurred_on": (clock.local_today() - dt.timedelta(days=2)).isoformat(),
        "occurred_time": "",
        "occurred_certainty": "given",
        "province": "上海市",
        "city": "上海市",
        "district": "徐汇区",
        "address": "漕溪北路88号",
        "phone": "139 1234 5670",
    }
    data.update(overrides)
    return client.post(reverse(NEW), data)


def test_the_model_number_is_optional_and_says_so(customer_user):
    page = _client(customer_user).get(reverse(NEW)).content.decode()
    assert "leave it empty if you don&#x27;t know it" in page or "leave it empty if you don't know it" in page


def test_an_unknown_model_number_is_passed_on_as_typed(customer_user):
    response = _post(_client(customer_user), product_model_code=" KFR-35GW ")
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.product_model is None
    assert ticket.description.endswith("Model number (as typed): KFR-35GW")


def test_a_known_model_number_is_found_whatever_the_case(customer_user):
    model = ProductModelFactory(code="KFR-26GW/A1")
    assert _post(_client(customer_user), product_model_code="kfr-26gw/a1").status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.product_model == model and "kfr-26gw" not in ticket.description.lower()


@pytest.mark.parametrize("kind", [RequestType.COMPLAINT, RequestType.CONSULTATION])
def test_a_complaint_or_a_question_needs_where_too(customer_user, kind):
    response = _post(_client(customer_user), request_type=kind, province="", city="", district="", address="")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="error-city"' in html and 'data-test-id="error-address"' in html
    assert not Ticket.objects.exists() and not Address.objects.exists()


@pytest.mark.parametrize("kind", [RequestType.REPAIR, RequestType.INSTALLATION, RequestType.RETURN, RequestType.EXCHANGE])
def test_a_visit_needs_the_address_and_the_errors_are_summed_up_on_top(customer_user, kind):
    response = _post(_client(customer_user), request_type=kind, address="", description=" ")
    assert response.status_code == 200
    html = response.content.decode()
    summary = html.split('data-test-id="portal-request-errors"', 1)[1].split("</div>", 1)[0]
    assert html.index('data-test-id="portal-request-errors"') < html.index('data-test-id="field-request_type"')
    head = html.split('data-test-id="portal-request-errors"', 1)[0].rsplit("<div", 1)[1]
    assert 'role="alert"' in head and "autofocus" in head and 'tabindex="-1"' in head
    assert "Your request was not sent yet. Please check:" in summary
    # Each refused field, in the page's order, linked to its input.
    links = ['href="#id_description"', 'href="#id_address"']
    positions = [summary.index(link) for link in links]
    assert positions == sorted(positions)
    assert "Street address: Tell us where the product is." in summary
    for name in ("description", "address"):
        assert f'id="id_{name}"' in html and f'data-test-id="error-{name}"' in html
    assert Ticket.objects.count() == 0


def test_the_summary_is_in_chinese_for_a_chinese_page(customer_user):
    html = _post(_client(customer_user, "zh-hans"), address="").content.decode()
    summary = html.split('data-test-id="portal-request-errors"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_address"' in summary and "Please check" not in summary and "请" in summary


def test_the_first_requests_address_is_saved_audited_and_prefilled_next_time(customer_user):
    client = _client(customer_user)
    assert _post(client).status_code == 302
    customer = Customer.objects.get(user=customer_user)
    address = Address.objects.get(customer=customer)
    assert (address.province, address.city, address.district, address.detail, address.is_default) == (
        "上海市",
        "上海市",
        "徐汇区",
        "漕溪北路88号",
        True,
    )
    row = AuditEvent.objects.get(action=CustomerAudit.ADDRESS_ADDED, object_id=str(customer.pk))
    assert row.actor_id == customer_user.pk
    page = client.get(reverse(NEW)).content.decode()
    assert 'value="漕溪北路88号"' in page and 'value="徐汇区"' in page
    # A later request somewhere else is the request's own: the saved address stays as it is.
    assert _post(client, idempotency_key="key-2", address="另一条路1号").status_code == 302
    assert list(Address.objects.filter(customer=customer).values_list("detail", flat=True)) == ["漕溪北路88号"]
    assert Ticket.objects.filter(address="另一条路1号").count() == 1


def test_the_province_may_be_left_out_but_then_the_address_is_not_saved(customer_user):
    response = _post(_client(customer_user), province="", city="上海市", address="中山路1号")
    assert response.status_code == 302
    assert Ticket.objects.get().address == "中山路1号"
    assert not Address.objects.exists()  # an address book entry needs its province and city
