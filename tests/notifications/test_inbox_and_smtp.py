"""Staff inboxes (in-app notifications) and email through a real SMTP server."""

from __future__ import annotations

import socket

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.selectors import notifications_inbox, notifications_unread_count
from aftersales.notifications.services import notification_deliver, notification_mark_read, notification_queue, notify_staff
from tests.factories import CustomerFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_notify_staff_puts_one_notification_in_each_staff_inbox_and_none_for_customers():
    agent, supervisor = UserFactory(), UserFactory(role=Role.SUPERVISOR)
    customer_user = UserFactory(role=Role.CUSTOMER)
    ticket = make_ticket()
    queued = notify_staff(
        users=[agent, supervisor, agent, customer_user], template="sla_breach", subject="逾期", body="工单已逾期", ticket=ticket
    )
    assert sorted(n.user_id for n in queued) == sorted([agent.pk, supervisor.pk])
    assert notifications_unread_count(user=agent) == 1
    assert [n.pk for n in notifications_inbox(user=supervisor)] == [
        queued[1].pk if queued[1].user_id == supervisor.pk else queued[0].pk
    ]


def test_a_user_can_only_mark_their_own_notifications_read():
    agent, other = UserFactory(), UserFactory()
    (mine,) = notify_staff(users=[agent], template="assigned", subject="分派", body="b")
    assert notification_mark_read(user=other, notification_id=mine.pk) == 0
    assert notification_mark_read(user=agent, notification_id=mine.pk) == 1
    assert notifications_unread_count(user=agent) == 0


def test_the_inbox_page_shows_only_my_notifications_and_the_header_counts_them():
    agent, other = UserFactory(), UserFactory()
    notify_staff(users=[agent], template="assigned", subject="新工单分派给您", body="请处理")
    notify_staff(users=[other], template="assigned", subject="别人的通知", body="x")
    html = _client(agent).get(reverse("notifications:inbox")).content.decode()
    assert "新工单分派给您" in html
    assert "别人的通知" not in html
    assert 'data-test-id="unread-count">1<' in html


def test_mark_all_read_from_the_page():
    agent = UserFactory()
    notify_staff(users=[agent, agent], template="assigned", subject="a", body="b")
    notify_staff(users=[agent], template="assigned", subject="c", body="d")
    response = _client(agent).post(reverse("notifications:mark_read"))
    assert response.status_code == 302
    assert notifications_unread_count(user=agent) == 0


def test_customers_cannot_open_the_staff_inbox():
    customer_user = UserFactory(role=Role.CUSTOMER)
    assert _client(customer_user).get(reverse("notifications:inbox")).status_code == 403


def test_sms_defaults_to_a_clearly_labelled_log_only_sender(caplog):
    ticket = make_ticket()
    sms = Notification.objects.get(ticket=ticket, channel=NotificationChannel.SMS)
    with caplog.at_level("WARNING", logger="aftersales.notifications"):
        notification_deliver(notification_id=sms.pk)
    assert "log-only sms sender" in caplog.text
    assert "nothing was sent" in caplog.text


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port, collecting what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Collect(Message):
        def handle_message(self, message):  # type: ignore[no-untyped-def]
            received.append(message)

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield controller, received
    finally:
        controller.stop()


def test_email_goes_through_a_real_smtp_server_once(settings, smtp_server):
    controller, received = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    customer = CustomerFactory(email="li.na@example.com")
    notification = notification_queue(
        channel=NotificationChannel.EMAIL,
        template="ticket_received",
        recipient=customer.email,
        subject="您的工单 SH20261124-000001 已登记",
        body="您好，我们已登记您的售后申请。",
        language="zh-hans",
    )
    notification_deliver(notification_id=notification.pk)
    notification_deliver(notification_id=notification.pk)  # a second run sends nothing
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert len(received) == 1
    assert received[0]["To"] == "li.na@example.com"
    assert "SH20261124-000001" in str(received[0]["Subject"]) or "=?utf-8?" in str(received[0]["Subject"]).lower()


def test_unread_count_matches_the_orm_count_over_channels_and_read_state():
    from aftersales.notifications.models import Notification, NotificationChannel

    agent, other = UserFactory(), UserFactory()
    queued = notify_staff(users=[agent, other], template="assigned", subject="分派", body="b")
    notify_staff(users=[agent], template="assigned", subject="分派", body="c")
    mine = [n for n in queued if n.user_id == agent.pk]
    notification_mark_read(user=agent, notification_id=mine[0].pk)
    for user in (agent, other):
        expected = Notification.objects.filter(user=user, channel=NotificationChannel.IN_APP, read_at__isnull=True).count()
        assert notifications_unread_count(user=user) == expected
    assert notifications_unread_count(user=agent) == 1 and notifications_unread_count(user=other) == 1
