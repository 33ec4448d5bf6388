"""Every audit action the returns app records: ``ReturnsAudit(f"returns.status.{to}")`` for a
status move, and the authorisation itself."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class ReturnsAudit(AuditAction):
    AUTHORISED = "returns.authorised"
    STATUS_AWAITING_PICKUP = "returns.status.awaiting_pickup"
    STATUS_IN_TRANSIT = "returns.status.in_transit"
    STATUS_RECEIVED = "returns.status.received"
    STATUS_INSPECTED = "returns.status.inspected"
    STATUS_INSPECTION_FAILED = "returns.status.inspection_failed"
    STATUS_REPLACEMENT_SHIPPED = "returns.status.replacement_shipped"
    STATUS_DELIVERED = "returns.status.delivered"
    STATUS_COMPLETED = "returns.status.completed"
    STATUS_CANCELLED = "returns.status.cancelled"
    # The catalogue unit that came back changes its status; the replacement is registered.
    UNIT_STATUS_CHANGED = "returns.unit_status_changed"
    UNIT_REGISTERED = "returns.unit_registered"
