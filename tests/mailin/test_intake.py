"""Email intake end to end inside the product: stored first, then a ticket (number mailed back),
a reply on the timeline (only from the customer or a verified contact), or the held queue."""

from __future__ import annotations

import base64
import email
from email import policy

import pytest
from django.core import mail as django_mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import PermissionDenied
from aftersales.customers.models import Contact
from aftersales.mailin.held import mailin_discard, mailin_make_ticket, mailin_release_to_ticket
from aftersales.mailin.models import InboundMessage, InboundOutcome, InboundStatus
from aftersales.mailin.services import mailin_process, mailin_store
from aftersales.mailin.threading import match_thread, message_id_for, reply_address
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.services import notification_deliver
from aftersales.tickets.choices import Channel, EventKind
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from tests.factories import CustomerFactory, UserFactory, make_ticket

from . import corpus

pytestmark = pytest.mark.django_db


def reason(message: InboundMessage, language: str) -> str:
    """The message's reason as a reader with ``language`` sees it."""
    with translation.override(language):
        return message.shown_reason


def reasons(message: InboundMessage) -> tuple[str, str]:
    """(English, Chinese) reason; the English one is also the stored plain text."""
    english, chinese = reason(message, "en"), reason(message, "zh-hans")
    assert english == message.reason and english != chinese
    return english, chinese


def _sent_email_for(ticket: Ticket):  # type: ignore[no-untyped-def]
    """Deliver the ticket's email notification through Django's mail backend; the message as sent."""
    notification = Notification.objects.filter(ticket=ticket, channel=NotificationChannel.EMAIL).latest("pk")
    before = len(django_mail.outbox)
    notification_deliver(notification_id=notification.pk)
    assert len(django_mail.outbox) == before + 1
    return email.message_from_bytes(django_mail.outbox[-1].message().as_bytes(), policy=policy.default)


def test_a_new_mail_becomes_a_ticket_and_its_number_is_mailed_back(ingest):
    message = ingest(corpus.plain(subject="空调漏水", body="您好，我家的空调室内机一直滴水。型号KFR-35GW。"))
    assert message.status == InboundStatus.PROCESSED and message.outcome == InboundOutcome.TICKET_CREATED
    ticket = message.ticket
    assert ticket.channel == Channel.EMAIL
    assert (ticket.title, ticket.contact_email, ticket.customer.name) == ("空调漏水", "li.na@example.com", "李娜")
    assert "型号KFR-35GW" in ticket.description
    sent = _sent_email_for(ticket)
    assert ticket.number in sent["Subject"]
    assert sent["To"] == "li.na@example.com"
    # The reply threading headers the product's own mail carries.
    assert sent["Reply-To"] == reply_address(ticket.pk)
    assert sent["Message-ID"].startswith("<as.n") and sent["Auto-Submitted"] == "auto-generated"
    assert match_thread(recipients=[sent["Reply-To"]], references=[]).ticket_id == ticket.pk
    assert match_thread(recipients=[], references=[sent["Message-ID"]]).ticket_id == ticket.pk


def test_the_same_message_id_twice_creates_nothing_twice(ingest):
    raw = corpus.plain(message_id="<dup-1@mail.example.com>")
    first = ingest(raw)
    second = mailin_store(raw=raw, source="http")
    assert second.created is False and second.message.pk == first.pk
    # Same Message-ID with different bytes (a re-sent copy) is the same message too.
    third = mailin_store(raw=raw.replace("一直滴水".encode(), "还在滴水".encode()), source="imap")
    assert third.created is False
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1
    # Processing it again (a retried job) changes nothing either.
    mailin_process(message_id=first.pk)
    assert Ticket.objects.count() == 1


def test_processing_is_idempotent_even_if_the_status_was_lost(ingest):
    message = ingest(corpus.plain())
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.NEW)
    mailin_process(message_id=message.pk)
    assert Ticket.objects.count() == 1  # the intake's idempotency key is the message itself


