"""Notes, messages, assignment and attachments: what may be added to a ticket, and by whom."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.services import ticket_add_attachment, ticket_add_note, ticket_assign, ticket_transition
from aftersales.tickets.states import TicketStatus
from tests.clock import freeze_time
from tests.factories import UserFactory, make_ticket
from tests.tickets.media import JPEG_BYTES, PDF_BYTES, png_bytes

pytestmark = pytest.mark.django_db


# --- Notes and messages ----------------------------------------------------------------------


def test_an_internal_note_is_private_and_audited():
    agent = UserFactory()
    ticket = make_ticket(actor=agent)
    event = ticket_add_note(ticket=ticket, actor=agent, body="  客户语气激动，注意安抚。 ")
    assert (event.kind, event.public, event.body, event.actor) == (EventKind.NOTE, False, "客户语气激动，注意安抚。", agent)
    assert AuditEvent.objects.filter(action="ticket.note", object_id=str(ticket.pk), actor=agent).exists()
    assert Ticket.objects.get(pk=ticket.pk).first_responded_at is None


@pytest.mark.parametrize("body", ["", "   ", None])
def test_an_empty_note_is_refused(body):
    ticket = make_ticket()
    with pytest.raises(ValidationFailed) as raised:
        ticket_add_note(ticket=ticket, actor=UserFactory(), body=body)
    assert (raised.value.code, raised.value.field) == ("note_empty", "body")
    assert ticket.events.count() == 1


def test_a_note_too_long_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        ticket_add_note(ticket=make_ticket(), actor=UserFactory(), body="字" * 20001)
    assert raised.value.code == "note_too_long"


@pytest.mark.parametrize("kind", [EventKind.STATUS_CHANGED, EventKind.CREATED, "gossip"])
def test_only_notes_messages_and_calls_can_be_written_by_hand(kind):
    with pytest.raises(ValidationFailed) as raised:
        ticket_add_note(ticket=make_ticket(), actor=UserFactory(), body="x", kind=kind)
    assert (raised.value.code, raised.value.field) == ("note_kind", "kind")


def test_the_first_message_to_the_customer_is_the_first_response_and_only_the_first():
    agent = UserFactory()
    with freeze_time("2026-11-22T02:00:00Z"):
        ticket = make_ticket(actor=agent)
    with freeze_time("2026-11-22T03:00:00Z"):
        message = ticket_add_note(ticket=ticket, actor=agent, body="您好，我们已安排工程师。", kind=EventKind.MESSAGE_OUT)
    assert message.public
    with freeze_time("2026-11-22T05:00:00Z"):
        # The same (now stale) object is used again, as a page that did not reload would.
        ticket_add_note(ticket=ticket, actor=agent, body="工程师明天上门。", kind=EventKind.MESSAGE_OUT)
        ticket_add_note(ticket=ticket, actor=agent, body="已回电确认。", kind=EventKind.CALL)
    assert Ticket.objects.get(pk=ticket.pk).first_responded_at == dt.datetime(2026, 11, 22, 3, tzinfo=dt.UTC)


def test_a_call_record_counts_as_first_response():
    agent = UserFactory()
    ticket = make_ticket(actor=agent)
    ticket_add_note(ticket=ticket, actor=agent, body="电话联系客户", kind=EventKind.CALL)
    assert Ticket.objects.get(pk=ticket.pk).first_responded_at is not None


def test_a_message_from_the_customer_is_public_but_no_response():
    customer_user = UserFactory(role="customer")
    ticket = make_ticket()
    event = ticket_add_note(ticket=ticket, actor=customer_user, body="请尽快处理", kind=EventKind.MESSAGE_IN)
    assert event.public
    ticket_add_note(ticket=ticket, actor=customer_user, body="还是漏水", kind=EventKind.MESSAGE_OUT)
    assert Ticket.objects.get(pk=ticket.pk).first_responded_at is None


def test_an_archived_ticket_takes_no_more_timeline_entries():
    # (tests/tickets/test_archive.py covers every addition and every final status)
    agent = UserFactory()
    ticket = ticket_transition(ticket=make_ticket(actor=agent), to_status=TicketStatus.CANCELLED, actor=agent)
    with pytest.raises(DomainError) as refused:
        ticket_add_note(ticket=ticket, actor=agent, body="客户来电确认撤销")
    assert refused.value.code == "ticket_final"
    assert ticket.events.filter(kind=EventKind.NOTE).count() == 0


# --- Assignment ------------------------------------------------------------------------------


def test_assigning_records_who_from_and_to_and_raises_the_version():
    supervisor, technician = UserFactory(role="supervisor"), UserFactory(role="technician")
    ticket = make_ticket(actor=supervisor)
    assigned = ticket_assign(ticket=ticket, assignee=technician, actor=supervisor, expected_version=1)
    assert (assigned.assignee, assigned.version) == (technician, 2)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNMENT)
    assert event.data == {"from": None, "to": technician.pk}
    assert not event.public
    assert AuditEvent.objects.get(action="ticket.assigned").changes == {"assignee": [None, technician.pk]}

    unassigned = ticket_assign(ticket=assigned, assignee=None, actor=supervisor)
    assert unassigned.assignee is None
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNMENT).latest("id").data == {
        "from": technician.pk,
        "to": None,
    }


def test_a_customer_or_an_inactive_user_cannot_be_assigned():
    supervisor = UserFactory(role="supervisor")
    ticket = make_ticket(actor=supervisor)
    for assignee in (UserFactory(role="customer"), UserFactory(is_active=False)):
        with pytest.raises(ValidationFailed) as raised:
            ticket_assign(ticket=ticket, assignee=assignee, actor=supervisor)
        assert (raised.value.code, raised.value.field) == ("assignee_invalid", "assignee")
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_a_final_ticket_cannot_be_reassigned():
    supervisor = UserFactory(role="supervisor")
    ticket = ticket_transition(ticket=make_ticket(actor=supervisor), to_status=TicketStatus.REJECTED, actor=supervisor)
    with pytest.raises(DomainError) as raised:
        ticket_assign(ticket=ticket, assignee=UserFactory(), actor=supervisor)
    assert raised.value.code == "ticket_final"


def test_assigning_from_a_stale_page_is_a_conflict():
    supervisor = UserFactory(role="supervisor")
    ticket = make_ticket(actor=supervisor)
    ticket_assign(ticket=ticket, assignee=UserFactory(), actor=supervisor, expected_version=1)
    with pytest.raises(DomainError) as raised:
        ticket_assign(ticket=ticket, assignee=UserFactory(), actor=supervisor, expected_version=1)
    assert raised.value.code == "stale_version"


# --- Attachments -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "filename", "content_type", "extension"),
    [
        (png_bytes(), "漏水照片.PNG", "image/png", ".png"),
        (JPEG_BYTES, "IMG_0001.jpeg", "image/jpeg", ".jpg"),
        (PDF_BYTES, "发票.pdf", "application/pdf", ".pdf"),
        (png_bytes(), "photo.pdf", "image/png", ".png"),  # the bytes decide, not the name
    ],
)
def test_a_real_photo_or_pdf_is_stored_under_a_generated_name(content, filename, content_type, extension):
    agent = UserFactory()
    ticket = make_ticket(actor=agent)
    attachment = ticket_add_attachment(ticket=ticket, actor=agent, fileobj=io.BytesIO(content), filename=filename)

    attachment.refresh_from_db()
    assert attachment.content_type == content_type
    assert attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.original_name == filename
    assert attachment.file.name.startswith(f"attachments/{ticket.pk}/")
    assert attachment.file.name.endswith(extension)
    assert filename.rsplit(".", 1)[0] not in attachment.file.name
    with attachment.file.open("rb") as stored:
        assert stored.read() == content
    event = attachment.event
    assert (event.kind, event.body, event.data) == (
        EventKind.ATTACHMENT,
        filename,
        {"content_type": content_type, "size": len(content)},
    )
    assert AuditEvent.objects.get(action="ticket.attachment_added").changes == {"attachment": attachment.pk}


def test_a_path_in_the_uploaded_name_never_reaches_the_file_system():
    upload = SimpleUploadedFile("../../etc/passwd.png", png_bytes(), content_type="image/png")
    attachment = ticket_add_attachment(ticket=make_ticket(), actor=None, fileobj=upload, filename=upload.name)
    assert ".." not in attachment.file.name and "passwd" not in attachment.file.name


def test_an_internal_attachment_is_hidden_with_its_event():
    attachment = ticket_add_attachment(
        ticket=make_ticket(), actor=UserFactory(), fileobj=io.BytesIO(png_bytes()), filename="内部.png", public=False
    )
    assert not attachment.public and not attachment.event.public


def test_a_text_file_named_like_a_picture_is_refused():
    ticket = make_ticket()
    with pytest.raises(ValidationFailed) as raised:
        ticket_add_attachment(ticket=ticket, actor=None, fileobj=io.BytesIO(b"<script>alert(1)</script>"), filename="evil.png")
    assert (raised.value.code, raised.value.field) == ("attachment_type", "attachment")
    assert not Attachment.objects.exists()
    assert not ticket.events.filter(kind=EventKind.ATTACHMENT).exists()


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        ticket_add_attachment(ticket=make_ticket(), actor=None, fileobj=io.BytesIO(b""), filename="empty.png")
    assert raised.value.code == "attachment_empty"


def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_accepted(settings):
    content = png_bytes()
    settings.ATTACHMENT_MAX_BYTES = len(content)
    ticket = make_ticket()
    assert ticket_add_attachment(ticket=ticket, actor=None, fileobj=io.BytesIO(content), filename="ok.png").size == len(content)
    with pytest.raises(ValidationFailed) as raised:
        ticket_add_attachment(ticket=ticket, actor=None, fileobj=io.BytesIO(content + b"\x00"), filename="big.png")
    assert raised.value.code == "attachment_too_large"
    assert Attachment.objects.count() == 1
