"""Background jobs of the satisfaction surveys (django-tasks). Jobs take ids and call services.

* ``process_survey`` is enqueued with ``run_after`` at a survey's delayed invitation or its
  reminder; it is idempotent: a second run, or a stale one, does nothing.
* ``sweep_surveys`` marks the expiries and is the periodic safety net for lost or late jobs, and
  the only mechanism on a backend that cannot defer (``core/schedule.py``, every five minutes).
"""

from __future__ import annotations

from django_tasks import task

from .sending import survey_process_due, survey_sweep


@task(queue_name="default")
def process_survey(survey_id: int) -> list[str]:
    """Send, remind or expire one survey if its time has come; returns what it did."""
    return survey_process_due(survey_id=survey_id)


@task(queue_name="default")
def sweep_surveys() -> int:
    """Every pending survey whose next step is due; returns how many steps were done."""
    return survey_sweep()
