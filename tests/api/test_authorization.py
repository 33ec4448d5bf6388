"""Every endpoint checks every object: a region's key sees that region only; a customer's key
sees only the customer's own tickets. Foreign objects answer 404 (their existence is not told)
and nothing is changed on them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.feedback.services import survey_send_for_ticket
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import ticket_add_attachment
from tests.api.conftest import ApiClient, api_client, png_bytes
from tests.factories import CustomerFactory, ProductUnitFactory

pytestmark = pytest.mark.django_db


def _call(client: ApiClient, method: str, path: str, ticket: Ticket) -> Any:
    headers = {"If-Match": f'"v{ticket.version}"'}
    if method == "GET":
        return client.get(path)
    if path.endswith("/attachments"):
        return client.upload(path, {"file": SimpleUploadedFile("p.png", png_bytes(), "image/png")})
    body: dict[str, Any] = {}
    if path.endswith("/replies"):
        body = {"body": "我来看看"}
    elif path.endswith("/survey"):
        body = {"overall": 5, "solved": True}
    elif path.endswith("/actions/cancel"):
        body = {"reason": "不需要了"}
    elif path.endswith("/actions/start-verification"):
        body = {}
    return client.post(path, body, headers=headers)


TICKET_ENDPOINTS = [
    ("GET", "/api/v1/tickets/{n}"),
    ("GET", "/api/v1/tickets/{n}/timeline"),
    ("GET", "/api/v1/tickets/{n}/attachments"),
    ("GET", "/api/v1/tickets/{n}/actions"),
    ("GET", "/api/v1/tickets/{n}/survey"),
    ("POST", "/api/v1/tickets/{n}/replies"),
    ("POST", "/api/v1/tickets/{n}/attachments"),
    ("POST", "/api/v1/tickets/{n}/survey"),
    ("POST", "/api/v1/tickets/{n}/actions/cancel"),
    ("POST", "/api/v1/tickets/{n}/actions/start-verification"),
]


@pytest.fixture
def surveyed(world):  # type: ignore[no-untyped-def]
    for ticket in (world["east_ticket"], world["south_ticket"]):
        survey_send_for_ticket(ticket=ticket)
    return world


def _callers(world: dict[str, Any]) -> dict[str, ApiClient]:
    return {
        "east region key": api_client(world["agent"], region=world["east"]),
        "east region agent": api_client(world["east_agent"]),
        "east customer": api_client(world["east_customer"]),
    }


@pytest.mark.parametrize("caller", ["east region key", "east region agent", "east customer"])
@pytest.mark.parametrize(("method", "template"), TICKET_ENDPOINTS)
def test_foreign_tickets_are_not_found_on_every_endpoint(surveyed, caller, method, template):
    world = surveyed
    client = _callers(world)[caller]
    foreign = world["south_ticket"]
    events_before = TicketEvent.objects.filter(ticket=foreign).count()
    response = _call(client, method, template.format(n=foreign.number), foreign)
    assert response.status_code == 404, (caller, template, response.content)
    assert response["Content-Type"].startswith("application/problem+json")
    assert TicketEvent.objects.filter(ticket=foreign).count() == events_before
    foreign.refresh_from_db()
    assert foreign.status == "registered"


@pytest.mark.parametrize("caller", ["east region key", "east region agent", "east customer"])
@pytest.mark.parametrize(("method", "template"), [e for e in TICKET_ENDPOINTS if e[0] == "GET"])
def test_own_tickets_are_readable_on_every_read_endpoint(surveyed, caller, method, template):
    world = surveyed
    client = _callers(world)[caller]
    own = world["east_ticket"]
    response = _call(client, method, template.format(n=own.number), own)
    assert response.status_code == 200, (caller, template, response.content)


@pytest.mark.parametrize("caller", ["east region key", "east region agent", "east customer"])
def test_lists_hold_only_the_callers_tickets(world, caller):
    client = _callers(world)[caller]
    numbers = [t["number"] for t in client.get("/api/v1/tickets").json()["items"]]
    assert numbers == [world["east_ticket"].number]


@pytest.mark.parametrize("caller", ["east region key", "east region agent", "east customer"])
def test_foreign_attachments_are_not_found(world, caller):
    client = _callers(world)[caller]
    own = ticket_add_attachment(
        ticket=world["east_ticket"], actor=world["agent"], fileobj=SimpleUploadedFile("a.png", png_bytes()), filename="a.png"
    )
    foreign = ticket_add_attachment(
        ticket=world["south_ticket"], actor=world["agent"], fileobj=SimpleUploadedFile("b.png", png_bytes()), filename="b.png"
    )
    ok = client.get(f"/api/v1/attachments/{own.pk}")
    assert ok.status_code == 200
    assert b"".join(ok.streaming_content) == png_bytes()
    assert ok["Content-Type"] == "image/png"
    assert client.get(f"/api/v1/attachments/{foreign.pk}").status_code == 404


def test_a_customer_does_not_see_internal_notes_nor_internal_files(world):
    from aftersales.tickets.services import ticket_add_note

    ticket = world["east_ticket"]
    ticket_add_note(ticket=ticket, actor=world["agent"], body="内部：客户难缠")
    internal = ticket_add_attachment(
        ticket=ticket, actor=world["agent"], fileobj=SimpleUploadedFile("i.png", png_bytes()), filename="i.png", public=False
    )
    client = api_client(world["east_customer"])
    timeline = client.get(f"/api/v1/tickets/{ticket.number}/timeline").json()
    assert all("内部" not in e["body"] for e in timeline)
    assert all(e["public"] for e in timeline)
    assert client.get(f"/api/v1/attachments/{internal.pk}").status_code == 404
    staff_timeline = api_client(world["agent"]).get(f"/api/v1/tickets/{ticket.number}/timeline").json()
    assert any("内部" in e["body"] for e in staff_timeline)


@pytest.mark.parametrize("caller", ["east region key", "east region agent"])
def test_customers_of_another_region_are_not_found(world, caller):
    client = _callers(world)[caller]
    east_customer = world["east_ticket"].customer
    south_customer = world["south_ticket"].customer
    assert client.get(f"/api/v1/customers/{east_customer.pk}").status_code == 200
    assert client.get(f"/api/v1/customers/{south_customer.pk}").status_code == 404
    ids = [c["id"] for c in client.get("/api/v1/customers").json()["items"]]
    assert east_customer.pk in ids
    assert south_customer.pk not in ids


def test_customers_are_staff_only(world):
    response = api_client(world["east_customer"], scopes=["tickets:read"]).get(
        f"/api/v1/customers/{world['east_ticket'].customer_id}"
    )
    assert response.status_code == 403


def test_customer_data_is_masked_for_roles_without_need(world):
    from aftersales.accounts.models import DataScope, Role
    from tests.factories import UserFactory

    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    customer = world["east_ticket"].customer
    masked = api_client(finance).get(f"/api/v1/customers/{customer.pk}").json()
    assert masked["phone"] == "138****0001"
    assert masked["name"] == "张*"
    full = api_client(world["agent"]).get(f"/api/v1/customers/{customer.pk}").json()
    assert full["phone"] == "+8613800000001"
    assert full["name"] == "张伟"
    ticket = api_client(finance).get(f"/api/v1/tickets/{world['east_ticket'].number}").json()
    assert ticket["contact_phone"] == "138****0001"


def test_a_customer_sees_only_their_own_product_units(world):
    own = ProductUnitFactory(customer=world["east_ticket"].customer)
    other = ProductUnitFactory(customer=CustomerFactory())
    client = api_client(world["east_customer"])
    response = client.get(f"/api/v1/catalog/units/{own.serial_number}", {"on": "2026-06-01"})
    assert response.status_code == 200
    assert response.json()["warranty"]["state"] == "in"
    assert client.get(f"/api/v1/catalog/units/{other.serial_number}").status_code == 404
    staff = api_client(world["agent"]).get(f"/api/v1/catalog/units/{other.serial_number}", {"on": "2028-01-01"})
    assert staff.status_code == 200
    assert staff.json()["warranty"]["state"] == "out"


def test_a_region_key_files_tickets_into_its_region(world):
    client = api_client(world["agent"], region=world["east"])
    response = client.post(
        "/api/v1/tickets", {"customer_name": "赵六", "phone": "13900000077", "description": "洗衣机不脱水", "channel": "wechat"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["region"] == "east"


def test_a_region_key_follows_the_tickets_it_filed_for_another_region(world):
    """The ticket goes to the region of its address (广东 → south), and the east key that filed it
    still reads it and adds its photos; the other tickets of the south stay out of its reach."""
    client = api_client(world["agent"], region=world["east"])
    world["south"].areas.get_or_create(province="广东省", city="")
    response = client.post(
        "/api/v1/tickets",
        {"customer_name": "钱七", "phone": "13900000078", "description": "空调不制冷", "channel": "wechat", "province": "广东"},
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert response.json()["region"] == "south"
    assert client.get(f"/api/v1/tickets/{number}").status_code == 200
    upload = client.upload(
        f"/api/v1/tickets/{number}/attachments", {"file": SimpleUploadedFile("p.png", png_bytes(), "image/png")}
    )
    assert upload.status_code == 201, upload.content
    assert client.get(f"/api/v1/tickets/{world['south_ticket'].number}").status_code == 404
