"""Background jobs of the outlets app (django-tasks). Jobs call services and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .services.monthly import draft_last_month


@task()
def draft_monthly_settlements() -> int:
    """Periodic: last month's statement of every active outlet that has work to settle and no
    statement for that month yet (a cancelled one counts: someone decided). Returns how many were
    drafted."""
    return draft_last_month()
