"""Issue 21, mail-in: a reply counts as the customer's only when the receiving server vouches for
its From address (Authentication-Results, RFC 8601), a per-sender loop break stops ping-pong with
other helpdesks, and held mail is read only within the reader's data scope (refusals audited)."""

from __future__ import annotations

import datetime as dt
import email
from email import policy

import pytest
from django.core import mail as django_mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.mailin import authres
from aftersales.mailin.held import mailin_discard, mailin_release_to_ticket
from aftersales.mailin.models import InboundMessage, InboundStatus
from aftersales.mailin.selectors import held_messages
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.services import notification_deliver
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from tests.factories import RegionFactory, UserFactory, make_ticket

from . import corpus

OUR_MX = "mx.aftersales.example.cn"


def _sent_email_for(ticket: Ticket):  # type: ignore[no-untyped-def]
    notification = Notification.objects.filter(ticket=ticket, channel=NotificationChannel.EMAIL).latest("pk")
    notification_deliver(notification_id=notification.pk)
    return email.message_from_bytes(django_mail.outbox[-1].message().as_bytes(), policy=policy.default)


def _with_results(raw: bytes, *values: str) -> bytes:
    """``raw`` as our receiving server hands it on: its Authentication-Results on top."""
    return b"".join(f"Authentication-Results: {value}\n".encode() for value in values) + raw


def _reasons(message: InboundMessage) -> tuple[str, str]:
    with translation.override("en"):
        english = message.shown_reason
    with translation.override("zh-hans"):
        chinese = message.shown_reason
    return english, chinese


# --- The parser -------------------------------------------------------------------------------


def test_the_parser_reads_rfc_8601_headers_with_comments_quotes_and_versions():
    parsed = authres.parse(
        '"MX.Example.CN" 1 (our server); dkim / 1 = fail (bad signature) reason="body hash; mismatch" '
        "header . d = example.com; spf=pass (sender designated) smtp.mailfrom=li.na@example.com;\r\n\t"
        "dmarc=fail (p=reject) header.from=example.com"
    )
    assert parsed is not None and parsed.authserv_id == "mx.example.cn"
    assert [(r.method, r.result) for r in parsed.results] == [("dkim", "fail"), ("spf", "pass"), ("dmarc", "fail")]
    dkim = parsed.of("dkim")[0]
    assert dkim.prop("reason") == "body hash; mismatch" and dkim.prop("header.d") == "example.com"
    assert parsed.of("spf")[0].prop("smtp.mailfrom") == "li.na@example.com"
    assert authres.parse("mx.example.cn; none") == authres.AuthenticationResults("mx.example.cn", [])
    assert authres.parse("") is None and authres.parse("=x; spf=pass") is None
    # An unreadable result is skipped, never read as a pass.
    odd = authres.parse("mx.example.cn; bogus; spf=pass smtp.mailfrom=a@example.com")
    assert odd is not None and [r.method for r in odd.results] == ["spf"]


@pytest.mark.parametrize(
    ("headers", "passed"),
    [
        (["mx.t; dmarc=pass header.from=example.com"], True),
        (
            [
                "mx.t; spf=pass smtp.mailfrom=li.na@example.com; dkim=pass header.d=example.com; dmarc=fail header.from=example.com"
            ],
            False,
        ),
        (["mx.t; dkim=pass header.d=mail.example.com"], True),  # aligned (relaxed)
        (["mx.t; dkim=pass header.d=evil.example"], False),  # signed, but by somebody else
        (["mx.t; spf=pass smtp.mailfrom=bounce@example.com"], True),
        (["mx.t; spf=softfail smtp.mailfrom=li.na@example.com"], False),
        (["mx.t; dmarc=temperror header.from=example.com; dkim=pass header.d=example.com"], False),
        (["mx.t; dmarc=pass header.from=other.example"], False),  # DMARC about another domain
        # Only the topmost trusted header counts: a forged one below ours, or from a stranger, does not.
        (["mx.t; dmarc=fail header.from=example.com", "mx.t; dmarc=pass header.from=example.com"], False),
        (["evil.example; dmarc=pass header.from=example.com"], False),
        ([], False),
    ],
)
def test_the_verdict(headers, passed):
    verdict = authres.verdict(headers=headers, trusted_ids=frozenset({"mx.t"}), from_address="li.na@example.com")
    assert verdict.passed is passed


# --- Replies ----------------------------------------------------------------------------------


