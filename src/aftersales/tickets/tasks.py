"""Background jobs for tickets (django-tasks). Jobs call services and are idempotent."""

from __future__ import annotations

from django_tasks import task

from .process import tickets_auto_close
from .services.assignment import ticket_auto_assign_by_id, tickets_auto_assign_sweep
from .services.later import ticket_created_later_run


@task()
def auto_close_resolved_tickets() -> int:
    """Periodic: close resolved tickets the customer has not answered (TICKET_AUTO_CLOSE_DAYS)."""
    return tickets_auto_close()


@task()
def ticket_created_later(ticket_id: int) -> int:
    """After intake: the receivers of ``effects.TICKET_CREATED_LATER`` (crisis scan, triage), each
    on its own. Idempotent. Returns how many failed."""
    return ticket_created_later_run(ticket_id=ticket_id)


@task()
def auto_assign_ticket(ticket_id: int) -> str:
    """After intake: the first matching assignment rule chooses the assignee. Idempotent: a
    ticket that has (or ever had) an assignee is left alone."""
    return ticket_auto_assign_by_id(ticket_id).outcome


@task()
def sweep_auto_assignment() -> int:
    """Periodic safety net: new tickets whose assignment job was lost or found nobody available
    (no query when no rule is active). Returns how many were assigned."""
    return tickets_auto_assign_sweep().assigned
