"""Creating, reading, following and acting on tickets through the API."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from tests.api.conftest import api_client, png_bytes

pytestmark = pytest.mark.django_db

NEW = {"customer_name": "王芳", "phone": "13911112222", "description": "冰箱不制冷，冷藏室温度很高。", "channel": "app"}


def test_a_ticket_is_created_through_the_intake_service(world):
    response = api_client(world["agent"]).post("/api/v1/tickets", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.channel == "app"
    assert ticket.customer.phone == "+8613911112222"
    assert response["Location"].endswith(f"/api/v1/tickets/{ticket.number}")
    assert response["ETag"] == '"v1"'
    assert TicketEvent.objects.filter(ticket=ticket, kind="created").count() == 1
    assert ticket.due_at is not None  # the SLA started as for any other channel


def test_a_customer_files_for_themselves_whatever_phone_they_type(world):
    response = api_client(world["east_customer"]).post("/api/v1/tickets", {**NEW, "phone": "13800000002"})
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.customer_id == world["east_ticket"].customer_id


def test_fields_a_customer_may_not_set_are_refused_by_name(world):
    client = api_client(world["east_customer"])
    response = client.post("/api/v1/tickets", {**NEW, "priority": 1})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "field_not_allowed"
    assert [e["field"] for e in body["errors"]] == ["priority"]
    staff_channel = client.post("/api/v1/tickets", {**NEW, "channel": "hotline"})
    assert staff_channel.status_code == 422
    assert staff_channel.json()["errors"][0]["field"] == "channel"
    assert not Ticket.objects.filter(description=NEW["description"]).exists()


def test_unknown_fields_are_refused_never_dropped(world):
    response = api_client(world["agent"]).post("/api/v1/tickets", {**NEW, "status": "closed", "assignee": "boss"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "field_not_allowed"
    assert sorted(e["field"] for e in body["errors"]) == ["assignee", "status"]


def test_invalid_input_names_every_field(world):
    response = api_client(world["agent"]).post("/api/v1/tickets", {"customer_name": "王", "description": "坏了"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "phone"
    bad_types = api_client(world["agent"]).post("/api/v1/tickets", {**NEW, "purchase_date": "yesterday", "priority": "x"})
    assert bad_types.status_code == 422
    assert sorted(e["field"] for e in bad_types.json()["errors"]) == ["priority", "purchase_date"]


def test_a_body_that_is_not_json_is_a_400_problem(world):
    client = api_client(world["agent"])
    response = client.client.post("/api/v1/tickets", "{not json", content_type="application/json", headers=client._headers(None))
    assert response.status_code in {400, 422}
    assert response["Content-Type"].startswith("application/problem+json")


def test_a_customer_replies_and_staff_add_notes(world):
    number = world["east_ticket"].number
    reply = api_client(world["east_customer"]).post(f"/api/v1/tickets/{number}/replies", {"body": "什么时候上门？"})
    assert reply.status_code == 201, reply.content
    assert reply.json()["kind"] == "message_in"
    assert reply.json()["public"] is True
    refused = api_client(world["east_customer"]).post(f"/api/v1/tickets/{number}/replies", {"body": "x", "kind": "note"})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "kind"
    note = api_client(world["agent"]).post(f"/api/v1/tickets/{number}/replies", {"body": "已联系"})
    assert note.json()["kind"] == "note"
    assert note.json()["public"] is False
    message = api_client(world["agent"]).post(f"/api/v1/tickets/{number}/replies", {"body": "明天上门", "kind": "message_out"})
    assert message.json()["public"] is True


def test_photos_are_uploaded_with_their_type_checked(world):
    number = world["east_ticket"].number
    client = api_client(world["east_customer"])
    ok = client.upload(
        f"/api/v1/tickets/{number}/attachments", {"file": SimpleUploadedFile("漏水.png", png_bytes(), "image/png")}
    )
    assert ok.status_code == 201, ok.content
    body = ok.json()
    assert ok["Location"] == body["download_url"] == f"/api/v1/attachments/{body['id']}"
    assert body["content_type"] == "image/png"
    assert body["original_name"] == "漏水.png"
    assert client.get(body["download_url"]).status_code == 200
    fake = client.upload(
        f"/api/v1/tickets/{number}/attachments", {"file": SimpleUploadedFile("x.png", b"MZ\x90\x00 not an image", "image/png")}
    )
    assert fake.status_code == 422
    assert fake.json()["errors"][0]["field"] == "file"  # the part as the client sent it
    internal = client.upload(
        f"/api/v1/tickets/{number}/attachments",
        {"file": SimpleUploadedFile("y.png", png_bytes(), "image/png"), "public": "false"},
    )
    assert internal.status_code == 422
    assert internal.json()["errors"][0]["field"] == "public"
    assert Attachment.objects.filter(ticket=world["east_ticket"]).count() == 1


def test_process_actions_follow_the_permissions_and_the_version(world):
    ticket = world["east_ticket"]
    client = api_client(world["agent"])
    read = client.get(f"/api/v1/tickets/{ticket.number}")
    etag = read["ETag"]
    moved = client.post(f"/api/v1/tickets/{ticket.number}/actions/start-verification", {}, headers={"If-Match": etag})
    assert moved.status_code == 200, moved.content
    assert moved.json()["status"] == "verifying"
    assert moved["ETag"] != etag
    assert "record_verification" in moved.json()["actions"]
    # The customer may not take a handler's step.
    customer = api_client(world["east_customer"])
    refused = customer.post(
        f"/api/v1/tickets/{ticket.number}/actions/request-information", {"missing": "照片"}, headers={"If-Match": moved["ETag"]}
    )
    assert refused.status_code == 403
    # A step the status does not allow is a conflict with the current state.
    wrong = client.post(
        f"/api/v1/tickets/{ticket.number}/actions/resolve", {"summary": "修好了"}, headers={"If-Match": moved["ETag"]}
    )
    assert wrong.status_code == 409
    assert wrong.json()["code"] == "action_not_available"


def test_the_customer_cancels_their_own_ticket(world):
    ticket = world["east_ticket"]
    client = api_client(world["east_customer"])
    actions = client.get(f"/api/v1/tickets/{ticket.number}/actions")
    assert actions.json()["actions"] == ["cancel"]
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/actions/cancel", {"reason": "自己修好了"}, headers={"If-Match": actions["ETag"]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"


def test_a_whole_process_through_the_api(world):
    """Verification, plan, agreement by the customer, execution, resolution, the survey."""
    ticket = world["east_ticket"]
    staff = api_client(world["agent"])
    customer = api_client(world["east_customer"])
    path = f"/api/v1/tickets/{ticket.number}"

    def act(client, action, body):  # type: ignore[no-untyped-def]
        etag = client.get(path)["ETag"]
        response = client.post(f"{path}/actions/{action}", body, headers={"If-Match": etag})
        assert response.status_code == 200, (action, response.content)
        return response.json()

    act(staff, "start-verification", {})
    act(staff, "classify", {"nature": "quality", "severity": "general", "request_type": "repair", "priority": 3})
    act(staff, "set-responsibility", {"responsibility": "internal", "party": "生产部", "cause": "manufacturing"})
    act(staff, "record-verification", {"authentic": True, "complete": True})
    act(
        staff,
        "propose-plan",
        {
            "diagnosis": "压缩机故障",
            "measures": [{"kind": "onsite_repair", "owner": "all-agent", "amount": "0", "customer_charge": "300"}],
        },
    )
    assert act(staff, "submit-plan", {})["status"] == "awaiting_customer"
    assert act(customer, "record-agreement", {"accepted": True})["status"] == "in_progress"
    from aftersales.tickets.models import PlanMeasure

    measure = PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)
    act(staff, "update-measure", {"measure_id": measure.pk, "status": "done", "progress_note": "更换压缩机"})
    assert act(staff, "resolve", {"summary": "已更换压缩机"})["status"] == "resolved"
    survey = customer.get(f"{path}/survey")
    assert survey.status_code == 200
    assert survey.json()["status"] == "pending"
    answered = customer.post(f"{path}/survey", {"overall": 5, "solved": True, "comment": "很好"})
    assert answered.status_code == 201, answered.content
    assert answered.json()["status"] == "submitted"
    assert customer.get(path).json()["status"] == "closed"
    again = customer.post(f"{path}/survey", {"overall": 5, "solved": True})
    assert again.status_code == 404
