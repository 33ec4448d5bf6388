"""Background jobs for service levels (django-tasks). Jobs take ids and call services.

* ``check_sla_clock`` is enqueued with ``run_after`` at a clock's next warning, breach or
  escalation time; it is idempotent, and a stale one (its clock was paused or met meanwhile) does
  nothing.
* ``warn_overdue_promises`` (every 5 minutes) warns about promised solution dates that passed
  unresolved, once each.
* ``sweep_sla_clocks`` is the periodic safety net for lost or late jobs, and the only mechanism on
  a backend that cannot defer. Run it every minute: ``manage.py sla_sweep --loop 60``.

A job that raises is retried by the next sweep (every check is idempotent).
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .services import sla_check_clock, sla_sweep, sla_warn_overdue_promises
from .services.calendars import sla_on_calendar_change
from .services.readiness import calendars_remind_missing_schedule


@task(queue_name="default")
def check_sla_clock(clock_id: int, scheduled_for: str | None = None) -> list[str]:
    """Warn, breach or escalate one clock if its time has come; returns what it did."""
    when = dt.datetime.fromisoformat(scheduled_for) if scheduled_for else None
    return sla_check_clock(clock_id=clock_id, scheduled_for=when)


@task(queue_name="default")
def sweep_sla_clocks() -> int:
    """Check every running clock whose deadline passed without its mark; returns how many."""
    return sla_sweep()


@task(queue_name="default")
def warn_overdue_promises() -> int:
    """Periodic (every 5 minutes): warn the assignee once about each promised solution date that
    passed with the ticket not resolved; returns how many were warned. Idempotent."""
    return sla_warn_overdue_promises()


@task(queue_name="default")
def recompute_calendar_clocks(calendar_id: int, first: str, last: str) -> int:
    """A calendar's days from ``first`` to ``last`` (ISO dates) changed: the open clocks they
    touch get their deadlines again; returns how many moved. Idempotent (a rerun moves nothing)."""
    return sla_on_calendar_change(calendar_id=calendar_id, first=dt.date.fromisoformat(first), last=dt.date.fromisoformat(last))


@task(queue_name="default")
def remind_missing_schedules() -> int:
    """Daily: tell the administrators of a calendar in use lacking this (or next) year's holiday
    schedule, every two weeks until it is entered; returns how many reminders went out."""
    return calendars_remind_missing_schedule()
