"""What the company's app and WeChat mini-program do for a customer, and what a CRM reads,
through the API as the portal does it: the ticket's reported details, the plan answered and
signed on the phone, the signed agreement downloaded, the customer's own units."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.cache import cache

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.tickets.models import AgreementMethod, CustomerAgreement, MeasureKind, Ticket
from aftersales.tickets.process import MeasureInput, ticket_propose_plan, ticket_submit_plan
from aftersales.tickets.states import TicketStatus
from tests.api.conftest import api_client, customer_user
from tests.factories import CustomerFactory, ProductUnitFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import signature_data
from tests.tickets.process_helpers import analysed

pytestmark = pytest.mark.django_db
APP_SCOPES = ("tickets:read", "tickets:write", "catalog:read")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    cache.clear()


def _agent() -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


def _offered(handler: User, *, signed_agreement: bool = False) -> Ticket:
    """A ticket whose plan waits for the customer's answer (two measures the customer pays for)."""
    ticket = analysed(make_ticket(actor=handler, phone="13912345678", customer_name="李娜"), handler)
    ticket_propose_plan(
        ticket=ticket,
        actor=handler,
        diagnosis="洗衣机排水泵损坏，已过保修期。",
        measures=[
            MeasureInput(
                kind=MeasureKind.ONSITE_REPAIR,
                description="上门更换排水泵",
                amount=Decimal("420"),
                customer_charge=Decimal("260"),
            ),
            MeasureInput(kind=MeasureKind.INSPECTION, amount=Decimal("60"), customer_charge=Decimal("25.50")),
        ],
        requires_signed_agreement=signed_agreement,
    )
    return ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)


def _answer(client, ticket: Ticket, body: dict, etag: str | None = None):  # type: ignore[no-untyped-def]
    headers = {"If-Match": etag or f'"v{Ticket.objects.get(pk=ticket.pk).version}"'}
    return client.post(f"/api/v1/tickets/{ticket.number}/plan-answer", body, headers=headers)


# --- The ticket's details as reported, for the app and the CRM -------------------------------------