@pytest.fixture
def reply_to_ticket(ingest):  # type: ignore[no-untyped-def]
    ticket = ingest(corpus.plain()).ticket
    sent = _sent_email_for(ticket)

    def reply(*results: str, body: str = "好的，明天上午家里有人。") -> InboundMessage:
        return ingest(_with_results(corpus.reply(to_message=sent, sender="李娜 <li.na@example.com>", body=body), *results))

    return ticket, reply


def test_a_reply_whose_sender_checks_pass_is_the_customers_message(settings, reply_to_ticket):
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = [OUR_MX]
    ticket, reply = reply_to_ticket
    message = reply(
        f"{OUR_MX}; spf=pass smtp.mailfrom=li.na@example.com; dkim=pass header.d=example.com; dmarc=pass header.from=example.com"
    )
    assert message.status == InboundStatus.PROCESSED
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).count() == 1


def test_a_reply_that_fails_spf_dkim_dmarc_is_held_not_posted(settings, reply_to_ticket):
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = f"other.example, {OUR_MX.upper()}"  # comma-separated, any case
    ticket, reply = reply_to_ticket
    message = reply(
        f"{OUR_MX}; spf=fail smtp.mailfrom=li.na@example.com; dkim=none; dmarc=fail (p=none) header.from=example.com",
        body="请把退款打到这个账户",
    )
    assert message.status == InboundStatus.HELD and message.ticket_id == ticket.pk
    english, chinese = _reasons(message)
    assert english == message.reason
    assert "failed the sender checks" in english and "spf=fail dkim=none dmarc=fail" in english and ticket.number in english
    assert "未通过本方邮件服务器的发件人验证" in chinese and "dmarc=fail" in chinese and ticket.number in chinese
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).exists()
    # An agent who checked it may still release it to the ticket.
    agent = UserFactory(role=Role.AGENT, data_scope="all")
    mailin_release_to_ticket(actor=agent, message=message, ticket_number=ticket.number)
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).count() == 1


def test_a_reply_without_results_from_our_server_is_held(settings, reply_to_ticket):
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = [OUR_MX]
    ticket, reply = reply_to_ticket
    # The sender wrote a "pass" of its own: not from a trusted authserv-id, so it counts for nothing.
    message = reply("mx.evil.example; spf=pass smtp.mailfrom=li.na@example.com; dmarc=pass header.from=example.com")
    assert message.status == InboundStatus.HELD
    english, chinese = _reasons(message)
    assert "without authentication results from our mail server" in english and OUR_MX in english
    assert "没有本方邮件服务器" in chinese
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).exists()


def test_without_a_trusted_server_configured_replies_are_not_checked(settings, reply_to_ticket):
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = []
    _ticket, reply = reply_to_ticket
    assert reply().status == InboundStatus.PROCESSED


# --- The per-sender loop break ----------------------------------------------------------------


def test_mails_from_one_sender_beyond_the_limit_make_no_tickets_and_no_acknowledgements(settings, ingest):
    settings.MAILIN_SENDER_LIMIT = 3
    settings.MAILIN_SENDER_WINDOW_MINUTES = 30
    helpdesk = "Helpdesk <helpdesk@other-company.example>"
    messages = [
        ingest(corpus.plain(sender=helpdesk, subject=f"Ticket #{n} received", body=f"We got it ({n}).")) for n in range(10)
    ]
    assert [m.status for m in messages] == [InboundStatus.PROCESSED] * 3 + [InboundStatus.HELD] * 7
    assert Ticket.objects.count() == 3
    assert Notification.objects.filter(channel=NotificationChannel.EMAIL).count() == 3  # three acknowledgements only
    english, chinese = _reasons(messages[3])
    assert english.startswith("3 earlier mails from helpdesk@other-company.example within 30 minutes")
    assert "30 分钟内已发来 3 封邮件" in chinese and "不发回执" in chinese
    # Another sender is not affected; the same sender is again once the window has passed.
    assert ingest(corpus.plain(sender="李娜 <li.na@example.com>")).status == InboundStatus.PROCESSED
    InboundMessage.objects.filter(sender="helpdesk@other-company.example").update(
        received_at=clock.now() - dt.timedelta(minutes=31)
    )
    assert ingest(corpus.plain(sender=helpdesk, subject="again", body="again")).status == InboundStatus.PROCESSED


