"""Delivering the outbox: once, retried on failure with the error kept, failed at the limit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django_tasks import TaskResultStatus, default_task_backend

from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.services import MAX_ATTEMPTS, notification_deliver, notification_queue
from aftersales.notifications.tasks import deliver_notification, retry_pending_notifications
from tests.clock import freeze_time
from tests.factories import make_ticket
from tests.notifications.senders import RecordingSender, SmsGatewayDown

pytestmark = pytest.mark.django_db

FAILING = "tests.notifications.senders.FailingSender"


def queue(channel=NotificationChannel.EMAIL, recipient="zhang@example.com", **kwargs) -> Notification:
    values = {
        "template": "ticket_received",
        "subject": "您的售后单已登记",
        "body": "单号 SH20261122-000001",
        "language": "zh-hans",
    }
    values.update(kwargs)
    return notification_queue(channel=channel, recipient=recipient, **values)


def test_an_email_is_sent_once_and_marked_sent():
    notification = queue()
    with freeze_time("2026-11-22T02:00:00Z"):
        delivered = notification_deliver(notification_id=notification.pk)

    assert delivered.status == NotificationStatus.SENT
    assert delivered.attempts == 1
    assert delivered.sent_at == dt.datetime(2026, 11, 22, 2, tzinfo=dt.UTC)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject, message.body) == (["zhang@example.com"], "您的售后单已登记", "单号 SH20261122-000001")

    again = notification_deliver(notification_id=notification.pk)
    assert again.status == NotificationStatus.SENT
    assert again.attempts == 1
    assert len(mail.outbox) == 1


def test_a_missing_notification_is_nothing_to_do():
    assert notification_deliver(notification_id=999_999) is None


def test_an_sms_goes_through_the_configured_sender(settings):
    settings.NOTIFICATION_SENDERS = {"sms": "tests.notifications.senders.RecordingSender"}
    RecordingSender.sent.clear()
    notification = queue(channel=NotificationChannel.SMS, recipient="+8613812345678", subject="")
    assert notification_deliver(notification_id=notification.pk).status == NotificationStatus.SENT
    assert RecordingSender.sent == [notification.pk]
    assert mail.outbox == []


def test_a_failing_sender_keeps_the_error_and_raises_for_a_retry(settings):
    settings.NOTIFICATION_SENDERS = {"sms": FAILING}
    notification = queue(channel=NotificationChannel.SMS, recipient="+8613812345678")

    with pytest.raises(SmsGatewayDown):
        notification_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.PENDING
    assert notification.attempts == 1
    assert notification.last_error == "SmsGatewayDown: gateway timeout sending to +8613812345678"
    assert notification.sent_at is None


def test_after_the_last_attempt_the_notification_is_failed_and_left_alone(settings):
    settings.NOTIFICATION_SENDERS = {"sms": FAILING}
    notification = queue(channel=NotificationChannel.SMS, recipient="+8613812345678")
    for _ in range(MAX_ATTEMPTS - 1):
        with pytest.raises(SmsGatewayDown):
            notification_deliver(notification_id=notification.pk)

    final = notification_deliver(notification_id=notification.pk)
    assert final.status == NotificationStatus.FAILED
    assert final.attempts == MAX_ATTEMPTS
    assert "gateway timeout" in final.last_error

    # A late retry does not try again.
    assert notification_deliver(notification_id=notification.pk).attempts == MAX_ATTEMPTS


def test_the_sender_recovering_delivers_on_the_next_attempt(settings):
    settings.NOTIFICATION_SENDERS = {"email": FAILING}
    notification = queue()
    with pytest.raises(SmsGatewayDown):
        notification_deliver(notification_id=notification.pk)
    settings.NOTIFICATION_SENDERS = {}
    delivered = notification_deliver(notification_id=notification.pk)
    assert (delivered.status, delivered.attempts) == (NotificationStatus.SENT, 2)
    assert len(mail.outbox) == 1


# --- The jobs --------------------------------------------------------------------------------


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]}
    }


def test_intake_to_inbox_end_to_end_with_the_immediate_backend(immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(phone="", email="li.na@example.com")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["li.na@example.com"]
    assert ticket.number in mail.outbox[0].subject
    notification = Notification.objects.get(ticket=ticket)
    assert (notification.status, notification.attempts) == (NotificationStatus.SENT, 1)


def test_the_delivery_job_reports_the_outcome(immediate_tasks):
    notification = queue()
    result = deliver_notification.enqueue(notification.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == NotificationStatus.SENT
    assert deliver_notification.enqueue(999_999).return_value == "missing"


def test_a_failed_delivery_job_schedules_a_retry_with_backoff(settings):
    settings.NOTIFICATION_SENDERS = {"email": FAILING}
    notification = queue()
    default_task_backend.clear()
    with freeze_time("2026-11-22T02:00:00Z"):
        assert deliver_notification.call(notification.pk) == "retry"
        Notification.objects.filter(pk=notification.pk).update(attempts=3)
        assert deliver_notification.call(notification.pk) == "retry"
    retries = [r for r in default_task_backend.results if r.task.name == deliver_notification.name]
    assert [r.args for r in retries] == [[notification.pk], [notification.pk]]
    start = dt.datetime(2026, 11, 22, 2, tzinfo=dt.UTC)
    assert [r.task.run_after for r in retries] == [start + dt.timedelta(seconds=30), start + dt.timedelta(seconds=240)]


def test_the_job_stops_retrying_at_the_limit(settings):
    settings.NOTIFICATION_SENDERS = {"email": FAILING}
    notification = queue()
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_ATTEMPTS - 1)
    default_task_backend.clear()
    assert deliver_notification.call(notification.pk) == NotificationStatus.FAILED
    assert default_task_backend.results == []


def test_a_failure_under_a_backend_that_cannot_defer_leaves_the_retry_to_the_sweeper(immediate_tasks, settings):
    settings.NOTIFICATION_SENDERS = {"email": FAILING}
    notification = queue()
    result = deliver_notification.enqueue(notification.pk)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "retry"
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (NotificationStatus.PENDING, 1)


def test_the_sweeper_re_enqueues_only_old_pending_notifications():
    with freeze_time("2026-11-22T02:00:00Z"):
        stuck = queue(recipient="stuck@example.com")
        sent = queue(recipient="sent@example.com")
        notification_deliver(notification_id=sent.pk)
    with freeze_time("2026-11-22T02:08:00Z"):
        fresh = queue(recipient="fresh@example.com")
        default_task_backend.clear()
        assert retry_pending_notifications.call() == 1
    enqueued = [r.args for r in default_task_backend.results if r.task.name == deliver_notification.name]
    assert enqueued == [[stuck.pk]]
    assert fresh.pk not in {args[0] for args in enqueued}


def test_the_sweeper_then_delivers_with_the_immediate_backend(immediate_tasks):
    with freeze_time("2026-11-22T02:00:00Z"):
        stuck = queue(recipient="stuck@example.com")
    with freeze_time("2026-11-22T03:00:00Z"):
        result = retry_pending_notifications.enqueue()
    assert result.return_value == 1
    stuck.refresh_from_db()
    assert stuck.status == NotificationStatus.SENT
    assert [m.to for m in mail.outbox] == [["stuck@example.com"]]


def test_in_app_notifications_are_delivered_by_being_stored():
    notification = queue(channel=NotificationChannel.IN_APP, recipient="42")
    assert notification_deliver(notification_id=notification.pk).status == NotificationStatus.SENT
    assert mail.outbox == []


def test_a_subject_longer_than_its_column_is_cut_to_fit():
    assert len(queue(subject="长" * 300).subject) == 200