def test_customer_reply_lands_on_the_timeline_by_in_reply_to_and_by_reply_address(ingest):
    ticket = ingest(corpus.plain()).ticket
    sent = _sent_email_for(ticket)
    for via, body in (("in-reply-to", "好的，明天上午家里有人。"), ("reply-to", "再补充一句：是客厅那台。")):
        message = ingest(corpus.reply(to_message=sent, sender="李娜 <LI.NA@example.com>", body=body, via=via))
        assert message.status == InboundStatus.PROCESSED and message.outcome == InboundOutcome.REPLY_ADDED
        assert message.ticket_id == ticket.pk
    events = list(TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).order_by("pk"))
    assert [e.body for e in events] == ["好的，明天上午家里有人。", "再补充一句：是客厅那台。"]  # quotes cut
    assert all(e.public for e in events)
    assert AuditEvent.objects.filter(action="ticket.message_in", object_id=str(ticket.pk)).count() == 2
    assert Ticket.objects.count() == 1  # no new ticket for a reply
    assert django_mail.outbox[-1] is not None and len(django_mail.outbox) == 1  # replies are not answered


def test_a_spoofed_reply_from_a_stranger_is_held_not_posted(ingest):
    ticket = ingest(corpus.plain()).ticket
    sent = _sent_email_for(ticket)
    message = ingest(
        corpus.reply(to_message=sent, sender="Mallory <mallory@evil.example>", body="请把退款打到这个账户", via="both")
    )
    assert message.status == InboundStatus.HELD
    english, chinese = reasons(message)
    assert "mallory@evil.example" in english and ticket.number in english and "verified contact" in english
    assert "mallory@evil.example" in chinese and ticket.number in chinese and "已验证的联系人" in chinese
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).exists()
    assert Ticket.objects.count() == 1


def test_a_verified_contact_may_reply_an_unverified_one_may_not(ingest):
    ticket = ingest(corpus.plain()).ticket
    sent = _sent_email_for(ticket)
    Contact.objects.create(customer=ticket.customer, name="张伟", email="zhang.wei@example.com", verified=True)
    Contact.objects.create(customer=ticket.customer, name="未验证", email="someone@example.com", verified=False)
    ok = ingest(corpus.reply(to_message=sent, sender="zhang.wei@example.com", body="我是她丈夫，明天我在家。"))
    held = ingest(corpus.reply(to_message=sent, sender="someone@example.com", body="我也在"))
    assert ok.status == InboundStatus.PROCESSED and held.status == InboundStatus.HELD


def test_subject_alone_never_threads_and_a_forged_token_is_held(ingest):
    ticket = ingest(corpus.plain()).ticket
    by_subject = ingest(corpus.plain(sender="li.na@example.com", subject=f"Re: 您的工单 {ticket.number} 已登记", body="还是漏水"))
    assert by_subject.status == InboundStatus.HELD
    english, chinese = reasons(by_subject)
    assert ticket.number in english and "subject names" in english
    assert ticket.number in chinese and "主题中提到工单" in chinese
    forged_to = f"support+t{ticket.pk}-{'0' * 20}@aftersales.example.cn"
    assert reply_address(ticket.pk) != forged_to
    forged = ingest(corpus.plain(sender="li.na@example.com", to=forged_to, subject="hello", body="x"))
    assert forged.status == InboundStatus.HELD
    assert "signature" in reasons(forged)[0] and "签名无效" in reasons(forged)[1]
    other = make_ticket(email="other@example.com")
    forged_id = f"<as.n1.t{other.pk}.{'f' * 20}@aftersales.example.cn>"
    assert message_id_for(1, other.pk) != forged_id
    forged2 = ingest(corpus.plain(sender="li.na@example.com", subject="hi", body="y", extra={"In-Reply-To": forged_id}))
    assert forged2.status == InboundStatus.HELD
    assert not TicketEvent.objects.filter(kind=EventKind.MESSAGE_IN).exists()
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("kind", ["auto-submitted", "x-autoreply", "precedence", "bulk", "exchange"])
def test_auto_replies_get_no_answer_and_no_ticket(ingest, kind):
    message = ingest(corpus.auto_reply(kind))
    assert message.status == InboundStatus.IGNORED
    english, chinese = reasons(message)
    assert english.startswith("Automatic") and chinese.startswith("自动")
    assert Ticket.objects.count() == 0 and Notification.objects.count() == 0


