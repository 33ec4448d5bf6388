"""Background jobs of the billing app (django-tasks). Jobs call services and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .services import receivables_sweep


@task()
def sweep_receivables() -> int:
    """Hourly: a receivable for every finished chargeable work order that lacks one, and the
    outstanding ones brought to their job's charge (a completion hook missed; jobs finished before
    billing existed). Idempotent. Returns how many receivables it created or changed."""
    return receivables_sweep()
