"""An archived ticket (closed, rejected, cancelled, merged) is read-only: every addition and every
process step is refused with ``ticket_final`` and a message saying so, except reopening a closed
ticket, after which it takes entries again."""

from __future__ import annotations

import email
import io
from email import policy
from email.message import EmailMessage

import pytest
from django.core import mail as django_mail
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.core.errors import DomainError
from aftersales.mailin.held import mailin_release_to_ticket
from aftersales.mailin.models import InboundOutcome, InboundStatus
from aftersales.mailin.services import mailin_process, mailin_store
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.services import notification_deliver
from aftersales.tickets.choices import EventKind, Priority
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.process import ticket_classify, ticket_reopen, ticket_update_measure
from aftersales.tickets.services import (
    ticket_add_attachment,
    ticket_add_customer_message,
    ticket_add_note,
    ticket_assign,
    ticket_transition,
)
from aftersales.tickets.states import FINAL_STATUSES, TicketStatus
from tests.casefile.world import lived_ticket
from tests.factories import UserFactory, make_ticket
from tests.mailin import corpus
from tests.tickets.media import png_bytes

pytestmark = pytest.mark.django_db
S = TicketStatus


def _admin():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)


def _final(status: TicketStatus) -> Ticket:
    """A ticket in ``status``, reached through the transition table."""
    admin = _admin()
    ticket = make_ticket(actor=admin)
    if status == S.CLOSED:
        return lived_ticket().ticket
    return ticket_transition(ticket=ticket, to_status=status, actor=admin)


def _photo() -> io.BytesIO:
    buffer = io.BytesIO(png_bytes())
    buffer.name = "photo.png"
    return buffer


ADDITIONS = {
    "note": lambda t, u: ticket_add_note(ticket=t, actor=u, body="客户来电致谢。"),
    "reply": lambda t, u: ticket_add_note(ticket=t, actor=u, body="感谢您的反馈。", kind=EventKind.MESSAGE_OUT),
    "call": lambda t, u: ticket_add_note(ticket=t, actor=u, body="回访电话。", kind=EventKind.CALL),
    "customer_message": lambda t, u: ticket_add_customer_message(ticket=t, body="还有一个问题", actor_label="陈静"),
    "attachment": lambda t, u: ticket_add_attachment(ticket=t, actor=u, fileobj=_photo(), filename="photo.png"),
}


@pytest.mark.parametrize("status", sorted(FINAL_STATUSES))
@pytest.mark.parametrize("addition", sorted(ADDITIONS))
def test_nothing_is_added_to_an_archived_ticket(status, addition):
    ticket = _final(status)
    events, files = TicketEvent.objects.filter(ticket=ticket).count(), Attachment.objects.filter(ticket=ticket).count()
    with translation.override("zh-hans"):
        with pytest.raises(DomainError) as refused:
            ADDITIONS[addition](ticket, _admin())
        message = str(refused.value)
    assert (refused.value.code, refused.value.field) == ("ticket_final", "status")
    assert "归档" in message and "只读" in message
    assert TicketEvent.objects.filter(ticket=ticket).count() == events
    assert Attachment.objects.filter(ticket=ticket).count() == files


def test_the_refusal_of_a_closed_ticket_says_to_reopen_it():
    ticket = lived_ticket().ticket
    with translation.override("en"):
        with pytest.raises(DomainError) as refused:
            ticket_add_note(ticket=ticket, actor=_admin(), body="x")
        assert "Reopen it" in str(refused.value)
        with pytest.raises(DomainError) as rejected:
            ticket_add_note(ticket=_final(S.REJECTED), actor=_admin(), body="x")
        assert "Rejected" in str(rejected.value) and "Reopen" not in str(rejected.value)


