"""Every audit action the appraisal app records. A status change is
``AppraisalAudit(f"appraisal.{status}")``; the timeline entry of the same change carries the
value without its ``appraisal.`` prefix as ``data["action"]``."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class AppraisalAudit(AuditAction):
    REQUESTED = "appraisal.requested"
    ASSIGNED = "appraisal.assigned"
    IN_PROGRESS = "appraisal.in_progress"
    REPORTED = "appraisal.reported"
    SIGNED = "appraisal.signed"
    ACCEPTED = "appraisal.accepted"
    REAPPRAISAL = "appraisal.reappraisal"
    CANCELLED = "appraisal.cancelled"
    FILE_ADDED = "appraisal.file_added"
