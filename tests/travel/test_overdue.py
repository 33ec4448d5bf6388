"""Cash advances overdue for settlement (借款逾期未冲销): a paid advance not settled
TRAVEL_ADVANCE_SETTLE_DAYS calendar days after the local day it was paid is overdue; the daily job
reminds the technician and finance in scope once per period (first when it becomes overdue, then
every N days while it stays unsettled), never twice for one period, and audits each reminder."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from aftersales.accounts.models import DataScope
from aftersales.audit.models import AuditEvent
from aftersales.core.links import absolute_url
from aftersales.core.schedule import PERIODIC_JOBS
from aftersales.notifications.models import Notification
from aftersales.travel import selectors, services, tasks
from aftersales.travel.models import CashAdvance, PaymentMethod
from aftersales.travel.settlement import settle_days
from tests.clock import freeze_time
from tests.factories import RegionFactory

from .factories import advance, claim, finance, paid_advance, technician

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
EVENT = "travel.advance_overdue"


def local(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=SHANGHAI)


def paid_at(moment: dt.datetime, tech, payer, amount: str = "800.00") -> CashAdvance:
    with freeze_time(moment):
        return paid_advance(tech, amount, payer=payer)


def reminders(user=None) -> list[Notification]:
    qs = Notification.objects.filter(template=EVENT).order_by("id")
    return list(qs.filter(user=user) if user is not None else qs)


def remind(moment: dt.datetime) -> int:
    with freeze_time(moment):
        return services.advances_remind_overdue()


def overdue_now(item: CashAdvance, moment: dt.datetime) -> tuple[dt.date | None, bool, list[str]]:
    """What the advance says (its last day to settle, overdue) and what the selector lists as
    overdue, at ``moment``: the two must agree."""
    with freeze_time(moment):
        fresh = CashAdvance.objects.get(pk=item.pk)
        listed = list(selectors.advance_list(user=item.technician, overdue=True).values_list("number", flat=True))
        return fresh.settle_due_on, fresh.overdue, listed


def test_it_is_overdue_the_day_after_n_calendar_days_from_the_local_day_it_was_paid(settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 30
    payer = finance()
    late_evening = paid_at(local("2026-03-01", "23:30"), technician(), payer)  # 15:30 UTC: still 1 March
    just_after_midnight = paid_at(local("2026-03-01", "00:10"), technician(), payer)  # 28 February in UTC
    due = dt.date(2026, 3, 31)
    for item in (late_evening, just_after_midnight):
        assert overdue_now(item, local("2026-03-31", "23:59")) == (due, False, [])
        assert overdue_now(item, local("2026-04-01", "00:00")) == (due, True, [item.number])
    with freeze_time(local("2026-04-01", "00:00")):
        assert CashAdvance.objects.get(pk=late_evening.pk).days_since_paid == 31


def test_one_day_makes_the_next_day_overdue(settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 1
    item = paid_at(local("2026-05-10"), technician(), finance())
    assert overdue_now(item, local("2026-05-11", "23:59")) == (dt.date(2026, 5, 11), False, [])
    assert overdue_now(item, local("2026-05-12", "00:00"))[1:] == (True, [item.number])


def test_zero_turns_the_rule_and_the_reminders_off(settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 0
    payer = finance()
    item = paid_at(local("2025-01-01"), technician(), payer)
    assert overdue_now(item, local("2026-06-01")) == (None, False, [])
    with freeze_time(local("2026-06-01")):
        assert selectors.finance_desk(user=payer).advances_overdue is None
    assert remind(local("2026-06-01")) == 0 and reminders() == []


def test_only_a_paid_advance_is_ever_overdue(settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 5
    payer, tech = finance(), technician()
    with freeze_time(local("2026-02-01")):
        settled = paid_advance(tech, "300.00", payer=payer)
        claim(tech, "300.00", decider=payer)
        services.reimbursement_post(reimbursement=services.reimbursement_draft(technician=tech, actor=payer), actor=payer)
        cancelled = services.advance_cancel(advance=advance(tech, "100.00"), actor=tech)
        waiting = advance(tech, "200.00")
        approved = services.advance_approve(advance=advance(tech, "250.00"), actor=payer)
        rejected = services.advance_reject(advance=advance(tech, "50.00"), actor=payer, reason="不需要")
    later = local("2026-09-01")
    for item in (settled, cancelled, waiting, approved, rejected):
        assert overdue_now(item, later) == (None, False, []), item.status
    assert remind(later) == 0 and reminders() == []


@pytest.mark.parametrize("value", ["thirty", "-3", -1, 1.5, "2.0", True, None, ""])
def test_an_unreadable_setting_stops_at_first_use(settings, value):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = value
    with pytest.raises(ImproperlyConfigured, match="TRAVEL_ADVANCE_SETTLE_DAYS"):
        settle_days()
    with pytest.raises(ImproperlyConfigured, match="whole number of calendar days"):
        services.advances_remind_overdue()


@pytest.mark.parametrize(("value", "days"), [(0, 0), (7, 7), (" 12 ", 12), ("0", 0)])
def test_a_readable_setting_is_the_number_of_days(settings, value, days):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = value
    assert settle_days() == days


def test_unset_it_is_thirty_days(settings):
    del settings.TRAVEL_ADVANCE_SETTLE_DAYS
    assert settle_days() == 30


def test_the_job_reminds_once_per_period_while_the_advance_stays_unsettled(settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 10
    payer, tech = finance(), technician()
    item = paid_at(local("2026-03-01"), tech, payer)  # to settle by 11 March
    assert remind(local("2026-03-11", "23:00")) == 0
    assert remind(local("2026-03-12", "08:00")) == 1
    assert sorted(n.user_id for n in reminders()) == sorted([tech.pk, payer.pk])
    assert remind(local("2026-03-12", "20:00")) == 0, "a second run the same day sends nothing"
    assert remind(local("2026-03-21", "23:59")) == 0, "nine days after the reminder"
    assert remind(local("2026-03-22", "00:30")) == 1, "ten days after: again"
    assert len(reminders(tech)) == 2 and len(reminders(payer)) == 2
    reminded = CashAdvance.objects.get(pk=item.pk)
    assert reminded.settle_reminded_at == local("2026-03-22", "00:30")
    assert reminded.version == item.version, "a reminder is no change of the document"
    events = AuditEvent.objects.filter(action="travel.advance_overdue_reminded", object_id=str(item.pk)).order_by("id")
    assert [e.changes["days_since_paid"] for e in events] == [11, 21]
    assert {e.changes["settle_due_on"] for e in events} == {"2026-03-11"} and {e.actor_id for e in events} == {None}
    with freeze_time(local("2026-03-25")):  # settled: no more reminders
        claim(tech, "800.00", decider=payer)
        services.reimbursement_post(reimbursement=services.reimbursement_draft(technician=tech, actor=payer), actor=payer)
    assert remind(local("2026-04-02")) == 0 and len(reminders()) == 4


def test_two_runs_of_the_task_send_once(settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 3
    payer = finance()
    first = paid_at(local("2026-06-01"), technician(), payer)
    second = paid_at(local("2026-06-02"), technician(), payer, amount="120.00")
    paid_at(local("2026-06-04"), technician(), payer)  # to settle by 7 June: not yet
    with freeze_time(local("2026-06-06")):
        assert tasks.remind_overdue_advances.call() == 2
        assert tasks.remind_overdue_advances.call() == 0
    numbers = sorted(CashAdvance.objects.filter(settle_reminded_at__isnull=False).values_list("number", flat=True))
    assert numbers == sorted([first.number, second.number])
    assert len(reminders(payer)) == 2 and len(reminders()) == 4
    assert "aftersales.travel.tasks.remind_overdue_advances" in {job.task_path for job in PERIODIC_JOBS}


def test_the_technician_and_finance_in_scope_hear_it_in_their_language(settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 30
    east, west = RegionFactory(), RegionFactory()
    tech = technician(region=east, display_name="刘强", language="zh-hans")
    everyone = finance(language="en")
    region_payer = finance(data_scope=DataScope.REGION, region=east, language="zh-hans")
    elsewhere = finance(data_scope=DataScope.REGION, region=west)
    own_only = finance(data_scope=DataScope.OWN)
    retired = finance(is_active=False)
    colleague = technician(region=east)
    with freeze_time(local("2026-01-05")):
        approved = services.advance_approve(advance=advance(tech, "1500.00"), actor=region_payer)
        item = services.advance_pay(advance=approved, actor=everyone, method=PaymentMethod.CASH, reference="CASH-1")
    assert remind(local("2026-02-10")) == 1
    link = absolute_url(reverse("travel:advance", args=[item.number]))
    (his,) = reminders(tech)
    assert his.subject == f"借款单 {item.number} 逾期未冲销"
    assert his.body.startswith(f"刘强的借款单 {item.number}（1500.00 元）已付款 36 天仍未冲销，冲销期限为 2026-02-04。")
    assert his.body.endswith(f"查看借款单：{link}") and link.startswith("http")
    (english,) = reminders(everyone)
    assert english.subject == f"Advance {item.number} overdue for settlement"
    assert f"The cash advance {item.number} of 刘强 (1500.00 CNY) was paid 36 days ago and is not settled" in english.body
    assert "to be settled by 2026-02-04" in english.body and english.body.endswith(link)
    assert len(reminders(region_payer)) == 1
    for nobody in (elsewhere, own_only, retired, colleague):
        assert reminders(nobody) == [], nobody
