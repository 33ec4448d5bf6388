"""Background jobs for tickets (django-tasks). Jobs call services and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .process import tickets_auto_close


@task()
def auto_close_resolved_tickets() -> int:
    """Periodic: close resolved tickets the customer has not answered (TICKET_AUTO_CLOSE_DAYS)."""
    return tickets_auto_close()
