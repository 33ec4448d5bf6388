"""The survey's one reminder is an editable customer event (``survey_reminder``), like the
invitation: an administrator's text is the next reminder sent, in the customer's language, with
the survey's absolute link; without one the shipped text goes out in Chinese or English."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.customers.models import Customer
from aftersales.feedback.links import survey_url
from aftersales.feedback.sending import survey_process_due
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.notifications.template_events import EVENTS
from aftersales.notifications.template_services import notification_template_save
from tests.clock import freeze_time

from .helpers import administrator, pending, resolved, save, utc

pytestmark = pytest.mark.django_db

TUESDAY_10H = utc(2026, 3, 10, 2)  # 10:00 in Shanghai
REMIND = TUESDAY_10H + dt.timedelta(days=3)


def _reminded(language: str, settings) -> tuple[Notification, str]:  # type: ignore[no-untyped-def]
    """A survey reminded by e-mail to a customer reading ``language``; the message and the link."""
    settings.AFTERSALES_SITE_URL = "https://service.example.com"
    with freeze_time(TUESDAY_10H):
        ticket = resolved(email="zhao.min@example.com")
    Customer.objects.filter(pk=ticket.customer_id).update(language=language)
    survey = pending(ticket)
    assert survey_process_due(survey_id=survey.pk, now=REMIND) == ["reminded"]
    sent = Notification.objects.get(ticket=ticket, template="survey_reminder", channel=NotificationChannel.EMAIL)
    return sent, survey_url(survey=survey)


def test_the_reminder_is_an_editable_customer_event_with_the_invitations_placeholders():
    reminder, invitation = EVENTS["survey_reminder"], EVENTS["survey"]
    assert not reminder.for_staff and NotificationChannel.SMS in reminder.channels
    keys = {p.key for p in reminder.all_placeholders}
    assert {p.key for p in invitation.all_placeholders} <= keys and "expires" in keys


@pytest.mark.parametrize(
    ("language", "subject", "body"),
    [
        ("zh-hans", "提醒：您对服务申请", "我们还没有收到您对服务申请"),
        ("en", "Reminder: how did we do with request", "We have not heard from you about request"),
    ],
)
def test_without_an_edit_the_shipped_reminder_goes_out_in_the_customers_language(language, subject, body, settings):
    save(administrator(), reminder_days=3, valid_days=7)
    sent, link = _reminded(language, settings)
    assert subject in sent.subject
    assert link.startswith("https://service.example.com/") and link in sent.body
    assert body in sent.body and sent.ticket.number in sent.body


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        ("zh-hans", "您对工单{工单号}的评价还没有提交，链接在{链接有效期至}前有效。", "链接在2026-03-17 10:00前有效"),
        ("en", "please rate request {ticket_number} before {link_valid_until}.", "before 2026-03-17 10:00"),
    ],
)
def test_an_administrators_reminder_text_is_the_next_reminder_sent(language, text, expected, settings):
    admin = administrator()
    save(admin, reminder_days=3, valid_days=7)
    number = "{工单号}" if language == "zh-hans" else "{ticket_number}"
    notification_template_save(
        actor=admin, event="survey_reminder", channel="email", language=language, subject=number, body=text
    )
    sent, link = _reminded(language, settings)
    assert sent.subject == sent.ticket.number
    assert sent.ticket.number in sent.body and expected in sent.body
    assert link.startswith("https://service.example.com/") and link in sent.body
    # Only the reminder changed: the invitation kept its shipped text.
    invitation = Notification.objects.get(ticket=sent.ticket, template="survey", channel=NotificationChannel.EMAIL)
    assert expected not in invitation.body
