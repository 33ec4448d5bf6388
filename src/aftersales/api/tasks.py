"""Background jobs of the API (django-tasks). Jobs call services and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .services import idempotency_records_purge


@task()
def purge_idempotency_records() -> int:
    """Periodic: forget ``Idempotency-Key`` responses older than API_IDEMPOTENCY_KEEP_DAYS."""
    return idempotency_records_purge()