def test_auto_replies_count_towards_the_limit_too(settings, ingest):
    settings.MAILIN_SENDER_LIMIT = 2
    for kind in ("auto-submitted", "x-autoreply"):
        assert ingest(corpus.auto_reply(kind)).status == InboundStatus.IGNORED
    held = ingest(corpus.plain(subject="plain mail", body="from an auto-responder without its headers"))
    assert held.status == InboundStatus.HELD and Ticket.objects.count() == 0


def test_the_loop_break_can_be_switched_off(settings, ingest):
    settings.MAILIN_SENDER_LIMIT = 0
    for n in range(12):
        ingest(corpus.plain(subject=f"n{n}", body=f"b{n}"))
    assert Ticket.objects.count() == 12


# --- Held mail within the reader's scope ------------------------------------------------------


def test_held_mail_about_a_ticket_is_read_only_within_the_ticket_region(ingest):
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    ticket = make_ticket(email="li.na@example.com", region=east)
    sent = _sent_email_for(ticket)
    held = ingest(corpus.reply(to_message=sent, sender="Mallory <mallory@evil.example>", body="改地址"))
    unrelated = ingest(corpus.plain(sender="x@example.com", subject=f"问 {ticket.number}", body="?"))
    unrelated.ticket = None
    InboundMessage.objects.filter(pk=unrelated.pk).update(ticket=None)
    assert held.status == InboundStatus.HELD and held.ticket_id == ticket.pk
    inside = UserFactory(role=Role.AGENT, data_scope="region", region=east)
    outside = UserFactory(role=Role.AGENT, data_scope="region", region=west)

    assert {m.pk for m in held_messages(user=inside)} == {held.pk, unrelated.pk}
    assert {m.pk for m in held_messages(user=outside)} == {unrelated.pk}

    client = Client()
    client.force_login(outside)
    page = client.get(reverse("mailin:held")).content.decode()
    assert "mallory@evil.example" not in page
    assert client.get(reverse("mailin:detail", args=[held.pk])).status_code == 404
    refused = AuditEvent.objects.get(action="access.refused")  # once: the middleware does not record it again
    assert refused.actor_id == outside.pk and refused.changes["status"] == 404
    assert refused.changes["ticket"] == ticket.number and refused.changes["inbound_message"] == held.pk
    assert client.post(reverse("mailin:detail", args=[held.pk]), {"action": "discard"}).status_code == 404
    assert client.get(reverse("mailin:detail", args=[unrelated.pk])).status_code == 200
    with pytest.raises(NotFound):
        mailin_discard(actor=outside, message=held)
    held.refresh_from_db()
    assert held.status == InboundStatus.HELD  # nothing done

    client.force_login(inside)
    detail = client.get(reverse("mailin:detail", args=[held.pk])).content.decode()
    assert "mallory@evil.example" in detail
    assert AuditEvent.objects.filter(action="access.refused").count() == 2  # the GET and the POST


def test_the_held_page_shows_the_reason_in_the_readers_language(ingest):
    ticket = ingest(corpus.plain()).ticket
    held = ingest(corpus.plain(sender="x@example.com", subject=f"催办 {ticket.number}", body="快点"))
    client = Client()
    client.force_login(UserFactory(role=Role.AGENT, data_scope="all"))
    client.cookies["django_language"] = "en"
    english = client.get(reverse("mailin:detail", args=[held.pk]), headers={"Accept-Language": "en"}).content.decode()
    assert "but the message is not a reply to our mail" in english and "主题中提到工单" not in english
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(reverse("mailin:held"), headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "主题中提到工单" in chinese and "not a reply" not in chinese


def test_a_system_check_warns_when_replies_would_go_unchecked(settings):
    from aftersales.mailin.apps import check_reply_authentication

    settings.DEBUG = False
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = ""
    assert [m.id for m in check_reply_authentication()] == ["mailin.W001"]
    settings.MAILIN_TRUSTED_AUTHSERV_IDS = OUR_MX
    assert check_reply_authentication() == []


def test_a_reply_to_an_archived_ticket_is_held_with_the_status_in_the_readers_language(reply_to_ticket):
    ticket, reply = reply_to_ticket
    Ticket.objects.filter(pk=ticket.pk).update(status="closed")
    message = reply()
    assert message.status == InboundStatus.HELD
    english, chinese = _reasons(message)
    assert english == f"Reply to {ticket.number}, which is archived (Closed): reopen it or make a new ticket."
    assert "已归档（已关闭）" in chinese
