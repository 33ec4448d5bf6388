"""When a survey goes out: at once, after some hours or the next working day on the business
calendar; its one reminder; its link's validity. Each step once, however often its job runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks import default_task_backend

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict
from aftersales.feedback.models import SendDelay, Survey, SurveyStatus
from aftersales.feedback.sending import survey_process_due, survey_sweep
from aftersales.feedback.services import survey_link, survey_signed_token, survey_submit
from aftersales.feedback.tasks import process_survey
from aftersales.sla.models import Calendar, CalendarDay
from aftersales.tickets.process import ticket_confirm_result
from tests.clock import freeze_time
from tests.tickets.process_helpers import agent, refreshed

from .helpers import administrator, messages, pending, resolved, save, utc

pytestmark = pytest.mark.django_db

TUESDAY_10H = utc(2026, 3, 10, 2)  # 10:00 in Shanghai


def _audits(survey: Survey, action: str) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(survey.pk)).count()


def test_by_default_the_survey_goes_out_with_the_resolution():
    with freeze_time(TUESDAY_10H):
        ticket = resolved()
    survey = pending(ticket)
    assert messages(ticket, "survey")
    assert survey.sent_at == survey.notified_at == TUESDAY_10H
    assert survey.expires_at == TUESDAY_10H + dt.timedelta(days=30)
    assert survey.next_due_at == survey.expires_at  # no reminder by default: the expiry is next


def test_a_delay_in_hours_sends_once_when_the_job_runs_however_often(django_capture_on_commit_callbacks):
    save(administrator(), delay=SendDelay.HOURS, delay_hours=4)
    with freeze_time(TUESDAY_10H), django_capture_on_commit_callbacks(execute=True):
        ticket = resolved()
    survey = pending(ticket)
    due = TUESDAY_10H + dt.timedelta(hours=4)
    assert (survey.sent_at, survey.notified_at, survey.next_due_at) == (due, None, due)
    assert messages(ticket, "survey") == []
    assert _audits(survey, "feedback.survey_scheduled") == 1
    jobs = [r for r in default_task_backend.results if r.task.name == process_survey.name and r.args == [survey.pk]]
    assert [j.task.run_after for j in jobs] == [due]

    with freeze_time(due - dt.timedelta(minutes=1)):
        assert process_survey.call(survey.pk) == []
    assert messages(ticket, "survey") == []
    with freeze_time(due):
        assert process_survey.call(survey.pk) == ["sent"]
        sent = messages(ticket, "survey")
        assert process_survey.call(survey.pk) == []  # the same job again: nothing more
    assert sent and messages(ticket, "survey") == sent
    assert len({channel for channel, _to in sent}) == len(sent)  # one message per channel
    survey.refresh_from_db()
    assert survey.notified_at == due and _audits(survey, "feedback.survey_sent") == 1


def test_the_next_working_day_counts_on_the_business_calendar():
    weekdays = {str(day): [["09:00", "18:00"]] for day in range(5)}
    office = Calendar.objects.create(name="测试日历", working_hours=weekdays, uses_chinese_holidays=False)
    CalendarDay.objects.create(calendar=office, date=dt.date(2026, 3, 16), is_workday=False, name="公司活动")
    save(administrator(), delay=SendDelay.NEXT_WORKING_DAY, send_time=dt.time(10, 0), calendar_id=office.pk)

    with freeze_time(utc(2026, 3, 13, 8)):  # Friday 16:00: Monday is a day off on this calendar
        ticket = resolved()

    survey = pending(ticket)
    assert survey.sent_at == utc(2026, 3, 17, 2)  # Tuesday 10:00 in Shanghai
    assert messages(ticket, "survey") == []
    with freeze_time(utc(2026, 3, 17, 2)):
        assert survey_sweep() == 1
        assert survey_sweep() == 0
    assert messages(ticket, "survey")


def test_one_reminder_then_the_link_expires():
    save(administrator(), reminder_days=3, valid_days=7)
    with freeze_time(TUESDAY_10H):
        ticket = resolved()
    survey = pending(ticket)
    remind = TUESDAY_10H + dt.timedelta(days=3)
    assert (survey.remind_at, survey.next_due_at) == (remind, remind)

    assert survey_process_due(survey_id=survey.pk, now=remind - dt.timedelta(hours=1)) == []
    assert survey_process_due(survey_id=survey.pk, now=remind) == ["reminded"]
    reminders = messages(ticket, "survey_reminder")
    assert survey_process_due(survey_id=survey.pk, now=remind + dt.timedelta(hours=1)) == []
    assert reminders and messages(ticket, "survey_reminder") == reminders
    assert _audits(survey, "feedback.survey_reminded") == 1

    expiry = TUESDAY_10H + dt.timedelta(days=7)
    assert survey_process_due(survey_id=survey.pk, now=expiry) == ["expired"]
    assert survey_process_due(survey_id=survey.pk, now=expiry) == []
    survey.refresh_from_db()
    assert (survey.status, survey.next_due_at) == (SurveyStatus.EXPIRED, None)
    with pytest.raises(Conflict):
        survey_submit(signed_token=survey_signed_token(survey=survey), overall=5, solved=True)


def test_an_expired_link_is_refused_even_before_its_job_ran(client):
    save(administrator(), valid_days=2)
    with freeze_time(TUESDAY_10H):
        ticket = resolved()
    survey = pending(ticket)
    with freeze_time(TUESDAY_10H + dt.timedelta(days=2, minutes=1)):
        with pytest.raises(Conflict) as late:
            survey_submit(signed_token=survey_signed_token(survey=survey), overall=5, solved=True)
        page = client.get(survey_link(survey=survey))
    assert late.value.code == "survey_expired"
    assert page.status_code == 200 and 'data-test-id="survey-expired"' in page.content.decode()
    assert 'data-test-id="survey-submit"' not in page.content.decode()


def test_an_answered_survey_gets_no_reminder():
    save(administrator(), reminder_days=2, valid_days=7)
    with freeze_time(TUESDAY_10H):
        ticket = resolved()
        survey = pending(ticket)
        survey_submit(signed_token=survey_signed_token(survey=survey), overall=5, solved=True)
    assert survey_process_due(survey_id=survey.pk, now=TUESDAY_10H + dt.timedelta(days=2)) == []
    assert messages(ticket, "survey_reminder") == []
    assert Survey.objects.get(pk=survey.pk).next_due_at is None


def test_a_ticket_reopened_before_the_invitation_gets_none():
    save(administrator(), delay=SendDelay.HOURS, delay_hours=4, reminder_days=1)
    handler = agent()
    with freeze_time(TUESDAY_10H):
        ticket = resolved(handler)
        ticket_confirm_result(ticket=refreshed(ticket), actor=handler, solved=False, note="客户来电：仍然漏水")
    survey = pending(ticket)

    assert survey_process_due(survey_id=survey.pk, now=TUESDAY_10H + dt.timedelta(hours=5)) == []

    survey.refresh_from_db()
    assert messages(ticket, "survey") == [] and survey.notified_at is None
    assert survey.next_due_at == survey.expires_at  # it only waits for its expiry now


def test_the_survey_page_says_until_when_it_can_be_answered(client):
    with freeze_time(TUESDAY_10H):
        ticket = resolved()
        page = client.get(survey_link(survey=pending(ticket)))
    assert 'data-test-id="survey-valid-until"' in page.content.decode() and "2026-04-09" in page.content.decode()