@pytest.mark.parametrize("status", sorted(FINAL_STATUSES))
def test_no_process_step_but_reopen_is_offered_or_accepted_on_an_archived_ticket(status):
    ticket = _final(status)
    admin = _admin()
    assert ticket_available_actions(user=admin, ticket=ticket) == (["reopen"] if status == S.CLOSED else [])
    with pytest.raises(DomainError) as refused:
        ticket_classify(
            ticket=ticket, actor=admin, category=None, nature="", severity="", request_type="repair", priority=Priority.URGENT
        )
    assert refused.value.code == "ticket_final"
    with pytest.raises(DomainError) as not_assigned:
        ticket_assign(ticket=ticket, assignee=UserFactory(), actor=admin)
    assert not_assigned.value.code == "ticket_final"


def test_a_measure_of_a_closed_ticket_cannot_be_updated():
    world = lived_ticket()
    with pytest.raises(DomainError) as refused:
        ticket_update_measure(measure=world.measure, actor=world.handler, status="in_progress", progress_note="再看看")
    # The measure's owner skips the handler rules, so the execution step's own status rule refuses.
    assert refused.value.code in {"ticket_final", "action_not_available"}
    world.measure.refresh_from_db()
    assert world.measure.status == "done"


def test_reopening_is_the_one_way_back_and_then_the_ticket_takes_entries_again():
    world = lived_ticket()
    ticket = ticket_reopen(ticket=world.ticket, actor=world.handler, reason="客户反映仍有异响。")
    assert ticket.status == S.REOPENED
    event = ticket_add_note(ticket=ticket, actor=world.handler, body="重新安排上门。")
    assert event.pk and ticket_add_attachment(ticket=ticket, actor=world.handler, fileobj=_photo(), filename="再次.png").pk


def test_an_email_reply_to_a_closed_ticket_is_held_for_an_agent_not_lost():
    message = _ingest(corpus.plain())
    ticket = message.ticket
    sent = _sent_email_for(ticket)
    ticket = ticket_transition(ticket=ticket, to_status=S.CANCELLED, actor=_admin())
    reply = _ingest(_reply_to(sent, "怎么撤销了？"))
    assert (reply.status, reply.ticket_id) == (InboundStatus.HELD, ticket.pk)
    assert "archived" in reply.reason
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).exists()
    # Releasing it onto the archived ticket is refused too: the agent makes a new ticket instead.
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    with pytest.raises(DomainError) as refused:
        mailin_release_to_ticket(actor=agent, message=reply, ticket_number=ticket.number)
    assert refused.value.code == "ticket_final"
    reply.refresh_from_db()
    assert reply.status == InboundStatus.HELD and reply.outcome != InboundOutcome.RELEASED


def _ingest(raw: bytes):  # type: ignore[no-untyped-def]
    stored = mailin_store(raw=raw, source="imap").message
    mailin_process(message_id=stored.pk)
    stored.refresh_from_db()
    return stored


def _reply_to(sent, body: str) -> bytes:  # type: ignore[no-untyped-def]
    """The customer's answer to our email, threaded by In-Reply-To as mail clients do."""
    answer = EmailMessage()
    answer["From"] = "李娜 <li.na@example.com>"
    answer["To"] = corpus.SUPPORT
    answer["Subject"] = f"Re: {sent['Subject']}"
    answer["Message-ID"] = "<archived-reply-1@mail.example.com>"
    answer["In-Reply-To"] = sent["Message-ID"]
    answer["References"] = sent["Message-ID"]
    answer.set_content(body)
    return answer.as_bytes()


def _sent_email_for(ticket: Ticket):  # type: ignore[no-untyped-def]
    notification = Notification.objects.filter(ticket=ticket, channel=NotificationChannel.EMAIL).latest("pk")
    notification_deliver(notification_id=notification.pk)
    return email.message_from_bytes(django_mail.outbox[-1].message().as_bytes(), policy=policy.default)


@pytest.fixture(autouse=True)
def _mailbox(settings):  # type: ignore[no-untyped-def]
    settings.MAILIN_ADDRESS = f"售后服务 <{corpus.SUPPORT}>"
