"""Writes for tickets: intake, transitions, assignment (by hand and by rules), timeline entries, attachments, the list's saved views.

Every function here is the one door for its business action: pages, the API, email intake and
background jobs all call it. Each runs in one transaction, writes the timeline and the audit log
in that transaction, and defers side effects (notifications, jobs) until after commit. The
process steps (verification to closing) are in ``tickets.process``; what a change sets off in the
apps built on tickets is listed in ``tickets.effects``.
"""

from .assignment import (
    BulkAssignResult,
    ticket_assign,
    ticket_assign_to,
    ticket_auto_assign,
    ticket_auto_assign_queue,
    ticket_claim,
    tickets_auto_assign_now,
    tickets_bulk_assign,
)
from .intake import IntakeInput, IntakeResult, ticket_intake
from .lifecycle import ticket_transition
from .saved_views import (
    saved_view_create,
    saved_view_delete,
    saved_view_move,
    saved_view_set_start,
    saved_view_update,
    saved_views_reorder,
)
from .timeline import ticket_add_attachment, ticket_add_customer_message, ticket_add_note

__all__ = [
    "BulkAssignResult",
    "IntakeInput",
    "IntakeResult",
    "saved_view_create",
    "saved_view_delete",
    "saved_view_move",
    "saved_view_set_start",
    "saved_view_update",
    "saved_views_reorder",
    "ticket_add_attachment",
    "ticket_add_customer_message",
    "ticket_add_note",
    "ticket_assign",
    "ticket_assign_to",
    "ticket_auto_assign",
    "ticket_auto_assign_queue",
    "ticket_claim",
    "ticket_intake",
    "ticket_transition",
    "tickets_auto_assign_now",
    "tickets_bulk_assign",
]
