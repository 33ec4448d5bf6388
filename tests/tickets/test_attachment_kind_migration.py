"""tickets 0022: the files registered before ``Attachment.kind`` get their kind from what was
recorded — the agent's intake's ``evidence`` in the timeline entry, the correction's proof of
purchase, a customer's photo — in batches; everything else stays "other"."""

from __future__ import annotations

import importlib
import io
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import EvidenceKind
from aftersales.tickets.models import Attachment
from aftersales.tickets.services import ticket_add_attachment, ticket_intake
from aftersales.tickets.services.details import ticket_correct_details
from aftersales.tickets.services.intake import IntakeFile
from tests.factories import UserFactory, intake_input, make_ticket
from tests.tickets.media import JPEG_BYTES, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db

fill_migration = importlib.import_module("aftersales.tickets.migrations.0022_attachment_kind_fill")


def named(content: bytes, name: str) -> io.BytesIO:
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def test_existing_files_get_the_kind_their_records_say_in_batches(monkeypatch):
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    customer = UserFactory(role=Role.CUSTOMER)
    evidence = [
        IntakeFile(kind=EvidenceKind.PHOTO, file=named(png_bytes(), "a.png"), name="intake-photo.png"),
        IntakeFile(kind=EvidenceKind.INVOICE, file=named(PDF_BYTES, "b.pdf"), name="intake-invoice.pdf"),
        IntakeFile(kind=EvidenceKind.OTHER, file=named(JPEG_BYTES, "c.jpg"), name="intake-other.jpg"),
    ]
    ticket = ticket_intake(data=intake_input(), actor=agent, evidence=evidence).ticket
    ticket_correct_details(ticket=ticket, actor=agent, batch="B7", purchase_proof=named(JPEG_BYTES, "correction-proof.jpg"))

    def attach(name: str, content: bytes, actor: object) -> None:
        ticket_add_attachment(ticket=ticket, actor=actor, fileobj=named(content, name), filename=name)  # type: ignore[arg-type]

    attach("portal-photo.png", png_bytes(), customer)
    attach("portal-receipt.pdf", PDF_BYTES, customer)
    attach("staff-photo.jpg", JPEG_BYTES, agent)
    attach("mail-photo.png", png_bytes(), None)
    attach("orphan-photo.png", png_bytes(), customer)
    Attachment.objects.filter(original_name="orphan-photo.png").update(event=None)  # its entry gone (SET_NULL)
    Attachment.objects.update(kind=EvidenceKind.OTHER)  # as the rows were before 0022

    monkeypatch.setattr(fill_migration, "BATCH", 3)  # several batches over nine rows
    fill_migration.fill(apps, SimpleNamespace(connection=connection))

    assert dict(Attachment.objects.values_list("original_name", "kind")) == {
        "intake-photo.png": "photo",
        "intake-invoice.pdf": "invoice",
        "intake-other.jpg": "other",
        "correction-proof.jpg": "purchase_proof",
        "portal-photo.png": "photo",  # a customer's photo: sent from the portal's request form
        "portal-receipt.pdf": "other",  # nobody said what it was
        "staff-photo.jpg": "other",  # staff may have photographed an invoice: not guessed
        "mail-photo.png": "other",
        "orphan-photo.png": "photo",
    }
    # Run again (a run stopped half-way): the same kinds.
    fill_migration.fill(apps, SimpleNamespace(connection=connection))
    assert Attachment.objects.filter(kind=EvidenceKind.PURCHASE_PROOF).count() == 1


@pytest.mark.parametrize(
    ("content_type", "event_kind", "data", "role", "expected"),
    [
        ("image/png", "attachment", {"evidence": "invoice"}, "agent", "invoice"),
        ("image/png", "attachment", {"evidence": "nonsense"}, "customer", "photo"),
        ("application/pdf", "field_changed", {"action": "correct_details"}, "agent", "purchase_proof"),
        ("application/pdf", "field_changed", {"action": "something_else"}, "agent", "other"),
        ("video/mp4", None, None, "customer", "photo"),
        ("audio/mpeg", "attachment", {}, "customer", "other"),
        ("image/jpeg", "attachment", {}, None, "other"),
        ("", "attachment", "not a dict", None, "other"),
    ],
)
def test_the_rule_for_one_file(content_type, event_kind, data, role, expected):
    assert fill_migration.kind_of(content_type, event_kind, data, role) == expected


def test_a_ticket_without_files_is_fine():
    make_ticket()
    fill_migration.fill(apps, SimpleNamespace(connection=connection))
    assert not Attachment.objects.exists()
