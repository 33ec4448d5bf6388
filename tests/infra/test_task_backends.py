"""Background jobs run through django-tasks on both supported backends: the database backend
(embedded default) and RQ on Redis (many workers on many machines)."""

from __future__ import annotations

import os

import pytest
from django.core import mail
from django.core.management import call_command

from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.notifications.tasks import deliver_notification
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _pending_email() -> Notification:
    make_ticket(email="zhang.wei@example.com")
    return Notification.objects.get(channel="email")


def test_database_backend_worker_delivers_a_queued_notification(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = _pending_email()  # intake enqueued its delivery with its transaction
    assert notification.status == NotificationStatus.PENDING

    call_command("db_worker", queue_name="*", batch=True, no_startup_delay=True, interval=0)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert [m.to for m in mail.outbox] == [["zhang.wei@example.com"]]


@pytest.mark.redis
def test_rq_backend_on_redis_delivers_a_queued_notification(settings):
    import django_rq
    from rq import SimpleWorker

    url = os.environ["REDIS_URL"]
    settings.RQ_QUEUES = {"default": {"URL": url}, "notifications": {"URL": url}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default", "notifications"]}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue = django_rq.get_queue("notifications")
    queue.empty()

    notification = _pending_email()
    assert queue.count == 2  # email and SMS, enqueued on Redis after the intake transaction committed

    from django_tasks_rq.backend import Job

    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert Notification.objects.get(channel="sms").status == NotificationStatus.SENT
    assert len(mail.outbox) == 1
    result = deliver_notification.enqueue(notification.pk)  # idempotent: a second run sends nothing
    SimpleWorker([queue], connection=queue.connection, job_class=Job).work(burst=True)
    result.refresh()
    assert result.return_value == NotificationStatus.SENT
    assert len(mail.outbox) == 1
