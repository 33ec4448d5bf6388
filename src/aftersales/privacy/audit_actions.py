"""Every audit action the privacy app records."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class PrivacyAudit(AuditAction):
    REQUESTED = "privacy.requested"
    # The copy was queued for its background job (it is being prepared).
    EXPORT_QUEUED = "privacy.export_queued"
    EXPORTED = "privacy.exported"
    # The copy was downloaded (by the customer or by staff for them).
    EXPORT_DOWNLOADED = "privacy.export_downloaded"
    ERASED = "privacy.erased"
    REFUSED = "privacy.refused"
    # A correction request answered: staff corrected the customer's record.
    CORRECTED = "privacy.corrected"
    # The customer withdrew a request before it was answered.
    CANCELLED = "privacy.cancelled"
    # A masked value shown in full to a role without the need, with the reason (privacy.reveals).
    REVEALED = "privacy.revealed"
    # A reveal refused: over the hourly limit (PRIVACY_REVEALS_PER_HOUR).
    REVEAL_REFUSED = "privacy.reveal_refused"
