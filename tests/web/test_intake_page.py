import datetime as dt
import uuid

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import Channel, Priority, RequestType
from aftersales.tickets.models import Ticket
from tests.clients import client_for
from tests.factories import CustomerFactory, ProductUnitFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

INTAKE = reverse("tickets:intake")


def intake_post(**overrides) -> dict:
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "phone": "138 1234 5678",
        "customer_name": "张伟",
        "email": "",
        "serial_number": "",
        "product_model_code": "",
        "batch": "",
        "purchase_date": "",
        "request_type": RequestType.REPAIR,
        "category": "",
        "priority": str(Priority.NORMAL),
        "occurred_on": "",
        "occurred_time": "",
        "occurred_certainty": "unknown",  # said outright: the customer doesn't remember
        "province": "广东省",
        "city": "佛山市",
        "district": "顺德区",
        "address": "北滘镇美的大道 6 号",
        "title": "",
        "description": "空调漏水，室内机滴水到地板上。",
    }
    data.update(overrides)
    return data


def test_intake_form_renders_with_a_fresh_idempotency_key_each_time(agent_client):
    first = agent_client.get(INTAKE)
    second = agent_client.get(INTAKE)
    assert first.status_code == 200
    key_1 = first.context["form"]["idempotency_key"].value()
    key_2 = second.context["form"]["idempotency_key"].value()
    assert key_1
    assert key_1 != key_2
    assert f'value="{key_1}"' in first.content.decode()


def test_happy_path_registers_one_hotline_ticket_and_shows_its_number(agent, agent_client):
    response = agent_client.post(
        INTAKE,
        intake_post(
            category="product_quality",
            occurred_on="2026-03-02",
            occurred_time="09:30",
            occurred_certainty="given",
            purchase_date="2026-01-05",
        ),
        follow=True,
    )
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert response.redirect_chain == [(reverse("tickets:detail", args=[ticket.number]), 302)]
    html = response.content.decode()
    assert f'data-test-id="ticket-number">{ticket.number}</strong>' in html
    assert ticket.channel == Channel.HOTLINE
    assert ticket.created_by == agent
    assert ticket.customer.phone == "+8613812345678"
    assert ticket.category.code == "product_quality"
    assert ticket.reported_purchase_date == dt.date(2026, 1, 5)
    assert ticket.occurred_at.isoformat() == "2026-03-02T01:30:00+00:00"  # 09:30 in Shanghai
    assert ticket.district == "顺德区"


def test_a_double_submit_with_the_same_key_creates_one_ticket(agent_client):
    data = intake_post()
    first = agent_client.post(INTAKE, data)
    second = agent_client.post(INTAKE, data, follow=True)
    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert first.url == second.redirect_chain[-1][0] == reverse("tickets:detail", args=[ticket.number])
    assert f'data-test-id="ticket-number">{ticket.number}</strong>' in second.content.decode()


def test_a_bad_phone_shows_the_error_next_to_the_phone_field(agent_client):
    response = agent_client.post(INTAKE, intake_post(phone="12345"), headers={"Accept-Language": "en"})
    assert response.status_code == 200
    html = response.content.decode()
    error_at = html.index('data-test-id="error-phone"')
    # The error sits inside the phone field's block: the nearest field opened before it is the phone.
    assert html.rindex('data-test-id="field-', 0, error_at) == html.rindex('data-test-id="field-phone"', 0, error_at)
    assert "该电话号码不存在，请核对号码。" in html  # in the Chinese default UI
    assert Ticket.objects.count() == 0
    # The agent's input is kept, and the same key is kept (nothing was created under it).
    assert response.context["form"]["customer_name"].value() == "张伟"


def test_every_service_error_is_shown_next_to_its_own_field(agent_client):
    response = agent_client.post(
        INTAKE,
        intake_post(phone="", customer_name=" ", description="", product_model_code="NO-SUCH-MODEL"),
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) >= {"phone", "customer_name", "description", "product_model_code"}
    html = response.content.decode()
    for name in ("phone", "customer_name", "description", "product_model_code"):
        assert f'data-test-id="error-{name}"' in html


def test_errors_are_in_the_users_language(agent_client):
    response = agent_client.post(INTAKE, intake_post(description=""))
    assert response.status_code == 200
    assert response.context["form"].errors["description"]
    assert '<html lang="zh-hans">' in response.content.decode()


def test_after_an_error_the_lookups_run_again_for_what_was_typed(agent_client):
    response = agent_client.post(INTAKE, intake_post(description="", serial_number="SN-1"))
    form = response.context["form"]
    assert form["phone"].field.widget.attrs["hx-trigger"].endswith(", load")
    assert form["serial_number"].field.widget.attrs["hx-trigger"].endswith(", load")
    fresh = agent_client.get(INTAKE).context["form"]
    assert "load" not in fresh["phone"].field.widget.attrs["hx-trigger"]


