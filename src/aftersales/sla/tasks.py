"""Background jobs for service levels (django-tasks). Jobs take ids and call services.

* ``check_sla_clock`` is enqueued with ``run_after`` at a clock's next warning, breach or
  escalation time; it is idempotent, and a stale one (its clock was paused or met meanwhile) does
  nothing.
* ``sweep_sla_clocks`` is the periodic safety net for lost or late jobs, and the only mechanism on
  a backend that cannot defer. Run it every minute: ``manage.py sla_sweep --loop 60``.

A job that raises is retried by the next sweep (every check is idempotent).
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .services import sla_check_clock, sla_sweep


@task(queue_name="default")
def check_sla_clock(clock_id: int, scheduled_for: str | None = None) -> list[str]:
    """Warn, breach or escalate one clock if its time has come; returns what it did."""
    when = dt.datetime.fromisoformat(scheduled_for) if scheduled_for else None
    return sla_check_clock(clock_id=clock_id, scheduled_for=when)


@task(queue_name="default")
def sweep_sla_clocks() -> int:
    """Check every running clock whose deadline passed without its mark; returns how many."""
    return sla_sweep()
