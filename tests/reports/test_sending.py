"""The scheduler: each period's report is mailed once (a second run sends nothing), as the owner
sees the list, in the subscription's language; a failing mail server is retried with backoff,
shown on the delivery, and sent later; after REPORTS_MAX_ATTEMPTS it is failed."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.reports.models import DeliveryStatus, ReportDelivery
from aftersales.reports.services import report_send_test, report_subscription_set_active, send_due_reports
from aftersales.reports.tasks import send_due_reports as send_due_reports_task
from tests.clock import freeze_time
from tests.factories import make_ticket

from .helpers import at, free_port, sheet_rows, smtp_settings, staff, start_smtp, subscribe, xlsx_attachments

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():  # type: ignore[no-untyped-def]
    agent = staff(username="zhang", email="zhang@example.com")
    make_ticket(actor=agent, description="空调漏水，室内机滴水到地板上。")
    make_ticket(actor=agent, description="洗衣机不脱水", phone="13900001111")
    make_ticket(description="别人的工单：冰箱不制冷", phone="13700002222")  # not in the agent's scope
    return agent


def test_a_due_report_is_mailed_once_per_period(owner, mailoutbox):
    subscribe(owner, created="2026-03-01 09:00", send_time=dt.time(8, 0))
    assert send_due_reports(now=at("2026-03-02 07:59")).sent == 0  # created after 1 March's 08:00
    result = send_due_reports(now=at("2026-03-02 08:00"))
    assert (result.claimed, result.sent) == (1, 1)
    assert send_due_reports(now=at("2026-03-02 08:05")).sent == 0
    assert send_due_reports(now=at("2026-03-02 23:59")).sent == 0
    assert len(mailoutbox) == 1
    delivery = ReportDelivery.objects.get()
    assert (delivery.period_start, delivery.status, delivery.attempts) == (dt.date(2026, 3, 2), DeliveryStatus.SENT, 1)
    assert send_due_reports(now=at("2026-03-03 08:00")).sent == 1
    assert len(mailoutbox) == 2
    assert ReportDelivery.objects.filter(status=DeliveryStatus.SENT).count() == 2


def test_the_file_holds_what_the_owner_may_see_in_the_subscriptions_language(owner, mailoutbox):
    subscribe(owner, created="2026-03-01 00:00", language="en", name="My tickets")
    send_due_reports(now=at("2026-03-02 09:00"))
    (message,) = mailoutbox
    assert message.to == ["zhang@example.com"]
    assert "My tickets" in message.subject and "2026-03-02" in message.subject
    (name, workbook), *_ = xlsx_attachments(message)
    assert name == "tickets-2026-03-02.xlsx"
    rows = sheet_rows(workbook)
    assert rows[0][0] == "Number"  # English headers although the owner's pages are in Chinese
    assert len(rows) == 1 + 2  # the owner's two tickets, not the third
    assert ReportDelivery.objects.get().row_count == 2
    event = AuditEvent.objects.get(action="report.sent")
    assert event.changes["period"] == "2026-03-02" and event.changes["rows"] == 2


def test_a_chinese_subscription_gets_a_chinese_mail(owner, mailoutbox):
    subscribe(owner, created="2026-03-01 00:00", language="zh-hans", frequency="weekly", weekday=0)
    send_due_reports(now=at("2026-03-02 08:00"))
    (message,) = mailoutbox
    assert "2026-03-02" in message.subject and "2026-03-08" in message.subject
    assert "报表" in message.subject
    assert sheet_rows(xlsx_attachments(message)[0][1])[0][0] == "工单号"


def test_a_paused_subscription_sends_nothing_and_resuming_skips_the_missed_periods(owner, mailoutbox):
    subscription = subscribe(owner, created="2026-03-01 00:00")
    report_subscription_set_active(actor=owner, subscription=subscription, active=False)
    assert send_due_reports(now=at("2026-03-02 09:00")).claimed == 0
    with freeze_time(at("2026-03-02 10:00")):
        report_subscription_set_active(actor=owner, subscription=subscription, active=True)
    assert send_due_reports(now=at("2026-03-02 10:05")).sent == 0  # 2 March's 08:00 passed while paused
    assert send_due_reports(now=at("2026-03-03 08:00")).sent == 1
    assert len(mailoutbox) == 1


def test_a_failing_mail_server_is_retried_later_visibly_then_sent(owner, settings):
    subscribe(owner, created="2026-03-01 00:00")
    smtp_settings(settings, free_port())  # nothing listens there: connection refused
    result = send_due_reports(now=at("2026-03-02 08:00"))
    assert (result.sent, result.retrying) == (0, 1)
    delivery = ReportDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "Connection" in delivery.last_error or "refused" in delivery.last_error.lower()
    assert delivery.next_attempt_at == at("2026-03-02 08:05")
    # Not before the backoff has passed.
    assert send_due_reports(now=at("2026-03-02 08:04")).retrying == 0
    assert ReportDelivery.objects.get().attempts == 1

    server, controller = start_smtp()
    try:
        smtp_settings(settings, server.port)
        assert send_due_reports(now=at("2026-03-02 08:05")).sent == 1
    finally:
        controller.stop()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 2, "")
    assert len(server.received) == 1


def test_after_the_last_attempt_the_delivery_is_failed_and_stays_so(owner, settings):
    settings.REPORTS_MAX_ATTEMPTS = 3
    subscribe(owner, created="2026-03-01 00:00")
    smtp_settings(settings, free_port())
    send_due_reports(now=at("2026-03-02 08:00"))  # attempt 1, next at 08:05
    send_due_reports(now=at("2026-03-02 08:05"))  # attempt 2, next at 08:15
    delivery = ReportDelivery.objects.get()
    assert delivery.next_attempt_at == at("2026-03-02 08:15")
    assert send_due_reports(now=at("2026-03-02 08:15")).failed == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (DeliveryStatus.FAILED, 3, None)
    assert delivery.last_error
    assert send_due_reports(now=at("2026-03-02 12:00")).failed == 0
    assert AuditEvent.objects.filter(action="report.send_failed").count() == 1


def test_recipients_who_left_the_company_are_dropped_at_sending(owner, mailoutbox):
    colleague = staff(email="li@example.com")
    subscribe(owner, created="2026-03-01 00:00", recipients=[owner.email, colleague.email])
    colleague.is_active = False
    colleague.save(update_fields=["is_active"])
    send_due_reports(now=at("2026-03-02 08:00"))
    assert mailoutbox[0].to == ["zhang@example.com"]


def test_a_test_goes_to_the_person_asking_only_and_is_not_a_delivery(owner, mailoutbox):
    colleague = staff(email="li@example.com")
    subscription = subscribe(owner, created="2026-03-01 00:00", recipients=[colleague.email])
    supervisor = staff(role=Role.SUPERVISOR, scope=DataScope.ALL, email="boss@example.com")
    assert report_send_test(actor=supervisor, subscription=subscription) == 3  # the supervisor's own scope
    (message,) = mailoutbox
    assert message.to == ["boss@example.com"]
    assert not ReportDelivery.objects.exists()
    assert AuditEvent.objects.filter(action="report.test_sent", actor=supervisor).exists()


def test_the_periodic_task_runs_the_scheduler(owner, settings, mailoutbox):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]}
    }
    subscribe(owner, created="2026-03-01 09:00")
    with freeze_time(at("2026-03-02 08:01")):
        first = send_due_reports_task.enqueue()
        second = send_due_reports_task.enqueue()
    assert first.return_value == {"claimed": 1, "sent": 1, "retrying": 0, "failed": 0}
    assert second.return_value == {"claimed": 0, "sent": 0, "retrying": 0, "failed": 0}
    assert len(mailoutbox) == 1
