"""Every audit action of the parties app (the register of responsible parties)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class PartyAudit(AuditAction):
    PARTY_CREATED = "parties.party_created"
