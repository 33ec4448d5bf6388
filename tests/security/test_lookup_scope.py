"""Issue 21, item 1: the intake page's phone and serial lookups apply the data scope, refuse
roles that do not register tickets, are throttled per user, and refused attempts are audited."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.audit_actions import AccessAudit
from aftersales.audit.models import AuditEvent
from tests.clients import client_for
from tests.factories import CustomerFactory, ProductUnitFactory, RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

CUSTOMER_LOOKUP = "tickets:customer_lookup"
UNIT_LOOKUP = "tickets:unit_lookup"


@pytest.fixture
def one_throttle_window(monkeypatch):
    """The throttle counts in fixed one-minute windows of the wall clock: requests that straddle
    a minute's end are counted in two windows (seen in CI under load). The throttle's clock is held
    in the middle of one window, so each request counts in the same one."""
    import time
    from types import SimpleNamespace

    now = (time.time() // 60) * 60 + 30
    monkeypatch.setattr("aftersales.core.throttle.time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def east_and_west():
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    customer = CustomerFactory(name="王芳", phone="+8613912345678", tier="key", region=west)
    return east, west, customer


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.WAREHOUSE, Role.MARKETING, Role.FINANCE, Role.APPRAISER, Role.CUSTOMER])
def test_roles_that_do_not_register_tickets_are_refused_and_audited(east_and_west, role):
    _east, west, _customer = east_and_west
    user = UserFactory(role=role, data_scope=DataScope.ALL, region=west)
    client = client_for(user)
    for name, params in ((CUSTOMER_LOOKUP, {"phone": "13912345678"}), (UNIT_LOOKUP, {"serial_number": "X1"})):
        response = client.get(reverse(name), params)
        assert response.status_code == 403
        assert "王芳" not in response.content.decode()
    refusals = AuditEvent.objects.filter(action=AccessAudit.REFUSED, actor=user)
    assert refusals.count() == 2
    assert {e.changes["status"] for e in refusals} == {403}


def test_an_agent_of_another_region_learns_neither_name_nor_tier(east_and_west):
    east, _west, customer = east_and_west
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    response = client_for(agent).get(reverse(CUSTOMER_LOOKUP), {"phone": "139 1234 5678"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-test-id="customer-out-of-scope"' in html
    assert "王芳" not in html
    assert customer.get_tier_display() not in html
    assert "5678" not in html
    event = AuditEvent.objects.get(action=AccessAudit.OUT_OF_SCOPE, actor=agent)
    assert event.changes["lookup"] == "customer"


def test_an_agent_of_the_region_sees_the_customer(east_and_west):
    _east, west, customer = east_and_west
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=west)
    html = client_for(agent).get(reverse(CUSTOMER_LOOKUP), {"phone": "13912345678"}).content.decode()
    assert 'data-test-id="customer-found"' in html
    assert "王芳" in html
    assert customer.get_tier_display() in html
    assert not AuditEvent.objects.filter(action__startswith="access.").exists()


def test_an_own_scope_agent_sees_only_customers_of_tickets_they_may_see(east_and_west):
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)
    client = client_for(agent)
    assert (
        'data-test-id="customer-out-of-scope"' in client.get(reverse(CUSTOMER_LOOKUP), {"phone": "13912345678"}).content.decode()
    )
    make_ticket(actor=agent, phone="13912345678", customer_name="王芳")
    assert 'data-test-id="customer-found"' in client.get(reverse(CUSTOMER_LOOKUP), {"phone": "13912345678"}).content.decode()


def test_an_all_scope_supervisor_sees_every_customer(east_and_west):
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    html = client_for(supervisor).get(reverse(CUSTOMER_LOOKUP), {"phone": "13912345678"}).content.decode()
    assert "王芳" in html


def test_the_unit_of_a_customer_outside_the_scope_is_not_described(east_and_west):
    east, _west, customer = east_and_west
    unit = ProductUnitFactory(serial_number="SN2026SCOPE01", customer=customer, batch="B-SECRET-9")
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    html = client_for(agent).get(reverse(UNIT_LOOKUP), {"serial_number": unit.serial_number}).content.decode()
    assert 'data-test-id="unit-out-of-scope"' in html
    assert "B-SECRET-9" not in html
    assert unit.model.code not in html
    assert AuditEvent.objects.filter(action=AccessAudit.OUT_OF_SCOPE, actor=agent, changes__lookup="unit").exists()
    # A unit of no customer (stock) is described to every agent.
    stock = ProductUnitFactory(serial_number="SN2026STOCK01", batch="B-STOCK")
    assert "B-STOCK" in client_for(agent).get(reverse(UNIT_LOOKUP), {"serial_number": stock.serial_number}).content.decode()


@override_settings(INTAKE_LOOKUPS_PER_MINUTE=10)
def test_lookups_are_throttled_per_user_and_the_refusal_is_audited(east_and_west, one_throttle_window):
    _east, west, _customer = east_and_west
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=west)
    client = client_for(agent)
    answers = [client.get(reverse(CUSTOMER_LOOKUP), {"phone": f"1391234{n:04d}"}).status_code for n in range(10)]
    assert answers == [200] * 10
    response = client.get(reverse(UNIT_LOOKUP), {"serial_number": "X"})  # both lookups share the budget
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert 'data-test-id="lookup-throttled"' in response.content.decode()
    # htmx gets the message as a fragment it swaps in.
    fragment = client.get(reverse(CUSTOMER_LOOKUP), {"phone": "13912345678"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert 'data-test-id="lookup-throttled"' in fragment.content.decode()
    assert "王芳" not in fragment.content.decode()
    assert AuditEvent.objects.filter(action=AccessAudit.THROTTLED, actor=agent).count() == 2
    # Another user has their own budget.
    other = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=west)
    assert client_for(other).get(reverse(CUSTOMER_LOOKUP), {"phone": "13912345678"}).status_code == 200


def test_300_lookups_in_a_row_are_not_all_answered(east_and_west, one_throttle_window):
    _east, west, _customer = east_and_west
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=west)
    client = client_for(agent)
    statuses = [client.get(reverse(CUSTOMER_LOOKUP), {"phone": "13912345678"}).status_code for _ in range(40)]
    assert statuses.count(200) == 30
    assert statuses.count(429) == 10


def test_a_404_on_a_scoped_ticket_is_audited_for_pages_and_the_api():
    owner = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)
    ticket = make_ticket(actor=owner)
    stranger = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)
    client = client_for(stranger)
    assert client.get(reverse("tickets:detail", args=[ticket.number])).status_code == 404
    assert client.get(f"/api/v1/tickets/{ticket.number}").status_code == 404
    events = AuditEvent.objects.filter(action=AccessAudit.REFUSED, actor=stranger).order_by("id")
    assert [e.changes["status"] for e in events] == [404, 404]
    assert all(ticket.number in e.object_repr for e in events)
    # A mistyped address is no refusal; an anonymous visitor leaves no row.
    client.get("/no-such-page/")
    Client().get(reverse("tickets:detail", args=[ticket.number]))
    assert AuditEvent.objects.filter(action__startswith="access.").count() == 2


@pytest.mark.parametrize("scope", [DataScope.TEAM, DataScope.OWN])
def test_a_hotline_agent_recognises_a_caller_of_their_own_region_without_earlier_tickets(east_and_west, scope):
    """Team and own scopes limit the tickets an agent sees, not whom they may register a call for:
    a caller of the agent's region (and their unit's warranty) is recognised."""
    _east, west, customer = east_and_west
    ProductUnitFactory(serial_number="SN-WEST-1", customer=customer)
    agent = UserFactory(role=Role.AGENT, data_scope=scope, region=west)
    client = client_for(agent)
    html = client.get(reverse(CUSTOMER_LOOKUP), {"phone": "139 1234 5678"}).content.decode()
    assert "王芳" in html and 'data-test-id="customer-out-of-scope"' not in html
    unit = client.get(reverse(UNIT_LOOKUP), {"serial_number": "SN-WEST-1"}).content.decode()
    assert 'data-test-id="warranty-state"' in unit
