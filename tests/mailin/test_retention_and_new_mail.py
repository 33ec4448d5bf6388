"""Issue 21, mail-in: received mail is emptied after MAILIN_KEEP_DAYS (held mail included, the
ticket's copy stays), and a new mail (not a reply) from a known customer's address is filed under
that customer only when our receiving server vouches for its From address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from aftersales.accounts.models import Role
from aftersales.core import clock
from aftersales.customers.models import Contact, Customer
from aftersales.mailin.held import mailin_make_ticket
from aftersales.mailin.models import InboundMessage, InboundStatus
from aftersales.mailin.retention import mailin_purge_old_messages
from aftersales.mailin.selectors import held_messages
from aftersales.mailin.services import mailin_store
from aftersales.mailin.tasks import purge_old_messages
from aftersales.tickets.models import Ticket
from tests.factories import CustomerFactory, UserFactory

from . import corpus

pytestmark = pytest.mark.django_db
OUR_MX = "mx.aftersales.example.cn"
FAIL = f"{OUR_MX}; spf=fail smtp.mailfrom=li.na@example.com; dkim=none; dmarc=fail header.from=example.com"
PASS = f"{OUR_MX}; spf=pass smtp.mailfrom=li.na@example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com"


def _with_results(raw: bytes, *values: str) -> bytes:
    return b"".join(f"Authentication-Results: {value}\n".encode() for value in values) + raw


def _age(message: InboundMessage, days: int) -> None:
    InboundMessage.objects.filter(pk=message.pk).update(received_at=clock.now() - dt.timedelta(days=days))


# --- Retention --------------------------------------------------------------------------------


def test_old_mail_is_emptied_and_the_tickets_copy_stays(ingest):
    raw = corpus.plain(body="您好，我家的空调室内机一直滴水。电话13912345678")
    message = ingest(raw)
    ticket = message.ticket
    assert message.status == InboundStatus.PROCESSED and ticket is not None
    recent = ingest(corpus.plain(sender="王芳 <wang.fang@example.com>", subject="冰箱"))
    _age(message, 91)
    _age(recent, 89)
    result = purge_old_messages.call()
    assert result == {"purged": 1, "held_closed": 0, "keep_days": 90}
    message.refresh_from_db()
    assert bytes(message.raw) == b"" and message.purged_at is not None
    assert (message.mail_from, message.sender, message.mail_to, message.subject) == ("", "", "", "")
    assert (message.body_text, message.body_html, message.attachment_names) == ("", "", [])
    assert message.status == InboundStatus.PROCESSED and message.ticket_id == ticket.pk
    assert "空调室内机一直滴水" in Ticket.objects.get(pk=ticket.pk).description  # the ticket's copy
    recent.refresh_from_db()
    assert recent.purged_at is None and bytes(recent.raw)
    # Idempotent; and the same message delivered again is still known (no second ticket).
    assert mailin_purge_old_messages()["purged"] == 0
    again = mailin_store(raw=raw, source="imap")
    assert again.created is False and again.message.pk == message.pk and Ticket.objects.count() == 2


def test_old_held_mail_is_emptied_and_closed_with_the_reason(ingest, settings):
    settings.MAILIN_KEEP_DAYS = 30
    held = ingest(corpus.plain(subject="关于工单 SH20990101-0001 的问题"))
    InboundMessage.objects.filter(pk=held.pk).update(status=InboundStatus.HELD, reason="held for a test from li.na@example.com")
    _age(held, 31)
    result = mailin_purge_old_messages()
    assert result["purged"] == 1 and result["held_closed"] == 1 and result["keep_days"] == 30
    held.refresh_from_db()
    assert held.status == InboundStatus.IGNORED and "li.na@example.com" not in held.reason
    with translation.override("en"):
        assert "after 30 days" in held.shown_reason
    with translation.override("zh-hans"):
        assert "30" in held.shown_reason and "天" in held.shown_reason
    agent = UserFactory(role=Role.AGENT, data_scope="all")
    assert held not in held_messages(user=agent)


# --- New mail from a known customer's address --------------------------------------------------


@pytest.fixture
def known(db) -> Customer:
    return CustomerFactory(name="李娜", email="li.na@example.com", phone="+8613912345678")


def test_new_mail_failing_sender_checks_from_a_known_address_is_held(ingest, settings, known):
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = [OUR_MX]
    message = ingest(_with_results(corpus.plain(body="请把退款打到这个新账户 6222…"), FAIL))
    assert message.status == InboundStatus.HELD and message.ticket_id is None
    assert not Ticket.objects.exists()
    with translation.override("en"):
        english = message.shown_reason
    with translation.override("zh-hans"):
        chinese = message.shown_reason
    assert "known customer" in english and "li.na@example.com" in english and "dmarc=fail" in english
    assert "已知客户" in chinese and "dmarc=fail" in chinese
    # An agent who checked it registers it (then it is the customer's).
    agent = UserFactory(role=Role.AGENT, data_scope="all")
    ticket = mailin_make_ticket(actor=agent, message=message)
    assert ticket.customer_id == known.pk


def test_new_mail_without_results_from_our_server_from_a_verified_contact_is_held(ingest, settings, known):
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = [OUR_MX]
    Contact.objects.create(customer=known, name="李强", email="li.qiang@example.com", verified=True)
    forged = "mx.evil.example; dmarc=pass header.from=example.com"
    message = ingest(_with_results(corpus.plain(sender="李强 <li.qiang@example.com>"), forged))
    assert message.status == InboundStatus.HELD and OUR_MX in message.reason
    assert not Ticket.objects.exists()


def test_new_mail_that_passes_or_from_a_stranger_becomes_a_ticket(ingest, settings, known):
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = [OUR_MX]
    passed = ingest(_with_results(corpus.plain(), PASS))
    assert passed.status == InboundStatus.PROCESSED and passed.ticket.customer_id == known.pk
    stranger = ingest(_with_results(corpus.plain(sender="赵六 <zhao.liu@example.org>", subject="洗衣机"), FAIL))
    assert stranger.status == InboundStatus.PROCESSED and stranger.ticket.customer_id != known.pk


def test_without_a_trusted_server_new_mail_is_not_checked(ingest, settings, known):
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = []
    message = ingest(_with_results(corpus.plain(), FAIL))
    assert message.status == InboundStatus.PROCESSED and message.ticket.customer_id == known.pk
