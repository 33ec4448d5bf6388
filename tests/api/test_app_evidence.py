"""Evidence with a request through the API (``POST /api/v1/tickets/with-evidence``, multipart: the
fields of ``POST /tickets`` and the files under ``evidence_<kind>``) — stored by the intake
service as the web intake's, under the Idempotency-Key with the files in its fingerprint; and the
ticket list's ``customer_id`` filter for CRMs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from tests.api.conftest import api_client, customer_user
from tests.factories import UserFactory, make_ticket
from tests.tickets.media import JPEG_BYTES, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db
PATH = "/api/v1/tickets/with-evidence"
NOT_A_PHOTO = b"#!/bin/sh\necho not a photo\n"


def fields(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel": "app",
        "customer_name": "陈静",
        "phone": "13912345678",
        "description": "洗衣机脱水时剧烈晃动，有异响。",
        "city": "上海市",
    }
    data.update(overrides)
    return data


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def the_usual_files() -> dict[str, Any]:
    return {
        "evidence_photo": [upload("leak.png", png_bytes()), upload("leak-2.jpg", JPEG_BYTES)],
        "evidence_invoice": upload("fapiao.pdf", PDF_BYTES),
    }


@pytest.fixture
def customer_app() -> Any:
    owner = make_ticket(phone="13912345678", customer_name="陈静")
    return api_client(customer_user(owner, "chen.jing"))


def test_a_customers_app_files_a_request_with_its_photos_and_invoice(customer_app):
    answer = customer_app.upload(PATH, {**fields(), **the_usual_files()}, headers={"Idempotency-Key": "app-order-1"})

    assert answer.status_code == 201, answer.json()
    number = answer.json()["number"]
    assert answer["Location"] == f"/api/v1/tickets/{number}"
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "app"
    stored = list(Attachment.objects.filter(ticket=ticket).order_by("pk"))
    assert [(a.original_name, a.content_type, a.public) for a in stored] == [
        ("leak.png", "image/png", True),
        ("leak-2.jpg", "image/jpeg", True),
        ("fapiao.pdf", "application/pdf", False),  # an invoice is internal, as at the web intake
    ]
    assert [a.event.data["evidence"] for a in stored] == ["photo", "photo", "invoice"]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ATTACHMENT).count() == 3
    assert AuditEvent.objects.filter(action="ticket.attachment_added", object_id=str(ticket.pk)).count() == 3
    listed = customer_app.get(f"/api/v1/tickets/{number}/attachments").json()
    assert sorted(a["original_name"] for a in listed) == ["leak-2.jpg", "leak.png"]  # the customer sees the photos


def test_a_retry_replays_and_other_files_under_the_same_key_are_a_conflict(customer_app):
    key = {"Idempotency-Key": "app-order-2"}
    first = customer_app.upload(PATH, {**fields(), **the_usual_files()}, headers=key)
    again = customer_app.upload(PATH, {**fields(), **the_usual_files()}, headers=key)

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["number"] == first.json()["number"]
    other = {**the_usual_files(), "evidence_invoice": upload("fapiao.pdf", PDF_BYTES + b"\n% another invoice\n")}
    conflict = customer_app.upload(PATH, {**fields(), **other}, headers=key)
    assert conflict.status_code == 409 and conflict.json()["code"] == "idempotency_key_reused"
    assert Ticket.objects.filter(channel="app").count() == 1
    assert Attachment.objects.count() == 3


def test_a_refused_file_refuses_the_request_naming_the_file_on_its_kind(customer_app):
    before = Ticket.objects.count()
    files = {"evidence_photo": [upload("leak.png", png_bytes()), upload("virus.sh", NOT_A_PHOTO)]}

    refused = customer_app.upload(PATH, {**fields(phone=""), **files}, headers={"Idempotency-Key": "app-order-3"})

    assert refused.status_code == 422
    errors = {e["field"]: e["message"] for e in refused.json()["errors"]}
    assert set(errors) == {"phone", "evidence_photo"}  # the fields and the files, all at once
    assert errors["evidence_photo"].startswith("virus.sh: ")
    assert Ticket.objects.count() == before and not Attachment.objects.exists()
    fixed = customer_app.upload(
        PATH, {**fields(), "evidence_photo": upload("leak.png", png_bytes())}, headers={"Idempotency-Key": "app-order-3"}
    )
    assert fixed.status_code == 201  # the refused request did not use the key up


def test_more_than_six_files_are_refused_on_evidence(customer_app):
    files = {"evidence_photo": [upload(f"p{i}.png", png_bytes()) for i in range(7)]}
    refused = customer_app.upload(PATH, {**fields(), **files})
    assert refused.status_code == 422 and [e["field"] for e in refused.json()["errors"]] == ["evidence"]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"nickname": "静"}, "nickname"),  # not a field of the ticket
        ({"evidence_video": upload("p.png", png_bytes())}, "evidence_video"),  # not a kind of evidence
        ({"priority": "1"}, "priority"),  # staff only
    ],
)
def test_parts_you_may_not_send_are_refused_never_dropped(customer_app, extra, field):
    refused = customer_app.upload(PATH, {**fields(), **extra})
    assert refused.status_code == 422 and refused.json()["code"] == "field_not_allowed"
    assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert not Ticket.objects.filter(channel="app").exists()


def test_a_staff_key_files_without_files_as_with_post_tickets():
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    answer = api_client(agent).upload(PATH, fields(channel="api", priority="1"))
    assert answer.status_code == 201, answer.json()
    ticket = Ticket.objects.get(number=answer.json()["number"])
    assert (ticket.priority, ticket.channel) == (1, "api") and not ticket.attachments.exists()


# --- GET /tickets?customer_id= ------------------------------------------------------------------


def test_a_crm_lists_one_customers_tickets(world):
    agent = api_client(world["agent"])
    east_customer_id = world["east_ticket"].customer_id
    second = make_ticket(phone="13800000001", customer_name="张伟", description="冰箱不制冷。")
    assert second.customer_id == east_customer_id

    page = agent.get("/api/v1/tickets", {"customer_id": east_customer_id}).json()

    assert sorted(item["number"] for item in page["items"]) == sorted([world["east_ticket"].number, second.number])
    assert page["total"] == 2 and {item["customer_id"] for item in page["items"]} == {east_customer_id}
    assert agent.get("/api/v1/tickets", {"customer_id": 2**31 - 1}).json()["items"] == []
    assert agent.get("/api/v1/tickets", {"customer_id": 0}).status_code == 422


def test_the_filter_never_widens_what_a_key_sees(world):
    south_id = world["south_ticket"].customer_id
    east_agent = api_client(world["east_agent"], region=world["east"])
    assert east_agent.get("/api/v1/tickets", {"customer_id": south_id}).json()["items"] == []
    own = api_client(world["east_customer"])
    assert own.get("/api/v1/tickets", {"customer_id": south_id}).json()["items"] == []
    mine = own.get("/api/v1/tickets", {"customer_id": world["east_ticket"].customer_id}).json()["items"]
    assert [item["number"] for item in mine] == [world["east_ticket"].number]
