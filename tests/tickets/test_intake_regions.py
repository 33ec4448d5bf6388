"""A ticket lands in the region that serves its address, whichever channel it came through — the
hotline form, the API, WeChat through the API, a store's system, e-mail — so the region's
supervisor sees it, decides its approval, and its webhooks and counts carry the region."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope, Region, RegionArea, Role
from aftersales.customers.models import Address, Customer
from aftersales.customers.services import customer_add_address, customer_create
from aftersales.mailin.services import mailin_process, mailin_store
from aftersales.notifications.models import Notification
from aftersales.tickets.choices import Channel
from aftersales.tickets.models import ApprovalRule, MeasureKind, Ticket, TicketCount
from aftersales.tickets.process import ticket_decide_approval, ticket_submit_plan
from aftersales.tickets.states import TicketStatus
from aftersales.webhooks.models import Delivery, Event
from aftersales.webhooks.services import webhook_subscription_create
from tests.accounts.test_regions import demo_regions
from tests.api.conftest import api_client
from tests.factories import UserFactory, make_ticket
from tests.mailin.corpus import SUPPORT, plain

from .process_helpers import agent, analysed, refreshed, repair_plan

pytestmark = pytest.mark.django_db

NEW = {"customer_name": "王芳", "phone": "13911112222", "description": "洗衣机脱水时噪音很大。"}


@pytest.fixture
def regions() -> dict[str, Region]:
    return demo_regions()


@pytest.fixture
def east_supervisor(regions):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=regions["east"], username="east-lead")


@pytest.fixture
def south_supervisor(regions):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=regions["south"], username="south-lead")


def _logged_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _customer_at(province: str, city: str, *, phone: str = "", email: str = "") -> Customer:
    customer = customer_create(name="赵敏", phone=phone, email=email, region=None)
    customer_add_address(customer=customer, province=province, city=city, detail="人民路 1 号")
    return customer


# --- Each channel ------------------------------------------------------------------------------


def test_a_ticket_from_the_api_with_province_jiangsu_lands_in_east_china(regions, east_supervisor, south_supervisor):
    staff = agent()
    response = api_client(staff).post("/api/v1/tickets", {**NEW, "province": "江苏", "city": "南京"})
    assert response.status_code == 201, response.json()
    assert response.json()["region"] == "east"
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.region == regions["east"]
    assert ticket.customer.region == regions["east"]  # the new customer is where their address is
    # The region's supervisor opens it; another region's does not.
    page = reverse("tickets:detail", args=[ticket.number])
    assert _logged_in(east_supervisor).get(page).status_code == 200
    assert _logged_in(south_supervisor).get(page).status_code == 404
    assert api_client(east_supervisor).get(f"/api/v1/tickets/{ticket.number}").status_code == 200


def test_wechat_through_the_api_finds_the_region_of_the_customers_province(regions):
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN)
    Customer.objects.create(name="李娜", phone="+8613800000009", user=user)
    response = api_client(user).post(
        "/api/v1/tickets", {**NEW, "channel": "wechat", "phone": "13800000009", "province": "广西壮族自治区", "city": "南宁市"}
    )
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert (ticket.channel, ticket.region) == (Channel.WECHAT, regions["south"])


def test_the_hotline_form_derives_the_region_from_the_typed_province(regions):
    handler = agent()
    response = _logged_in(handler).post(
        reverse("tickets:intake"),
        {
            "idempotency_key": uuid.uuid4().hex,
            "phone": "139 0000 1111",
            "customer_name": "周杰",
            "request_type": "repair",
            "priority": "3",
            "province": "上海",
            "city": "上海",
            "address": "漕溪北路 88 号",
            "occurred_certainty": "unknown",
            "description": "热水器不点火。",
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(contact_phone="+8613900001111")
    assert (ticket.channel, ticket.region) == (Channel.HOTLINE, regions["east"])


def test_a_store_counter_ticket_without_an_address_takes_the_customers_default_address(regions):
    customer = _customer_at("湖北省", "武汉市", phone="13700001111")
    assert customer.region == regions["central"]
    response = api_client(agent()).post("/api/v1/tickets", {**NEW, "channel": "store", "phone": "13700001111"})
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert (ticket.channel, ticket.customer_id, ticket.region) == (Channel.STORE, customer.pk, regions["central"])


def test_an_email_from_a_customer_with_an_address_lands_in_their_region(regions, settings):
    settings.MAILIN_ADDRESS = f"售后服务 <{SUPPORT}>"
    _customer_at("浙江", "杭州", email="li.na@example.com")
    stored = mailin_store(raw=plain(sender="李娜 <li.na@example.com>"), source="imap").message
    mailin_process(message_id=stored.pk)
    stored.refresh_from_db()
    assert stored.ticket is not None
    assert (stored.ticket.channel, stored.ticket.region) == (Channel.EMAIL, regions["east"])


def test_the_tickets_address_wins_over_the_customers_and_the_keys_region(regions):
    customer = _customer_at("广东", "广州", phone="13700002222")
    key_for_north = api_client(agent(), region=regions["north"])
    response = key_for_north.post("/api/v1/tickets", {**NEW, "phone": "13700002222", "province": "Sichuan"})
    assert response.status_code == 201, response.json()
    assert Ticket.objects.get(number=response.json()["number"]).region == regions["southwest"]
    # Without an address on the ticket: the customer's default address.
    response = key_for_north.post("/api/v1/tickets", {**NEW, "phone": "13700002222", "description": "又坏了。"})
    assert Ticket.objects.get(number=response.json()["number"]).region == regions["south"]
    assert Ticket.objects.filter(customer=customer).count() == 2


def test_without_an_address_the_keys_region_then_the_customers_region_then_none(regions):
    # A key limited to a region: its region, when no address names one.
    response = api_client(agent(), region=regions["north"]).post("/api/v1/tickets", {**NEW, "province": "火星"})
    assert Ticket.objects.get(number=response.json()["number"]).region == regions["north"]
    # A known customer whose region was set by hand (no address): their region.
    Customer.objects.create(name="孙丽", phone="+8613600003333", region=regions["northeast"])
    assert make_ticket(phone="13600003333").region == regions["northeast"]
    # Nothing to go on: no region (the supervisors' "no region" queue), for a new customer too.
    ticket = make_ticket(phone="13600004444", province="火星", city="奥林匹斯")
    assert ticket.region is None and ticket.customer.region is None
    assert make_ticket(phone="13600005555").region is None


def test_a_customer_gets_the_region_of_the_address_they_add_but_keeps_one_set_before(regions):
    customer = customer_create(name="吴军", phone="13500001111")
    assert customer.region is None
    customer_add_address(customer=customer, province="Liaoning", city="Shenyang", detail="中街 1 号")
    assert Customer.objects.get(pk=customer.pk).region == regions["northeast"]
    customer_add_address(customer=customer, province="广东", city="深圳", detail="深南大道 1 号")
    assert Customer.objects.get(pk=customer.pk).region == regions["northeast"]
    assert Address.objects.filter(customer=customer, is_default=True).get().province == "广东"


def test_the_region_costs_no_query_per_intake_once_the_table_is_cached(regions):
    make_ticket(phone="13400000001", province="江苏")  # warms the table (and the day's counter)
    with CaptureQueriesContext(connection) as queries:
        ticket = make_ticket(phone="13400000002", province="江苏省", city="苏州市")
    assert ticket.region == regions["east"]
    touched = [q["sql"] for q in queries.captured_queries if "accounts_region" in q["sql"] or "customers_address" in q["sql"]]
    assert touched == []


# --- What follows from the region ----------------------------------------------------------------


def test_the_approval_of_an_api_ticket_goes_to_its_regions_supervisor(regions, east_supervisor, south_supervisor):
    ApprovalRule.objects.create(name="补偿需审批", measure_kind=MeasureKind.COMPENSATION, min_amount=Decimal("0"))
    administrator = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    handler = agent()
    response = api_client(handler).post("/api/v1/tickets", {**NEW, "province": "江苏"})
    ticket = analysed(Ticket.objects.get(number=response.json()["number"]), handler)
    repair_plan(ticket, handler, kind=MeasureKind.COMPENSATION, amount="300")
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    assert ticket.status == TicketStatus.AWAITING_APPROVAL
    asked = set(Notification.objects.filter(template="plan_approval_requested").values_list("recipient", flat=True))
    assert str(east_supervisor.pk) in asked
    assert str(south_supervisor.pk) not in asked and str(administrator.pk) not in asked
    ticket_decide_approval(ticket=ticket, actor=east_supervisor, approve=True, comment="同意")
    assert refreshed(ticket).status == TicketStatus.AWAITING_CUSTOMER


def test_webhooks_and_counts_carry_the_derived_region(regions, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    admin = UserFactory(role=Role.ADMINISTRATOR)
    for code in ("east", "south"):
        webhook_subscription_create(
            actor=admin, name=code, target_url=f"http://127.0.0.1:9/{code}", event_types=["ticket.created"], region=regions[code]
        )
    response = api_client(agent()).post("/api/v1/tickets", {**NEW, "province": "Jiangsu"})
    ticket = Ticket.objects.get(number=response.json()["number"])
    event = Event.objects.get(event_type="ticket.created")
    assert event.region == regions["east"]
    assert event.payload["data"]["ticket"]["region"] == "east"
    assert list(Delivery.objects.values_list("subscription__name", flat=True)) == ["east"]
    counted = TicketCount.objects.filter(status=ticket.status, region_key=regions["east"].pk).aggregate(n=Sum("n"))["n"]
    assert counted == 1
    assert not TicketCount.objects.filter(region_key=0).exclude(n=0).exists()


def test_a_rows_change_in_the_admin_table_reaches_the_next_intake(regions):
    assert make_ticket(phone="13300000001", province="台湾").region is None
    RegionArea.objects.create(region=regions["south"], province="Taiwan")
    assert make_ticket(phone="13300000002", province="台湾省").region == regions["south"]