def test_what_intake_and_the_correction_set_is_what_the_ticket_answers():
    agent = _agent()
    client = api_client(agent)
    happened, corrected_to = clock.now() - dt.timedelta(days=3), clock.now() - dt.timedelta(days=2)
    created = client.post(
        "/api/v1/tickets",
        {
            "customer_name": "陈静",
            "phone": "13912345670",
            "description": "洗衣机脱水时剧烈晃动。",
            "serial_number": "SN-NOT-REGISTERED",
            "batch": "B2025-11",
            "purchase_date": "2025-12-01",
            "occurred_at": happened.isoformat(),
            "province": "上海市",
            "city": "上海市",
            "address": "浦东新区张江路 100 号",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["batch"], body["purchase_date"], body["serial_number"]) == ("B2025-11", "2025-12-01", "SN-NOT-REGISTERED")
    number = body["number"]
    stored = Ticket.objects.get(number=number).occurred_at
    assert stored is not None and abs(stored - happened) < dt.timedelta(seconds=1)
    # The API writes times to the second, with the site's offset (docs/api.md).
    assert body["occurred_at"].endswith("+08:00")
    assert dt.datetime.fromisoformat(body["occurred_at"]) == stored.replace(microsecond=0)
    assert body["expected_completion_at"] is None
    assert "correct_details" in client.get(f"/api/v1/tickets/{number}/actions").json()["actions"]

    corrected = client.client.patch(
        f"/api/v1/tickets/{number}",
        {"batch": "B2025-12", "purchase_date": None, "occurred_at": corrected_to.isoformat()},
        content_type="application/json",
        headers=client._headers({"If-Match": created["ETag"]}),
    )
    assert corrected.status_code == 200, corrected.json()
    read = client.get(f"/api/v1/tickets/{number}").json()
    assert (read["batch"], read["purchase_date"]) == ("B2025-12", None)
    assert read["occurred_at"] == corrected.json()["occurred_at"]
    ticket = Ticket.objects.get(number=number)
    assert (ticket.reported_batch, ticket.reported_purchase_date) == ("B2025-12", None)
    assert ticket.occurred_at is not None and abs(ticket.occurred_at - corrected_to) < dt.timedelta(seconds=1)
    assert dt.datetime.fromisoformat(read["occurred_at"]) == ticket.occurred_at.replace(microsecond=0)


def test_the_list_names_each_tickets_customer_for_a_crm():
    agent = _agent()
    ticket = make_ticket(actor=agent)
    items = api_client(agent).get("/api/v1/tickets").json()["items"]
    assert [(i["number"], i["customer_id"]) for i in items] == [(ticket.number, ticket.customer_id)]


# --- The plan answered in the app -----------------------------------------------------------------


def test_the_customer_accepts_and_signs_in_the_app_and_downloads_what_they_signed():
    handler = _agent()
    ticket = _offered(handler, signed_agreement=True)
    customer = customer_user(ticket)
    client = api_client(customer, scopes=APP_SCOPES)
    read = client.get(f"/api/v1/tickets/{ticket.number}", {"expand": "plan"})
    assert "record_agreement" in read.json()["actions"]

    signature = signature_data()
    answered = _answer(client, ticket, {"accepted": True, "signature": signature, "note": "尽快安排"}, read["ETag"])
    assert answered.status_code == 200, answered.json()
    assert answered.json()["status"] == TicketStatus.IN_PROGRESS and answered["ETag"] != read["ETag"]
    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    png = base64.b64decode(signature.split(",", 1)[1])
    assert (agreement.decision, agreement.method, agreement.recorded_by) == ("accepted", AgreementMethod.PORTAL, customer)
    assert agreement.document_sha256 == hashlib.sha256(png).hexdigest()

    listed = client.get(f"/api/v1/tickets/{ticket.number}", {"expand": "agreements"}).json()["agreements"]
    assert [(a["id"], a["signed_document"]) for a in listed] == [(agreement.pk, True)]
    document = client.get(f"/api/v1/tickets/{ticket.number}/agreements/{agreement.pk}/document")
    assert document.status_code == 200 and document["Content-Type"] == "image/png"
    assert b"".join(document.streaming_content) == png
    assert not AuditEvent.objects.filter(action="customer.personal_data_viewed").exists()  # their own: not logged

    # Staff download it too, and that view of personal data is in the audit log.
    by_staff = api_client(handler).get(f"/api/v1/tickets/{ticket.number}/agreements/{agreement.pk}/document")
    assert by_staff.status_code == 200
    viewed = AuditEvent.objects.get(action="customer.personal_data_viewed")
    assert viewed.actor == handler and viewed.changes["agreement"] == agreement.pk


def test_a_plan_that_needs_the_signed_agreement_is_refused_without_the_signature():
    handler = _agent()
    ticket = _offered(handler, signed_agreement=True)
    client = api_client(customer_user(ticket), scopes=APP_SCOPES)
    refused = _answer(client, ticket, {"accepted": True})
    assert refused.status_code == 422 and refused.json()["code"] == "document_required"
    not_a_png = _answer(client, ticket, {"accepted": True, "signature": "data:image/png;base64,bm90IGEgcG5n"})
    assert not_a_png.status_code == 422 and [e["field"] for e in not_a_png.json()["errors"]] == ["signature"]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.AWAITING_CUSTOMER
    assert not CustomerAgreement.objects.exists()


def test_the_customer_declines_with_a_reason_and_nothing_is_signed():
    handler = _agent()
    ticket = _offered(handler)
    client = api_client(customer_user(ticket), scopes=APP_SCOPES)
    signed_decline = _answer(client, ticket, {"accepted": False, "note": "太贵了", "signature": signature_data()})
    assert signed_decline.status_code == 422 and signed_decline.json()["code"] == "field_not_allowed"

    declined = _answer(client, ticket, {"accepted": False, "note": "太贵了"})
    assert declined.status_code == 200, declined.json()
    assert declined.json()["status"] == TicketStatus.PLANNING
    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    assert (agreement.decision, agreement.note, bool(agreement.document)) == ("declined", "太贵了", False)
    # Nothing is on file to download.
    missing = client.get(f"/api/v1/tickets/{ticket.number}/agreements/{agreement.pk}/document")
    assert missing.status_code == 404 and missing.json()["code"] == "agreement_document_not_found"


def test_the_answer_needs_the_etag_the_customer_and_their_own_ticket():
    handler = _agent()
    ticket = _offered(handler)
    client = api_client(customer_user(ticket), scopes=APP_SCOPES)
    no_etag = client.post(f"/api/v1/tickets/{ticket.number}/plan-answer", {"accepted": True})
    assert no_etag.status_code == 428
    stale = _answer(client, ticket, {"accepted": True}, '"v1"')
    assert stale.status_code == 412

    staff = _answer(api_client(handler), ticket, {"accepted": True})
    assert staff.status_code == 403 and staff.json()["code"] == "customer_only"
    stranger = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN)
    CustomerFactory(user=stranger, phone="+8613600000009")
    other = _answer(api_client(stranger, scopes=APP_SCOPES), ticket, {"accepted": True})
    assert other.status_code == 404
    read_only = _answer(
        api_client(customer_user(make_ticket(phone="13600000010")), scopes=("tickets:read",)), ticket, {"accepted": True}
    )
    assert read_only.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.AWAITING_CUSTOMER


# --- The customer's own record and units -----------------------------------------------------------


def test_me_names_a_customers_record_and_their_units_with_warranty():
    ticket = make_ticket()
    customer = customer_user(ticket)
    newer = ProductUnitFactory(customer_id=ticket.customer_id, purchase_date="2026-06-01")
    older = ProductUnitFactory(customer_id=ticket.customer_id, purchase_date="2026-01-01")
    ProductUnitFactory()  # somebody else's
    client = api_client(customer, scopes=APP_SCOPES)

    assert client.get("/api/v1/me").json()["customer_id"] == ticket.customer_id
    units = client.get("/api/v1/me/units", {"on": "2026-07-01"})
    assert units.status_code == 200
    assert [u["serial_number"] for u in units.json()] == [newer.serial_number, older.serial_number]
    assert units.json()[0]["warranty"]["on"] == "2026-07-01" and units.json()[0]["model_code"] == newer.model.code

    agent = api_client(_agent())
    assert agent.get("/api/v1/me").json()["customer_id"] is None
    refused = agent.get("/api/v1/me/units")
    assert refused.status_code == 403 and refused.json()["code"] == "customer_only"
