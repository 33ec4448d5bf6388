"""The staff's customer pages (desk.customer_views): who sees which customer, the search, the
customer's page with its service history, masking and the audit of views, editing with versions
and unique phones and codes, registering a customer, addresses, the ticket page's link."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.catalog.models import ProductUnit
from aftersales.core import clock
from aftersales.customers.models import Address, ConsentRecord, ConsentSource, Customer, CustomerTier
from aftersales.customers.services import customer_add_address, customer_set_consents
from aftersales.desk.selectors import customers as customer_selectors
from tests.clients import client_for, client_for_language
from tests.factories import CustomerFactory, ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.parts.factories import make_work_order

pytestmark = pytest.mark.django_db


def detail_url(customer: Customer) -> str:
    return reverse("desk:customer", args=[customer.pk])


def edit_url(customer: Customer) -> str:
    return reverse("desk:customer_edit", args=[customer.pk])


LIST = "/desk/customers/"


def listed(client, **params) -> list[int]:  # type: ignore[no-untyped-def]
    response = client.get(LIST, params)
    assert response.status_code == 200
    return [int(x) for x in re.findall(r'data-customer-id="(\d+)"', response.content.decode())]


@pytest.fixture
def east():
    return RegionFactory(code="east", name="华东")


@pytest.fixture
def west():
    return RegionFactory(code="west", name="西南")


@pytest.fixture
def agent(east):
    return UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east, display_name="王芳")


@pytest.fixture
def supervisor():
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="李主管")


def test_the_list_is_at_the_documented_address():
    assert reverse("desk:customers") == LIST


# --- Who gets in ------------------------------------------------------------------------------


def test_customers_and_anonymous_visitors_get_no_customer_page(east):
    customer = CustomerFactory(region=east)
    portal_user = UserFactory(role=Role.CUSTOMER)
    customer.user = portal_user
    customer.save()
    as_customer = client_for(portal_user)
    for url in (LIST, detail_url(customer), edit_url(customer), reverse("desk:customer_new")):
        assert as_customer.get(url).status_code == 403, url
        anonymous = Client().get(url)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], url
    assert as_customer.post(edit_url(customer), {"name": "x"}).status_code == 403


def test_staff_see_the_customers_of_their_region_and_tickets_only(agent, east, west, supervisor):
    mine = CustomerFactory(region=east, name="东区客户")
    theirs = CustomerFactory(region=west, name="西区客户")
    via_ticket = Customer.objects.get(pk=make_ticket(actor=agent, phone="13911112222", customer_name="来电客户").customer_id)
    Customer.objects.filter(pk=via_ticket.pk).update(region=west)

    client = client_for(agent)
    assert set(listed(client)) == {mine.pk, via_ticket.pk}
    assert client.get(detail_url(mine)).status_code == 200
    assert client.get(detail_url(theirs)).status_code == 404
    assert client.get(edit_url(theirs)).status_code == 404
    assert set(listed(client_for(supervisor))) >= {mine.pk, theirs.pk, via_ticket.pk}


def test_a_technician_sees_only_the_customers_of_their_work_orders_masked(east):
    technician = UserFactory(role=Role.TECHNICIAN, region=east, data_scope=DataScope.OWN)
    ticket = make_ticket(phone="13912345678", customer_name="上门客户")
    make_work_order(ticket=ticket, technician=technician)
    other = CustomerFactory(region=east)
    client = client_for(technician)

    assert listed(client) == [ticket.customer_id]
    assert client.get(reverse("desk:customer", args=[other.pk])).status_code == 404
    page = client.get(reverse("desk:customer", args=[ticket.customer_id])).content.decode()
    assert "139 **** 5678" in page and "139 1234 5678" not in page
    assert 'data-test-id="customer-edit"' not in page
    assert client.get(reverse("desk:customer_edit", args=[ticket.customer_id])).status_code == 403
    assert not AuditEvent.objects.filter(action="customer.personal_data_viewed").exists()


# --- The list and its search ------------------------------------------------------------------


def test_search_by_the_last_digits_of_the_phone_name_email_and_tier(supervisor):
    zhang = CustomerFactory(name="张伟", phone="+8613812345678", email="zw@example.com", tier=CustomerTier.KEY)
    li = CustomerFactory(name="李娜", phone="+8613900005678", email="li@example.com")
    client = client_for(supervisor)

    assert listed(client, q="5678") == [li.pk, zhang.pk]  # newest first
    assert listed(client, q="138 1234 5678") == [zhang.pk]
    assert listed(client, q="李") == [li.pk]
    assert listed(client, q="ZW@EXAMPLE.COM") == [zhang.pk]
    assert listed(client, q="5678", tier="key") == [zhang.pk]
    html = client.get(LIST, {"q": "5678"}).content.decode()
    # The list masks phones and emails for everybody (the customer's page shows them, audited).
    assert "138 **** 5678" in html and "13812345678" not in html and "138 1234 5678" not in html
    assert "z***@example.com" in html
    empty = client.get(LIST, {"q": "0000"}).content.decode()
    assert 'data-test-id="customer-empty"' in empty


def test_the_list_pages_by_keyset_and_htmx_gets_the_results_only(supervisor, monkeypatch):
    monkeypatch.setattr(customer_selectors, "PAGE_SIZE", 3)
    made = [CustomerFactory(name=f"客户{i}") for i in range(7)]
    client = client_for(supervisor)
    first = client.get(LIST)
    ids = [int(x) for x in re.findall(r'data-customer-id="(\d+)"', first.content.decode())]
    assert ids == [c.pk for c in reversed(made)][:3]
    next_url = re.search(r'data-test-id="customer-next-page"', first.content.decode()) and re.search(
        r'href="([^"]+)"[^>]*data-test-id="customer-next-page"', first.content.decode()
    )
    assert next_url
    second = client.get(next_url.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert "<html" not in second.content.decode()
    assert [int(x) for x in re.findall(r'data-customer-id="(\d+)"', second.content.decode())] == [c.pk for c in reversed(made)][
        3:6
    ]


# --- The customer's page ----------------------------------------------------------------------


def test_the_customers_page_shows_contacts_consents_and_service_history(agent, east):
    ticket = make_ticket(actor=agent, phone="13812345678", customer_name="张伟", region=east)
    older = make_ticket(actor=agent, phone="13812345678", customer_name="张伟", region=east, description="第二次报修：不制冷。")
    customer = Customer.objects.get(pk=ticket.customer_id)
    Customer.objects.filter(pk=customer.pk).update(region=east, notes="只在上午联系")
    customer_add_address(customer=customer, province="上海市", city="上海市", district="浦东新区", detail="张江路88号")
    customer_set_consents(customer=customer, contact=True, marketing=True, source=ConsentSource.PORTAL)
    unit = ProductUnitFactory(customer=customer, purchase_date=clock.local_today())
    ProductUnitFactory(customer=CustomerFactory())  # another customer's unit

    response = client_for(agent).get(detail_url(customer))
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert "138 1234 5678" in html and "张江路88号" in html and "只在上午联系" in html
    numbers = re.findall(r'data-test-id="customer-ticket">\s*<td[^>]*><a href="/tickets/([^/]+)/"', html)
    assert set(numbers) == {ticket.number, older.number} and len(numbers) == 2
    assert unit.serial_number in html and 'data-test-id="warranty-state"' in html
    assert ProductUnit.objects.exclude(customer=customer).get().serial_number not in html
    history = re.search(r'data-test-id="consent-history">(.*?)</ul>', html, re.S)
    assert history and history.group(1).count("<li>") == ConsentRecord.objects.filter(customer=customer).count() == 2
    # SPEC §4: the view of unmasked personal data is in the audit log.
    viewed = AuditEvent.objects.get(action="customer.personal_data_viewed", object_id=str(customer.pk))
    assert viewed.actor == agent and viewed.changes["page"] == "customer"


def test_masked_roles_see_no_full_number_street_or_notes_and_leave_no_view_row(east):
    customer = CustomerFactory(region=east, phone="+8613812345678", email="zw@example.com", notes="机密备注")
    customer_add_address(customer=customer, province="上海市", city="上海市", detail="张江路88号")
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    html = client_for(finance).get(detail_url(customer)).content.decode()
    assert "138 **** 5678" in html and "138 1234 5678" not in html
    assert "z***@example.com" in html and "zw@example.com" not in html
    assert "张江路88号" not in html and "机密备注" not in html
    assert not AuditEvent.objects.filter(action="customer.personal_data_viewed").exists()


def test_an_erased_customer_shows_nothing_personal_and_cannot_be_edited(supervisor):
    ticket = make_ticket(phone="13812345678", customer_name="张伟")
    customer = Customer.objects.get(pk=ticket.customer_id)
    Customer.objects.filter(pk=customer.pk).update(name="***", phone="", email="", erased_at=clock.now())
    html = client_for(supervisor).get(detail_url(customer)).content.decode()
    assert 'data-test-id="customer-erased"' in html
    assert ticket.number in html  # the service history stays
    assert 'data-test-id="customer-phone"' not in html and 'data-test-id="customer-edit"' not in html
    refused = client_for(supervisor).post(
        edit_url(customer), {"name": "张伟", "kind": "person", "language": "zh-hans"}, follow=True
    )
    assert refused.redirect_chain == [(detail_url(customer), 302)]
    assert "个人信息已删除：没有可修改的内容" in refused.content.decode()
    assert Customer.objects.get(pk=customer.pk).name == "***"


def test_the_ticket_page_links_to_the_customer(agent, east):
    ticket = make_ticket(actor=agent, region=east)
    html = client_for(agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert f'href="{reverse("desk:customer", args=[ticket.customer_id])}" data-test-id="detail-customer-link"' in html


def test_the_page_is_in_english_for_an_english_reader(supervisor):
    customer = CustomerFactory(tier=CustomerTier.LONG_TERM)
    html = client_for_language(supervisor, "en").get(detail_url(customer)).content.decode()
    assert "Long-term customer" in html and "Service in short" in html
    zh = client_for_language(supervisor, "zh-hans").get(detail_url(customer)).content.decode()
    assert "长期客户" in zh and "服务概况" in zh


# --- Editing ----------------------------------------------------------------------------------


def form_of(customer: Customer, **changes: object) -> dict[str, object]:
    customer = Customer.objects.get(pk=customer.pk)
    data: dict[str, object] = {
        "expected_version": customer.version,
        "name": customer.name,
        "kind": customer.kind,
        "phone": customer.phone,
        "email": customer.email,
        "external_code": customer.external_code,
        "language": customer.language,
        "notes": customer.notes,
        "tier": customer.tier,  # ignored for roles whose form has no tier
    }
    if customer.consent_contact:
        data["consent_contact"] = "on"
    if customer.consent_marketing:
        data["consent_marketing"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_agent_edits_the_contact_data_but_not_the_tier(agent, east):
    customer = CustomerFactory(region=east, phone="+8613800001111", tier=CustomerTier.NORMAL)
    client = client_for(agent)
    page = client.get(edit_url(customer)).content.decode()
    assert 'name="tier"' not in page and 'name="phone"' in page
    assert AuditEvent.objects.filter(action="customer.personal_data_viewed", changes__page="customer_edit").exists()

    saved = client.post(edit_url(customer), form_of(customer, phone="139 0000 2222", tier="key", consent_marketing="on"))

    assert saved.status_code == 302 and saved["Location"] == detail_url(customer)
    customer.refresh_from_db()
    assert customer.phone == "+8613900002222"
    assert customer.tier == CustomerTier.NORMAL  # not a field of the agent's form
    assert customer.consent_marketing is True
    assert ConsentRecord.objects.get(customer=customer).source == ConsentSource.STAFF


def test_a_supervisor_changes_the_tier(supervisor):
    customer = CustomerFactory()
    client = client_for(supervisor)
    assert 'name="tier"' in client.get(edit_url(customer)).content.decode()
    assert client.post(edit_url(customer), form_of(customer, tier="key")).status_code == 302
    assert Customer.objects.get(pk=customer.pk).tier == CustomerTier.KEY
    assert "重要客户" in client.get(detail_url(customer)).content.decode()


def test_two_editors_the_second_is_told_to_reload(agent, supervisor, east):
    customer = CustomerFactory(region=east, name="张伟")
    first, second = client_for(supervisor), client_for(agent)
    stale = form_of(customer, name="张伟（二）")
    assert first.post(edit_url(customer), form_of(customer, name="张伟（一）")).status_code == 302

    refused = second.post(edit_url(customer), stale)

    html = refused.content.decode()
    assert refused.status_code == 200 and 'data-test-id="form-errors"' in html
    assert "李主管" in html and 'data-test-id="reload"' in html
    assert Customer.objects.get(pk=customer.pk).name == "张伟（一）"


def test_a_taken_phone_or_code_is_a_field_error_not_a_500(supervisor):
    CustomerFactory(phone="+8613800001111", external_code="ERP-1")
    customer = CustomerFactory(phone="+8613800002222")
    response = client_for(supervisor).post(edit_url(customer), form_of(customer, phone="13800001111", external_code="ERP-1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-test-id="error-phone"' in html and "另一位客户已使用这个电话号码" in html
    assert 'data-test-id="error-external_code"' in html
    bad = client_for(supervisor).post(edit_url(customer), form_of(customer, phone="12345", email="nope"))
    assert bad.status_code == 200 and 'data-test-id="error-phone"' in bad.content.decode()
    assert 'data-test-id="error-email"' in bad.content.decode()


# --- Registering a customer and addresses -------------------------------------------------------


def test_registering_a_customer_from_the_list(agent, east):
    client = client_for(agent)
    assert 'data-test-id="customer-new"' in client.get(LIST).content.decode()
    response = client.post(
        reverse("desk:customer_new"),
        {
            "name": "陈静",
            "kind": "person",
            "phone": "137 1234 0000",
            "language": "zh-hans",
            "consent_contact": "on",
            "province": "上海市",
            "city": "上海市",
            "detail": "世纪大道1号",
        },
    )
    customer = Customer.objects.get(name="陈静")
    assert response.status_code == 302 and response["Location"] == detail_url(customer)
    assert customer.region == east and customer.phone == "+8613712340000"
    assert Address.objects.get(customer=customer).is_default

    again = client.post(
        reverse("desk:customer_new"), {"name": "陈静", "kind": "person", "phone": "13712340000", "language": "en"}
    )
    assert again.status_code == 200 and 'data-test-id="error-phone"' in again.content.decode()
    assert Customer.objects.filter(name="陈静").count() == 1


def test_roles_that_may_not_edit_get_no_forms(east):
    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    customer = CustomerFactory(region=east)
    client = client_for(warehouse)
    assert 'data-test-id="customer-new"' not in client.get(LIST).content.decode()
    assert client.get(reverse("desk:customer_new")).status_code == 403
    assert client.post(reverse("desk:customer_address_add", args=[customer.pk]), {}).status_code == 403


def test_addresses_are_added_changed_and_removed_with_one_default(agent, east):
    customer = CustomerFactory(region=east)
    client = client_for(agent)
    add = reverse("desk:customer_address_add", args=[customer.pk])
    version = Customer.objects.get(pk=customer.pk).version
    base = {"province": "上海市", "city": "上海市", "expected_version": version}
    assert client.post(add, {**base, "detail": "南京路1号", "is_default": "on"}).status_code == 302
    version = Customer.objects.get(pk=customer.pk).version
    assert client.post(add, {**base, "expected_version": version, "detail": "淮海路2号"}).status_code == 302
    home, office = Address.objects.filter(customer=customer).order_by("id")
    assert (home.is_default, office.is_default) == (True, False)

    invalid = client.post(add, {"province": "", "city": "", "detail": ""})
    assert invalid.status_code == 200 and 'data-test-id="error-detail"' in invalid.content.decode()

    edit = reverse("desk:customer_address_edit", args=[customer.pk, office.pk])
    assert client.get(edit).status_code == 200
    version = Customer.objects.get(pk=customer.pk).version
    assert (
        client.post(edit, {**base, "expected_version": version, "detail": "淮海中路2号", "is_default": "on"}).status_code == 302
    )
    home.refresh_from_db()
    office.refresh_from_db()
    assert (home.is_default, office.is_default, office.detail) == (False, True, "淮海中路2号")

    remove = reverse("desk:customer_address_remove", args=[customer.pk, office.pk])
    stale = client.post(remove, {"expected_version": version}, follow=True)
    assert Address.objects.filter(pk=office.pk).exists() and "重新加载" in stale.content.decode()
    version = Customer.objects.get(pk=customer.pk).version
    assert client.post(remove, {"expected_version": version}).status_code == 302
    assert list(Address.objects.filter(customer=customer).values_list("pk", "is_default")) == [(home.pk, True)]
    other = CustomerFactory(region=east)
    foreign = reverse("desk:customer_address_edit", args=[other.pk, home.pk])
    assert client.get(foreign).status_code == 404
