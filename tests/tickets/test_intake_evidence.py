"""Evidence at the agent's intake (SPEC §2.1: photos, the invoice, a proof of purchase): each file
checked as every upload is, stored with its kind in the intake's transaction under the intake's
idempotency key, a bad file refusing the whole submit on its field with everything typed kept."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.upload_checks import EICAR_SIGNATURE
from aftersales.customers.models import Customer
from aftersales.tickets.attachments import MAX_REQUEST_FILES, EvidenceKind
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.services import ticket_intake
from aftersales.tickets.services.intake import IntakeFile
from tests.clients import client_for
from tests.factories import UserFactory, intake_input

from .media import JPEG_BYTES, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db

INTAKE = reverse("tickets:intake")
NOT_A_PHOTO = b"#!/bin/sh\necho not a photo\n"


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def evidence(*items: tuple[str, str, bytes]) -> list[IntakeFile]:
    return [IntakeFile(kind=kind, file=upload(name, content), name=name) for kind, name, content in items]


def the_usual_evidence() -> list[IntakeFile]:
    return evidence(
        (EvidenceKind.PHOTO, "leak.png", png_bytes()),
        (EvidenceKind.INVOICE, "fapiao.pdf", PDF_BYTES),
        (EvidenceKind.PURCHASE_PROOF, "receipt.jpg", JPEG_BYTES),
    )


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# --- The service ----------------------------------------------------------------------------


def test_each_file_is_stored_with_its_kind_after_the_created_entry_and_audited(agent):
    result = ticket_intake(data=intake_input(), actor=agent, idempotency_key="counter-1", evidence=the_usual_evidence())

    ticket = result.ticket
    attachments = list(Attachment.objects.filter(ticket=ticket).select_related("event").order_by("pk"))
    assert [a.original_name for a in attachments] == ["leak.png", "fapiao.pdf", "receipt.jpg"]
    assert [a.content_type for a in attachments] == ["image/png", "application/pdf", "image/jpeg"]
    assert [a.event.data["evidence"] for a in attachments] == ["photo", "invoice", "purchase_proof"]
    # The customer sees the photos they sent; the invoice and the proof are staff-only.
    assert [a.public for a in attachments] == [True, False, False]
    assert [a.event.public for a in attachments] == [True, False, False]
    assert all(a.uploaded_by == agent and a.event.actor == agent and a.event.kind == EventKind.ATTACHMENT for a in attachments)
    with attachments[1].file.open("rb") as stored:
        assert stored.read() == PDF_BYTES
    # On the timeline after "registered", at the intake's time.
    events = list(TicketEvent.objects.filter(ticket=ticket))
    assert [e.kind for e in events] == [EventKind.CREATED, *[EventKind.ATTACHMENT] * 3]
    assert {e.created_at for e in events} == {ticket.created_at}
    audited = AuditEvent.objects.filter(action="ticket.attachment_added", object_id=str(ticket.pk))
    assert sorted((row.changes["attachment"], row.changes["evidence"]) for row in audited) == [
        (attachments[0].pk, "photo"),
        (attachments[1].pk, "invoice"),
        (attachments[2].pk, "purchase_proof"),
    ]


def test_a_retry_with_the_same_key_and_files_stores_nothing_again(agent):
    first = ticket_intake(data=intake_input(), actor=agent, idempotency_key="counter-2", evidence=the_usual_evidence())
    again = ticket_intake(data=intake_input(), actor=agent, idempotency_key="counter-2", evidence=the_usual_evidence())

    assert again.created is False and again.ticket.pk == first.ticket.pk
    assert Ticket.objects.count() == 1
    assert Attachment.objects.count() == 3
    assert len(stored_files()) == 3


def test_the_same_key_with_other_files_is_a_conflict_and_stores_nothing(agent):
    ticket_intake(data=intake_input(), actor=agent, idempotency_key="counter-3", evidence=the_usual_evidence())
    other = evidence((EvidenceKind.PHOTO, "leak.png", png_bytes()), (EvidenceKind.INVOICE, "fapiao-2.pdf", PDF_BYTES))

    with pytest.raises(Conflict):
        ticket_intake(data=intake_input(), actor=agent, idempotency_key="counter-3", evidence=other)
    with pytest.raises(Conflict):  # the files were the only evidence: now none
        ticket_intake(data=intake_input(), actor=agent, idempotency_key="counter-3")
    assert Attachment.objects.count() == 3


def test_a_refused_file_refuses_the_intake_naming_the_file_on_its_kind(agent):
    files = evidence(
        (EvidenceKind.PHOTO, "leak.png", png_bytes()),
        (EvidenceKind.INVOICE, "fapiao.jpg", NOT_A_PHOTO),
        (EvidenceKind.OTHER, "eicar.pdf", PDF_BYTES + EICAR_SIGNATURE),
    )

    with pytest.raises(ValidationFailed) as refused:
        ticket_intake(data=intake_input(), actor=agent, idempotency_key="counter-4", evidence=files)

    errors = refused.value.errors
    assert set(errors) == {"evidence_invoice", "evidence_other"}
    assert len(errors["evidence_invoice"]) == 1
    assert errors["evidence_invoice"][0].startswith("fapiao.jpg: ") and "not accepted" in errors["evidence_invoice"][0]
    assert errors["evidence_other"][0].startswith("eicar.pdf: ") and "virus" in errors["evidence_other"][0]
    assert refused.value.code == "attachment_type"
    assert not Ticket.objects.exists() and not Customer.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []
    # Nothing was remembered under the key: the corrected submit registers the request.
    good = ticket_intake(data=intake_input(), actor=agent, idempotency_key="counter-4", evidence=the_usual_evidence())
    assert good.created and Attachment.objects.filter(ticket=good.ticket).count() == 3


def test_bad_fields_and_bad_files_are_named_together(agent):
    files = evidence((EvidenceKind.PURCHASE_PROOF, "proof.png", NOT_A_PHOTO))

    with pytest.raises(ValidationFailed) as refused:
        ticket_intake(data=intake_input(description="  ", phone="12345"), actor=agent, evidence=files)

    assert {"description", "phone", "evidence_purchase_proof"} <= set(refused.value.errors)
    assert refused.value.field == "description"  # the request's own fields first


def test_more_than_six_files_or_a_file_of_no_kind_are_refused(agent):
    many = evidence(*[(EvidenceKind.PHOTO, f"p{n}.png", png_bytes()) for n in range(MAX_REQUEST_FILES + 1)])
    with pytest.raises(ValidationFailed) as refused:
        ticket_intake(data=intake_input(), actor=agent, evidence=many)
    assert refused.value.code == "too_many_files" and set(refused.value.errors) == {"evidence"}

    with pytest.raises(ValidationFailed) as refused:
        ticket_intake(data=intake_input(), actor=agent, evidence=evidence(("selfie", "me.png", png_bytes())))
    assert refused.value.code == "evidence_kind_invalid"
    assert not Ticket.objects.exists() and stored_files() == []


def test_the_files_of_an_intake_that_fails_later_are_removed_from_storage(agent, monkeypatch):
    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr("aftersales.tickets.services.intake.ticket_counts_change", broken)

    with pytest.raises(RuntimeError):
        ticket_intake(data=intake_input(), actor=agent, evidence=the_usual_evidence())

    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert stored_files() == []


# --- The intake page ------------------------------------------------------------------------


def page_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "idempotency_key": uuid.uuid4().hex,
        "channel": "store",
        "phone": "138 1234 5678",
        "customer_name": "张伟",
        "request_type": "repair",
        "priority": "3",
        "province": "广东省",
        "city": "佛山市",
        "address": "北滘镇美的大道 6 号",
        "occurred_certainty": "unknown",
        "description": "空调漏水，室内机滴水到地板上。",
    }
    data.update(overrides)
    return data


def test_the_intake_page_offers_the_evidence_fields_in_a_multipart_form(agent):
    html = client_for(agent).get(INTAKE).content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'data-test-id="intake-evidence"' in html
    for kind in EvidenceKind.values:
        assert f'name="evidence_{kind}"' in html
    assert html.count(" multiple") >= 4
    assert "发票" in html and "购买凭证" in html  # the page speaks Chinese by default


def test_a_store_agent_registers_the_request_with_the_customers_invoice_and_photos(agent):
    client: Client = client_for(agent)
    response = client.post(
        INTAKE,
        page_post(
            evidence_photo=[upload("front.png", png_bytes()), upload("label.jpg", JPEG_BYTES)],
            evidence_invoice=[upload("fapiao.pdf", PDF_BYTES)],
        ),
    )

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == reverse("tickets:detail", args=[ticket.number])
    kinds = dict(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ATTACHMENT).values_list("body", "data__evidence"))
    assert kinds == {"front.png": "photo", "label.jpg": "photo", "fapiao.pdf": "invoice"}
    page = client.get(response.url).content.decode()
    assert "fapiao.pdf" in page and "front.png" in page


def test_a_double_submit_from_the_page_stores_one_set_of_files(agent):
    client = client_for(agent)
    data = page_post(idempotency_key="page-key")
    first = client.post(INTAKE, {**data, "evidence_purchase_proof": [upload("receipt.jpg", JPEG_BYTES)]})
    second = client.post(INTAKE, {**data, "evidence_purchase_proof": [upload("receipt.jpg", JPEG_BYTES)]})

    assert first.status_code == second.status_code == 302 and first.url == second.url
    assert Ticket.objects.count() == 1 and Attachment.objects.count() == 1


def test_a_bad_file_comes_back_on_its_field_with_everything_typed_kept(agent):
    response = client_for(agent).post(
        INTAKE,
        page_post(
            description="冰箱不制冷，已经三天了。",
            evidence_photo=[upload("fridge.png", png_bytes())],
            evidence_purchase_proof=[upload("receipt.png", NOT_A_PHOTO)],
        ),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="error-evidence_purchase_proof"' in html and "receipt.png" in html
    assert 'data-test-id="error-evidence_photo"' not in html
    assert 'data-test-id="intake-files-again"' in html
    assert "冰箱不制冷，已经三天了。" in html and 'value="138 1234 5678"' in html and 'value="张伟"' in html
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_too_many_files_are_refused_at_the_top_of_the_form(agent):
    photos = [upload(f"p{n}.png", png_bytes()) for n in range(MAX_REQUEST_FILES)]
    response = client_for(agent).post(INTAKE, page_post(evidence_photo=photos, evidence_other=[upload("x.pdf", PDF_BYTES)]))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="intake-errors"' in html and "6" in html
    assert not Ticket.objects.exists()
