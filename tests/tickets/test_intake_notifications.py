"""The customer is told the number at once (SPEC §2.1) — after commit, only with consent."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tasks import default_task_backend

from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.tasks import deliver_notification
from aftersales.sla.tasks import check_sla_clock
from aftersales.tickets.services import ticket_intake
from aftersales.tickets.tasks import ticket_created_later
from tests.factories import CustomerFactory, intake_input, make_ticket

pytestmark = pytest.mark.django_db


def _enqueued_ids() -> list[int]:
    return [r.args[0] for r in default_task_backend.results if r.task.name == deliver_notification.name]


def test_email_and_sms_are_queued_and_their_delivery_enqueued_on_commit(django_capture_on_commit_callbacks):
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket = make_ticket(phone="13812345678", email="zhang@example.com")
        # Rows are in the outbox inside the transaction, but no job before commit.
        assert _enqueued_ids() == []
    notifications = {n.channel: n for n in Notification.objects.filter(ticket=ticket)}
    assert set(notifications) == {NotificationChannel.EMAIL, NotificationChannel.SMS}
    email, sms = notifications["email"], notifications["sms"]
    assert email.recipient == "zhang@example.com"
    assert sms.recipient == "+8613812345678"
    assert ticket.number in email.subject and ticket.number in email.body and ticket.number in sms.body
    assert email.status == sms.status == NotificationStatus.PENDING
    assert email.language == "zh-hans"

    for callback in callbacks:
        callback()
    assert sorted(_enqueued_ids()) == sorted([email.pk, sms.pk])


def test_the_message_is_in_the_customers_language(django_capture_on_commit_callbacks):
    CustomerFactory(phone="+8613812345678", email="", language="en")
    ticket = make_ticket()
    sms = Notification.objects.get(ticket=ticket)
    assert sms.language == "en"
    assert "we have registered your request" in sms.body


def test_a_customer_without_contact_consent_gets_no_message(django_capture_on_commit_callbacks):
    default_task_backend.clear()
    CustomerFactory(phone="+8613812345678", consent_contact=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_ticket(phone="13812345678")
    assert not Notification.objects.exists()
    # Only the SLA clocks' deferred checks and the one job after intake (crisis scan, triage)
    # are scheduled (after commit); no delivery.
    assert len(callbacks) == 4
    assert sorted(r.task.name for r in default_task_backend.results) == sorted(
        [check_sla_clock.name] * 3 + [ticket_created_later.name]
    )
    assert _enqueued_ids() == []


def test_a_rolled_back_intake_sends_nothing(django_capture_on_commit_callbacks):
    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        ticket_intake(data=intake_input(email="x@example.com"))
        raise RuntimeError("the request died after intake")
    assert callbacks == []
    assert not Notification.objects.exists()
    assert _enqueued_ids() == []
