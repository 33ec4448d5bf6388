"""Issue 21: the outbox row of a password-reset SMS keeps its code only until the message has
left. Delivered — or failed after the last retry — the code is redacted from the body (and the
error); the row stays for the audit trail. The code never reaches a log or the admin."""

from __future__ import annotations

import logging
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role, User
from aftersales.accounts.sms_reset import sms_reset_confirm, sms_reset_request
from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.services import MAX_ATTEMPTS, notification_deliver
from tests.accounts.helpers import RecordingSms
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
CODE = re.compile(r"(?<!\d)\d{6}(?!\d)")


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"smsout-{uuid.uuid4().hex}"}
    }


@pytest.fixture
def sms() -> Notification:
    user = UserFactory(role=Role.CUSTOMER, username="wang.dama", email="", language="zh-hans")
    CustomerFactory(user=user, name="王大妈", phone=PHONE, email="")
    assert sms_reset_request(phone=PHONE, client_ip="10.0.0.1", language="zh-hans")
    return Notification.objects.get(channel=NotificationChannel.SMS, template="password_reset_sms")


def test_a_delivered_reset_sms_keeps_its_row_but_not_its_code(sms, settings):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.accounts.helpers.RecordingSms"}
    RecordingSms.received = []
    code = CODE.search(sms.body).group(0)  # pending: the code is there until it has been sent
    notification_deliver(notification_id=sms.pk)
    assert len(RecordingSms.received) == 1 and code in RecordingSms.received[0]  # the phone got it
    row = Notification.objects.get(pk=sms.pk)
    assert row.status == NotificationStatus.SENT and row.recipient == PHONE and row.sent_at is not None
    assert code not in row.body and not CODE.search(row.body) and "******" in row.body and "验证码" in row.body
    # The code still works: only the outbox's copy is gone.
    user = sms_reset_confirm(phone=PHONE, code=code, password="Xin-Mima-2026!", client_ip="10.0.0.1")
    assert user.check_password("Xin-Mima-2026!")


def test_a_reset_sms_that_fails_for_good_loses_its_code_and_errors_never_hold_it(sms, settings):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.accounts.helpers.FailingSms"}
    code = CODE.search(sms.body).group(0)
    for _attempt in range(MAX_ATTEMPTS - 1):
        with pytest.raises(RuntimeError):
            notification_deliver(notification_id=sms.pk)
        row = Notification.objects.get(pk=sms.pk)
        assert row.status == NotificationStatus.PENDING and code in row.body  # kept for the retry
        assert "gateway refused" in row.last_error and code not in row.last_error
    notification_deliver(notification_id=sms.pk)
    row = Notification.objects.get(pk=sms.pk)
    assert row.status == NotificationStatus.FAILED and row.attempts == MAX_ATTEMPTS
    assert code not in row.body and code not in row.last_error and "******" in row.body


def test_the_log_only_sms_sender_never_logs_the_code(sms, settings, caplog):
    settings.NOTIFICATION_SENDERS = {}
    code = CODE.search(sms.body).group(0)
    with caplog.at_level(logging.DEBUG):
        notification_deliver(notification_id=sms.pk)
    assert "log-only sms sender" in caplog.text and PHONE in caplog.text  # it did log the message
    assert code not in caplog.text
    assert code not in Notification.objects.get(pk=sms.pk).body


def test_other_messages_keep_their_digits(settings):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.accounts.helpers.RecordingSms"}
    from aftersales.notifications.services import notification_queue

    row = notification_queue(
        channel=NotificationChannel.SMS,
        template="ticket_received",
        recipient=PHONE,
        subject="",
        body="工单 123456",
        language="zh-hans",
    )
    notification_deliver(notification_id=row.pk)
    assert Notification.objects.get(pk=row.pk).body == "工单 123456"


def test_the_admin_never_shows_the_code_of_a_pending_reset_sms(sms):
    code = CODE.search(sms.body).group(0)
    admin: User = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    listing = client.get(reverse("admin:notifications_notification_changelist"))
    assert listing.status_code == 200 and code not in listing.content.decode()
    page = client.get(reverse("admin:notifications_notification_change", args=[sms.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "******" in html and code not in html


def test_on_a_developers_machine_the_log_only_sender_shows_the_code(sms, settings, caplog):
    """``make run`` without an SMS provider: the code is in the worker's console (the only way to
    finish a sign-up there), never in the stored row; in production it is never logged."""
    settings.NOTIFICATION_SENDERS = {}
    settings.NOTIFICATION_LOG_SECRETS, settings.PRODUCTION = True, False
    code = CODE.search(sms.body).group(0)
    with caplog.at_level(logging.DEBUG):
        notification_deliver(notification_id=sms.pk)
    assert code in caplog.text
    assert code not in Notification.objects.get(pk=sms.pk).body

    caplog.clear()
    settings.PRODUCTION = True  # the setting cannot turn it on in production
    again = Notification.objects.get(pk=sms.pk)
    again.body, again.status = f"验证码 {code}", NotificationStatus.PENDING
    again.save(update_fields=["body", "status"])
    with caplog.at_level(logging.DEBUG):
        notification_deliver(notification_id=sms.pk)
    assert "log-only sms sender" in caplog.text and code not in caplog.text


def test_a_code_goes_before_the_queued_jobs(settings, django_capture_on_commit_callbacks):
    """The database worker takes the highest priority first: a waited-for code is not held back by
    the jobs a demo load or a survey batch queued before it."""
    from django_tasks import default_task_backend

    from aftersales.notifications.services import SECRET_PRIORITY, notification_queue
    from aftersales.notifications.tasks import deliver_notification

    user = UserFactory(role=Role.CUSTOMER, username="li.shu", email="", language="zh-hans")
    CustomerFactory(user=user, name="李叔", phone=PHONE, email="")
    with django_capture_on_commit_callbacks(execute=True):
        notification_queue(
            channel=NotificationChannel.SMS,
            template="ticket_received",
            recipient=PHONE,
            subject="",
            body="您好",
            language="zh-hans",
        )
        assert sms_reset_request(phone=PHONE, client_ip="10.0.0.2", language="zh-hans")
    templates = dict(Notification.objects.values_list("pk", "template"))
    queued = {
        templates[r.args[0]]: r.task.priority for r in default_task_backend.results if r.task.name == deliver_notification.name
    }
    assert queued == {"ticket_received": 0, "password_reset_sms": SECRET_PRIORITY}