def test_an_auto_reply_to_our_notification_is_not_posted(ingest):
    ticket = ingest(corpus.plain()).ticket
    sent = _sent_email_for(ticket)
    raw = corpus.reply(to_message=sent, sender="li.na@example.com", body="我正在休假").replace(
        b"Subject:", b"Auto-Submitted: auto-replied\nSubject:", 1
    )
    message = ingest(raw)
    assert message.status == InboundStatus.IGNORED
    assert not TicketEvent.objects.filter(kind=EventKind.MESSAGE_IN).exists()


def test_bounces_and_loops_are_ignored(ingest):
    assert ingest(corpus.bounce()).status == InboundStatus.IGNORED
    ticket = make_ticket(email="li.na@example.com")
    sent = _sent_email_for(ticket)
    # Our own notification delivered back into the mailbox (e.g. sent to the support address).
    looped = ingest(sent.as_bytes())
    assert looped.status == InboundStatus.IGNORED
    assert "loop" in reasons(looped)[0] and "邮件循环" in reasons(looped)[1]
    from_us = ingest(corpus.plain(sender=f"售后服务 <{corpus.SUPPORT}>", subject="x", body="y"))
    assert from_us.status == InboundStatus.IGNORED
    from_our_sender = ingest(corpus.plain(sender="售后服务 <aftersales@localhost>", subject="转发", body="z"))
    assert from_our_sender.status == InboundStatus.IGNORED
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (b"\x00\x01\x02 garbage", "no headers"),
        (b"Subject: no sender\r\n\r\nbody", "no valid From address"),
        (b'From: "broken <li.na@example.com>\r\nSubject: x\r\n\r\nbody', "no valid From address"),
        (b"From: li.na@example.com\r\nContent-Type: multipart/mixed\r\n\r\nno boundary at all", "broken MIME structure"),
        (b'From: li.na@example.com\r\nContent-Type: multipart/mixed; boundary="X"\r\n\r\nno parts here', "broken MIME structure"),
    ],
)
def test_malformed_mail_is_held_with_the_reason_and_kept(ingest, raw, why):
    message = ingest(raw)
    assert message.status == InboundStatus.HELD
    english, chinese = reasons(message)
    assert english.startswith("Malformed message: " + why)
    chinese_why = {
        "no headers": "没有邮件头",
        "no valid From address": "没有有效的发件人地址",
        "broken MIME structure": "MIME 结构损坏",
    }
    assert chinese.startswith("邮件格式错误：" + chinese_why[why])
    assert bytes(message.raw) == raw
    assert Ticket.objects.count() == 0


def test_a_broken_body_encoding_still_reaches_an_agent_readably(ingest):
    raw = (
        b'From: li.na@example.com\r\nSubject: =?utf-8?q?broken_=E4?=\r\nContent-Type: text/plain; charset="nonsense-charset"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n5oiR55qE56m66LCD5Z2P5LqG!!!\r\n"
    )
    message = ingest(raw)
    assert message.status == InboundStatus.PROCESSED
    assert message.ticket.description.startswith("我的空调坏了")


def test_an_unexpected_crash_holds_the_message_and_does_not_raise(ingest, monkeypatch):
    from aftersales.mailin import services

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(services, "_classify", boom)
    message = ingest(corpus.plain())
    assert message.status == InboundStatus.HELD
    assert reasons(message) == ("Processing failed: RuntimeError: database hiccup", "处理失败：RuntimeError: database hiccup")
    assert bytes(message.raw) == corpus.plain() or message.raw  # kept


def test_invalid_intake_input_is_held(ingest):
    message = ingest(corpus.plain(subject="", body=""))
    assert message.status == InboundStatus.HELD
    english, chinese = reasons(message)
    assert english.startswith("Could not register a ticket: ") and chinese.startswith("无法登记工单：")


