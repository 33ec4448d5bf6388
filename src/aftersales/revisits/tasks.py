"""Background jobs of the revisits (django-tasks). Jobs call services and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .services import revisits_schedule


@task()
def schedule_revisits() -> int:
    """Periodic: create the due revisits exactly once (and cancel those whose customer withdrew
    consent). Returns how many were created."""
    return revisits_schedule().created
