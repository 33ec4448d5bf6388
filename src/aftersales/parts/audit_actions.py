"""Every audit action the parts app records (stored values unchanged since they were strings)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class PartsAudit(AuditAction):
    # Warehouses and stock levels.
    VAN_CREATED = "parts.van_created"
    VAN_CLOSED = "parts.van_closed"  # its technician left (the staff handover), the van emptied
    STOCK_RECEIVED = "parts.stock_received"
    STOCK_ADJUSTED = "parts.stock_adjusted"
    LEVELS_SET = "parts.levels_set"
    # Requisitions; a status change is ``PartsAudit(f"parts.requisition_{status}")``.
    REQUISITION_CREATED = "parts.requisition_created"
    REQUISITION_SUBMITTED = "parts.requisition_submitted"
    REQUISITION_APPROVED = "parts.requisition_approved"
    REQUISITION_REJECTED = "parts.requisition_rejected"
    REQUISITION_ISSUED = "parts.requisition_issued"
    REQUISITION_CANCELLED = "parts.requisition_cancelled"
    # Parts used on a job, returns, faulty parts, transfers.
    PART_USED = "parts.part_used"
    RETURN_CREATED = "parts.return_created"
    RETURN_RECEIVED = "parts.return_received"
    FAULTY_APPRAISED = "parts.faulty_appraised"
    TRANSFER_CREATED = "parts.transfer_created"
    TRANSFER_RECEIVED = "parts.transfer_received"