def test_attachments_pass_the_tickets_validation(ingest):
    raw = corpus.with_attachments(
        files=[("故障照片.png", corpus.png_bytes(), "octet-stream"), ("说明书.exe", b"MZ\x90\x00\x03", "octet-stream")],
        filename_style="encoded-word",
    )
    message = ingest(raw)
    assert message.status == InboundStatus.PROCESSED
    (attachment,) = Attachment.objects.filter(ticket=message.ticket)
    assert (attachment.original_name, attachment.content_type) == ("故障照片.png", "image/png")
    english, chinese = reasons(message)  # refused, and said so
    assert english.startswith("Attachments refused: 说明书.exe") and chinese.startswith("未接收的附件：说明书.exe")
    assert message.attachment_names == ["故障照片.png", "说明书.exe"]


def test_gbk_mail_becomes_a_ticket_with_readable_text(ingest):
    message = ingest(corpus.legacy(charset="gbk", subject="空调不制冷，请尽快处理", body="您好，空调不制冷。"))
    assert message.ticket.title == "空调不制冷，请尽快处理" and message.subject == "空调不制冷，请尽快处理"
    assert message.ticket.customer.name == "刘强"


# --- The push endpoint ------------------------------------------------------------------------


def test_raw_endpoint_requires_the_secret_and_stores_once(django_capture_on_commit_callbacks):
    url = reverse("mailin:raw")
    raw = corpus.plain(message_id="<push-1@mail.example.com>")
    client = Client()
    assert client.post(url, raw, content_type="message/rfc822").status_code == 401
    assert (
        client.post(url, raw, content_type="message/rfc822", headers={"X-Aftersales-Mailin-Secret": "wrong"}).status_code == 401
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            url, raw, content_type="message/rfc822", headers={"X-Aftersales-Mailin-Secret": "push-secret-for-tests"}
        )
    assert response.status_code == 202 and response.json()["duplicate"] is False
    assert len(callbacks) == 1  # processing is enqueued after commit
    basic = "Basic " + base64.b64encode(b"mailin:push-secret-for-tests").decode()
    again = client.post(url, raw, content_type="message/rfc822", headers={"Authorization": basic})
    assert again.status_code == 202 and again.json() == {"id": response.json()["id"], "duplicate": True}
    assert InboundMessage.objects.get().source == "http"
    assert client.get(url).status_code == 405


def test_raw_endpoint_is_closed_without_a_configured_secret(settings):
    settings.MAILIN_HTTP_SECRET = ""
    response = Client().post(
        reverse("mailin:raw"), corpus.plain(), content_type="message/rfc822", headers={"X-Aftersales-Mailin-Secret": ""}
    )
    assert response.status_code == 401


def test_raw_endpoint_refuses_oversized_mail(settings):
    settings.MAILIN_MAX_BYTES = 100
    response = Client().post(
        reverse("mailin:raw"),
        corpus.plain(),
        content_type="message/rfc822",
        headers={"X-Aftersales-Mailin-Secret": "push-secret-for-tests"},
    )
    assert response.status_code == 413 and InboundMessage.objects.count() == 0


# --- The held queue ---------------------------------------------------------------------------


def test_agents_release_a_held_mail_to_the_ticket_with_audit(ingest):
    ticket = ingest(corpus.plain()).ticket
    sent = _sent_email_for(ticket)
    held = ingest(corpus.reply(to_message=sent, sender="wife@example.com", body="我是李娜的家人"))
    agent = UserFactory(role=Role.AGENT, data_scope="all")
    event = mailin_release_to_ticket(actor=agent, message=held, ticket_number=ticket.number)
    assert event.kind == EventKind.MESSAGE_IN and event.ticket_id == ticket.pk and event.data["released_by"] == agent.pk
    held.refresh_from_db()
    assert (held.status, held.outcome, held.handled_by_id) == (InboundStatus.PROCESSED, InboundOutcome.RELEASED, agent.pk)
    assert AuditEvent.objects.filter(action="mailin.released", object_id=str(held.pk), actor=agent).exists()
    with pytest.raises(Exception, match="already handled"):
        mailin_release_to_ticket(actor=agent, message=held, ticket_number=ticket.number)


