"""When and where on the agent's intake page (SPEC §2.1: required), as a hotline agent can take
them — a date without a time, "about then", "unknown" said outright, "same as the customer's
address" — and a ticket from the API without them shown as incomplete at verification, whose
"Request information" starts from the missing facts."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.customers.models import Address, Customer
from aftersales.tickets.choices import Channel, EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.selectors.when_where import WHEN, WHERE, missing_request_text, ticket_when_where
from aftersales.tickets.services.details import ticket_correct_details
from aftersales.tickets.when_where import Precision
from tests.clients import client_for_language
from tests.factories import CustomerFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

INTAKE = reverse("tickets:intake")


@pytest.fixture
def agent():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


def _days_ago(days: int) -> str:
    return (clock.local_today() - dt.timedelta(days=days)).isoformat()


def _post(**overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "phone": "138 1234 5678",
        "customer_name": "张伟",
        "request_type": "repair",
        "priority": "3",
        "description": "空调漏水，室内机滴水到地板上。",
        "occurred_on": _days_ago(3),
        "occurred_time": "",
        "occurred_certainty": "given",
        "province": "广东省",
        "city": "佛山市",
        "district": "顺德区",
        "address": "北滘镇美的大道 6 号",
    }
    data.update(overrides)
    return data


def _registered(agent, **overrides: str) -> Ticket:  # type: ignore[no-untyped-def]
    response = client_for_language(agent, "en").post(INTAKE, _post(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Ticket.objects.get()


def _created_data(ticket: Ticket) -> dict:  # type: ignore[type-arg]
    return TicketEvent.objects.get(ticket=ticket, kind=EventKind.CREATED).data


def _page(agent, ticket: Ticket, language: str = "en") -> str:  # type: ignore[no-untyped-def]
    return client_for_language(agent, language).get(reverse("tickets:detail", args=[ticket.number])).content.decode()


def _occurred_shown(html: str) -> str:
    return html.split('data-test-id="detail-occurred">', 1)[1].split("</dd>", 1)[0]


def test_a_date_without_a_time_is_its_local_day_and_the_page_shows_the_day_only(agent):
    ticket = _registered(agent, occurred_on="2026-03-02")
    local = dt.datetime(2026, 3, 2, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert ticket.occurred_at == local
    assert _created_data(ticket)["occurred_precision"] == Precision.DAY
    assert _occurred_shown(_page(agent, ticket)) == "2026-03-02"


@pytest.mark.parametrize(("language", "shown"), [("en", "about 2026-03-02 09:30"), ("zh-hans", "约 2026-03-02 09:30")])
def test_an_approximate_date_and_time_is_said_to_be_approximate(agent, language, shown):  # type: ignore[no-untyped-def]
    ticket = _registered(agent, occurred_on="2026-03-02", occurred_time="09:30", occurred_certainty="about")
    assert ticket.occurred_at.isoformat() == "2026-03-02T01:30:00+00:00"
    data = _created_data(ticket)
    assert (data["occurred_precision"], data["occurred_about"]) == (Precision.TIME, True)
    assert _occurred_shown(_page(agent, ticket, language)) == shown


@pytest.mark.parametrize(
    ("language", "shown"), [("en", "Unknown (the customer doesn't remember)"), ("zh-hans", "不详（客户记不清）")]
)
def test_unknown_is_an_answer_not_a_gap(agent, language, shown):  # type: ignore[no-untyped-def]
    ticket = _registered(agent, occurred_on=_days_ago(1), occurred_certainty="unknown")  # a typed date is ignored
    assert ticket.occurred_at is None
    facts = ticket_when_where(ticket)
    assert (facts.precision, facts.complete) == (Precision.UNKNOWN, True)
    html = _page(agent, ticket, language)
    assert shown in _occurred_shown(html).replace("&#x27;", "'")
    assert 'data-test-id="when-where-missing"' not in html


@pytest.mark.parametrize(
    ("language", "when", "city", "address"),
    [
        (
            "en",
            "Enter the date it happened, or choose “Unknown — the customer doesn&#x27;t remember”.",
            "Enter the city where it happened.",
            "Enter the address: where the product is, or where it happened.",
        ),
        ("zh-hans", "请填写发生日期", "请填写发生地所在城市", "请填写地址"),
    ],
)
def test_without_when_and_where_nothing_is_registered_and_each_field_says_why(agent, language, when, city, address):  # type: ignore[no-untyped-def]
    response = client_for_language(agent, language).post(INTAKE, _post(occurred_on="", city="", address=""))
    assert response.status_code == 200
    html = response.content.decode()
    for name, message in (("occurred_on", when), ("city", city), ("address", address)):
        error = html.split(f'data-test-id="error-{name}"', 1)[1].split("</ul>", 1)[0]
        assert message in error
    assert not Ticket.objects.exists()


def test_a_day_or_a_time_in_the_future_is_refused_on_its_own_field(agent):
    client = client_for_language(agent, "en")
    tomorrow = (clock.local_today() + dt.timedelta(days=1)).isoformat()
    html = client.post(INTAKE, _post(occurred_on=tomorrow)).content.decode()
    assert "The date it happened cannot be in the future." in html.split('data-test-id="error-occurred_on"', 1)[1]
    later = clock.local_now() + dt.timedelta(hours=2)
    if later.date() == clock.local_today():  # a time later today (not testable just before midnight)
        html = client.post(
            INTAKE, _post(occurred_on=later.date().isoformat(), occurred_time=later.strftime("%H:%M"))
        ).content.decode()
        assert "cannot be in the future" in html.split('data-test-id="error-occurred_time"', 1)[1]
    assert not Ticket.objects.exists()


def test_same_as_the_customers_address_takes_the_address_on_file(agent):
    customer = CustomerFactory(phone="+8613812345678", name="张伟")
    Address.objects.create(customer=customer, province="江苏省", city="南京市", district="鼓楼区", detail="中山路1号")
    ticket = _registered(agent, same_address="on", province="", city="", district="", address="随便写的")
    assert (ticket.province, ticket.city, ticket.district, ticket.address) == ("江苏省", "南京市", "鼓楼区", "中山路1号")
    assert ticket.customer_id == customer.pk


def test_same_as_the_customers_address_for_a_new_caller_asks_for_the_address(agent):
    response = client_for_language(agent, "zh-hans").post(INTAKE, _post(same_address="on", city="", address=""))
    assert response.status_code == 200
    error = response.content.decode().split('data-test-id="error-same_address"', 1)[1].split("</ul>", 1)[0]
    assert "没有" in error and "地址" in error
    assert not Ticket.objects.exists() and not Customer.objects.exists()


def test_the_caller_lookup_offers_the_address_on_file_to_fill_the_empty_fields(agent):
    customer = CustomerFactory(phone="+8613812345678")
    Address.objects.create(customer=customer, province="江苏省", city="南京市", district="鼓楼区", detail="中山路1号")
    html = client_for_language(agent).get(reverse("tickets:customer_lookup"), {"phone": "13812345678"}).content.decode()
    assert 'data-test-id="customer-found-address"' in html
    for target, value in (
        ("id_province", "江苏省"),
        ("id_city", "南京市"),
        ("id_district", "鼓楼区"),
        ("id_address", "中山路1号"),
    ):
        assert f'data-fill-target="{target}" data-fill-value="{value}"' in html


# --- A ticket from the API or e-mail, without them ----------------------------------------------


def test_a_ticket_without_when_and_where_is_incomplete_at_verification(agent):
    ticket = make_ticket(actor=agent, channel=Channel.API)
    assert ticket_when_where(ticket).missing == (WHEN, WHERE)
    html = _page(agent, ticket)
    assert 'data-test-id="detail-place-incomplete"' in html
    missing = html.split('data-test-id="when-where-missing"', 1)[1].split("</div>", 1)[0]
    assert "When it happened" in missing and "Where it happened (the address)" in missing
    # The verification step says so too, and its "Request information" asks for exactly that.
    start = html.split('data-test-id="action-start_verification"', 1)[1].split("</details>", 1)[0]
    assert 'data-test-id="when-where-missing"' in start


@pytest.mark.parametrize(
    ("language", "request_text"),
    [
        ("en", "when the problem happened (the date, and the time if you know it); where the product is (the full address)"),
        ("zh-hans", "问题发生的时间（日期，如记得请附具体时间）；产品所在的详细地址"),
    ],
)
def test_request_information_starts_from_the_missing_facts_in_the_customers_language(agent, language, request_text):  # type: ignore[no-untyped-def]
    from aftersales.tickets.process import ticket_start_verification

    ticket = make_ticket(actor=agent, channel=Channel.API)
    Customer.objects.filter(pk=ticket.customer_id).update(language=language)
    ticket = ticket_start_verification(ticket=Ticket.objects.select_related("customer").get(pk=ticket.pk), actor=agent)
    assert missing_request_text(Ticket.objects.select_related("customer").get(pk=ticket.pk)) == request_text
    html = _page(agent, ticket)  # the agent reads English; the request is in the customer's language
    form = html.split('data-test-id="action-request_information"', 1)[1].split("</details>", 1)[0]
    assert request_text.replace("'", "&#x27;") in form
    record = html.split('data-test-id="action-record_verification"', 1)[1].split("</details>", 1)[0]
    assert '<option value="no" selected>' in record  # not complete until the facts are there


def test_a_ticket_with_when_and_where_has_nothing_missing(agent):
    ticket = make_ticket(actor=agent, occurred_at=clock.now() - dt.timedelta(days=1), city="佛山市", address="美的大道 6 号")
    facts = ticket_when_where(ticket)
    assert facts.complete and facts.precision == Precision.TIME and not facts.about
    html = _page(agent, ticket)
    assert 'data-test-id="when-where-missing"' not in html and 'data-test-id="detail-place-incomplete"' not in html
    assert missing_request_text(ticket) == ""


def test_a_correction_of_the_time_replaces_what_intake_said_of_it(agent):
    ticket = _registered(agent, occurred_on="2026-03-02", occurred_certainty="about")
    assert ticket_when_where(Ticket.objects.get(pk=ticket.pk)).about
    corrected = ticket_correct_details(
        ticket=ticket, actor=agent, occurred_at=dt.datetime(2026, 3, 2, 14, 5, tzinfo=dt.UTC), expected_version=ticket.version
    )
    facts = ticket_when_where(Ticket.objects.get(pk=corrected.pk))
    assert (facts.precision, facts.about) == (Precision.TIME, False)
