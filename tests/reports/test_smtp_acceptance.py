"""THE ACCEPTANCE TEST of scheduled reports (issue 17): a real SMTP server (aiosmtpd) on a free
loopback port, Django's SMTP backend pointed at it. Running the scheduler twice in a period
delivers exactly one message, with an .xlsx attachment openpyxl opens; the next period a second."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.reports.models import DeliveryStatus, ReportDelivery
from aftersales.reports.services import send_due_reports
from tests.factories import make_ticket

from .helpers import at, sheet_rows, smtp_settings, staff, start_smtp, subscribe, xlsx_attachments

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):  # type: ignore[no-untyped-def]
    server, controller = start_smtp()
    smtp_settings(settings, server.port)
    try:
        yield server
    finally:
        controller.stop()


def test_a_weekly_report_arrives_once_per_period_through_a_real_smtp_server(smtp):
    owner = staff(username="wang", email="wang@example.com")
    colleague = staff(email="li@example.com")
    make_ticket(actor=owner, description="热水器不点火")
    subscribe(
        owner,
        created="2026-03-01 12:00",
        frequency="weekly",
        weekday=0,
        send_time=dt.time(8, 30),
        recipients=[owner.email, colleague.email],
        language="zh-hans",
    )

    send_due_reports(now=at("2026-03-02 08:30"))
    send_due_reports(now=at("2026-03-02 08:35"))  # the same period again: nothing more
    send_due_reports(now=at("2026-03-08 23:55"))

    assert len(smtp.received) == 1
    (received,) = smtp.received
    assert sorted(received.recipients) == ["li@example.com", "wang@example.com"]
    assert "2026-03-02" in received.message["Subject"]
    (name, workbook), *_ = xlsx_attachments(received.message)
    assert name == "tickets-2026-03-02.xlsx"
    rows = sheet_rows(workbook)
    assert len(rows) == 2 and "热水器不点火" in " ".join(str(c) for c in rows[1] if c)

    send_due_reports(now=at("2026-03-09 08:30"))
    send_due_reports(now=at("2026-03-09 08:30"))
    assert len(smtp.received) == 2
    assert xlsx_attachments(smtp.received[1].message)[0][0] == "tickets-2026-03-09.xlsx"
    assert list(ReportDelivery.objects.order_by("period_start").values_list("period_start", "status")) == [
        (dt.date(2026, 3, 2), DeliveryStatus.SENT),
        (dt.date(2026, 3, 9), DeliveryStatus.SENT),
    ]