def test_agents_make_a_new_ticket_or_discard(ingest):
    ticket = ingest(corpus.plain()).ticket
    one = ingest(corpus.plain(sender="li.na@example.com", subject=f"关于 {ticket.number}", body="另一台空调也坏了"))
    two = ingest(corpus.plain(sender="spam@example.com", subject=f"{ticket.number} 优惠", body="广告"))
    agent = UserFactory(role=Role.AGENT, data_scope="all")  # both name the ticket: only its readers decide
    new_ticket = mailin_make_ticket(actor=agent, message=one)
    assert new_ticket.pk != ticket.pk and new_ticket.description == "另一台空调也坏了"
    discarded = mailin_discard(actor=agent, message=two, note="广告")
    assert (discarded.status, discarded.outcome) == (InboundStatus.IGNORED, InboundOutcome.DISCARDED)
    assert bytes(InboundMessage.objects.get(pk=two.pk).raw)  # the raw message stays
    assert AuditEvent.objects.filter(action__in=["mailin.ticket_created", "mailin.discarded"]).count() == 2
    with pytest.raises(PermissionDenied):
        mailin_discard(actor=UserFactory(role=Role.WAREHOUSE), message=one)


def test_the_held_queue_page(ingest):
    ingest(corpus.plain(sender="x@example.com", subject="普通来信", body="你好"))
    ticket = Ticket.objects.get()
    held = ingest(corpus.plain(sender="x@example.com", subject=f"催办 {ticket.number}", body="<b>快点</b>"))
    agent = UserFactory(role=Role.AGENT, data_scope="all")
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("mailin:held")).content.decode()
    assert page.count('data-test-id="mailin-item"') == 1 and "催办" in page
    detail = client.get(reverse("mailin:detail", args=[held.pk])).content.decode()
    assert "&lt;b&gt;快点&lt;/b&gt;" in detail  # text shown escaped
    response = client.post(reverse("mailin:detail", args=[held.pk]), {"action": "release", "ticket_number": ticket.number})
    assert response.status_code == 302
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN, body="<b>快点</b>").exists()
    bad = client.post(reverse("mailin:detail", args=[held.pk]), {"action": "discard"})
    assert bad.status_code == 302 and bad["Location"].endswith(f"/mailin/held/{held.pk}/")
    outsider = Client()
    outsider.force_login(UserFactory(role=Role.TECHNICIAN))
    assert outsider.get(reverse("mailin:held")).status_code == 403
    customer = Client()
    customer.force_login(CustomerFactory().user or UserFactory(role=Role.CUSTOMER))
    assert customer.get(reverse("mailin:held")).status_code == 403


def test_stored_html_is_sanitised_for_the_held_page(ingest):
    raw = corpus.html_only(
        sender="x@example.com",
        subject="[no ticket]",
        html='<p onclick="x()">你好<img src="https://evil.example/track.gif"><script>alert(1)</script></p>',
        extra={"Precedence": "bulk"},
    )
    message = ingest(raw)
    assert message.status == InboundStatus.IGNORED
    assert "evil.example" not in message.body_html and "<script" not in message.body_html and "onclick" not in message.body_html
    assert email.message_from_bytes(bytes(message.raw), policy=policy.default)["Subject"] == "[no ticket]"


def test_the_safety_net_reprocesses_messages_whose_job_was_lost(settings):
    import datetime as dt

    from aftersales.core import clock
    from aftersales.mailin.tasks import retry_new_messages

    stored = mailin_store(raw=corpus.plain(), source="imap").message
    assert retry_new_messages.call() == 0  # too recent: its own job is still due
    InboundMessage.objects.filter(pk=stored.pk).update(received_at=clock.now() - dt.timedelta(minutes=10))
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]}
    }
    assert retry_new_messages.call() == 1
    stored.refresh_from_db()
    assert stored.status == InboundStatus.PROCESSED and stored.ticket is not None
