"""Background jobs of the travel app (django-tasks). Jobs call services and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .services.reminders import advances_remind_overdue


@task()
def remind_overdue_advances() -> int:
    """Daily: the technician and finance in scope reminded of each paid cash advance overdue for
    settlement (``TRAVEL_ADVANCE_SETTLE_DAYS``), once per period. Returns how many advances."""
    return advances_remind_overdue()