def test_an_unparseable_date_is_refused_by_the_form_without_a_500(agent_client):
    response = agent_client.post(INTAKE, intake_post(purchase_date="2026-13-45"))
    assert response.status_code == 200
    assert "purchase_date" in response.context["form"].errors
    assert Ticket.objects.count() == 0


def test_a_safety_hazard_makes_the_ticket_urgent(agent_client):
    agent_client.post(INTAKE, intake_post(safety_hazard="on", description="插座冒烟，有焦味"))
    ticket = Ticket.objects.get()
    assert ticket.safety_hazard is True
    assert ticket.priority == Priority.URGENT


def test_a_reused_key_with_different_input_is_refused_and_a_new_key_offered(agent_client):
    data = intake_post()
    agent_client.post(INTAKE, data)
    changed = {**data, "description": "改了描述：冰箱不制冷"}
    response = agent_client.post(INTAKE, changed, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert Ticket.objects.count() == 1
    assert "此幂等键已用于另一个请求。" in response.content.decode()
    new_key = response.context["form"]["idempotency_key"].value()
    assert new_key != data["idempotency_key"]
    agent_client.post(INTAKE, {**changed, "idempotency_key": new_key})
    assert Ticket.objects.count() == 2


def test_customers_cannot_open_the_intake_form():
    customer_user = UserFactory(role=Role.CUSTOMER)
    assert client_for(customer_user).get(INTAKE).status_code == 403


# --- Lookups -------------------------------------------------------------------------------


def test_customer_lookup_shows_a_known_customer_with_recent_tickets(agent, agent_client):
    customer = CustomerFactory(name="王芳", phone="+8613912345678", tier="key")
    ticket = make_ticket(actor=agent, phone="13912345678", customer_name="王芳", description="洗衣机不脱水")
    response = agent_client.get(reverse("tickets:customer_lookup"), {"phone": "139 1234 5678"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-test-id="customer-found"' in html
    assert "王芳" in html
    assert customer.get_tier_display() in html
    assert ticket.number in html
    assert 'data-fill-target="id_customer_name" data-fill-value="王芳"' in html


def test_customer_lookup_lists_only_tickets_the_agent_may_see(agent, agent_client):
    CustomerFactory(phone="+8613912345678")
    own = make_ticket(actor=agent, phone="13912345678")
    other = make_ticket(actor=UserFactory(), phone="13912345678")
    html = agent_client.get(reverse("tickets:customer_lookup"), {"phone": "13912345678"}).content.decode()
    assert 'data-test-id="customer-found"' in html
    assert own.number in html
    assert other.number not in html


def test_customer_lookup_says_new_customer_or_asks_for_the_full_number(agent_client):
    url = reverse("tickets:customer_lookup")
    assert 'data-test-id="customer-new"' in agent_client.get(url, {"phone": "13700001111"}).content.decode()
    assert 'data-test-id="customer-incomplete"' in agent_client.get(url, {"phone": "137"}).content.decode()
    assert agent_client.get(url, {"phone": ""}).content.decode().strip() == ""


def test_customer_lookup_refuses_a_role_without_need():
    # Issue 21: the lookup answers only who registers tickets (tests/security/test_lookup_scope.py).
    CustomerFactory(name="王芳", phone="+8613912345678")
    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    response = client_for(warehouse).get(reverse("tickets:customer_lookup"), {"phone": "13912345678"})
    assert response.status_code == 403
    assert "王芳" not in response.content.decode()


def test_unit_lookup_shows_model_batch_purchase_date_and_warranty(agent_client):
    unit = ProductUnitFactory(serial_number="SN2026ABC123", batch="B20260301", purchase_date=dt.date(2026, 5, 1))
    response = agent_client.get(reverse("tickets:unit_lookup"), {"serial_number": "sn2026abc123"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-test-id="unit-found"' in html
    assert unit.model.code in html
    assert "B20260301" in html
    assert "2026-05-01" in html
    assert 'data-test-id="warranty-state"' in html
    assert 'data-test-id="warranty-reason"' in html
    assert response.context["warranty"].reason in html


def test_unit_lookup_says_not_registered(agent_client):
    html = agent_client.get(reverse("tickets:unit_lookup"), {"serial_number": "NOPE-1"}).content.decode()
    assert 'data-test-id="unit-unknown"' in html
    assert "NOPE-1" in html


def test_lookups_need_staff(client):
    customer_user = UserFactory(role=Role.CUSTOMER)
    assert client.get(reverse("tickets:customer_lookup"), {"phone": "13912345678"}).status_code == 302
    assert client_for(customer_user).get(reverse("tickets:unit_lookup"), {"serial_number": "X"}).status_code == 403


def test_registering_with_a_known_serial_links_the_unit(agent_client):
    unit = ProductUnitFactory()
    agent_client.post(INTAKE, intake_post(serial_number=unit.serial_number.lower()))
    assert Ticket.objects.get().product_unit == unit
