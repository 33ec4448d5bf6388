"""Every audit action the email intake records (an agent's decision on a held message)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class MailinAudit(AuditAction):
    RELEASED = "mailin.released"
    TICKET_CREATED = "mailin.ticket_created"
    DISCARDED = "mailin.discarded"
