"""Writes for tickets: intake, transitions, assignment, timeline entries, attachments.

Every function here is the one door for its business action: pages, the API, email intake and
background jobs all call it. Each runs in one transaction, writes the timeline and the audit log
in that transaction, and defers side effects (notifications, jobs) until after commit. The
process steps (verification to closing) are in ``tickets.process``; what a change sets off in the
apps built on tickets is listed in ``tickets.effects``.
"""

from .intake import IntakeInput, IntakeResult, ticket_intake
from .lifecycle import ticket_assign, ticket_transition
from .timeline import ticket_add_attachment, ticket_add_customer_message, ticket_add_note

__all__ = [
    "IntakeInput",
    "IntakeResult",
    "ticket_add_attachment",
    "ticket_add_customer_message",
    "ticket_add_note",
    "ticket_assign",
    "ticket_intake",
    "ticket_transition",
]
