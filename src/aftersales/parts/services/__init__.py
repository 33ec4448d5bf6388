"""Writes for spare parts and stock. Every stock change goes through ``stock.move`` (ledger line
and new level in one transaction, rows locked in primary-key order); every status change goes
through the transition tables of ``parts.states``; every document change is audited and, when it
concerns a work order, appears in its ticket's timeline. A service that concerns a work order
locks its ticket, then the work order, before its own rows (``common.lock_job``).

By idea: ``stock_levels`` (vans, receipts, counts, levels), ``requisitions``, ``usage`` (parts
fitted on a job), ``returns``, ``faulty`` (appraisal), ``transfers``; ``common`` holds what they
share. Import from ``aftersales.parts.services``.

Interface used by field service (all keyword-only):

- ``warehouse_for_technician(*, technician) -> Warehouse`` — the technician's van, created on demand.
- ``van_close(*, van, actor) -> Warehouse`` — an empty van closed when its technician leaves (the
  staff handover, ``parts.receivers``, moves its stock out first with ``transfer_create``).
- ``requisition_create(*, work_order, warehouse, lines: list[tuple[Part, int]], actor, note="") -> Requisition``
  (领料单, draft; from a central/regional warehouse into the work order technician's van).
- ``requisition_submit(*, requisition, actor) -> Requisition`` — needs approval when a
  ``RequisitionApprovalRule`` matches (status ``submitted``); otherwise approved at once. Approval
  reserves the stock; only an urgent ticket's work order may draw the emergency reserve.
- ``requisition_request(*, work_order, warehouse, lines, actor, note="") -> Requisition`` — create and
  submit in one transaction (the parts panel's "Request"): a refusal leaves no draft behind.
- ``requisition_decide(*, requisition, actor, approve: bool, comment="") -> Requisition``.
- ``requisition_issue(*, requisition, actor) -> Requisition`` — warehouse → van, consumes the reservation.
- ``requisition_cancel(*, requisition, actor, reason="") -> Requisition`` — releases a reservation.
- ``parts_record_used(*, work_order, lines: list[UsedPartInput], actor) -> list[PartUsage]`` — consumes
  from the technician's van, linked to the work order and the ticket's product unit.
- ``return_create(*, work_order, technician, warehouse, unused: list[tuple[Part, int]],
  faulty: list[FaultyInput], actor) -> PartReturn`` (退料单) — unused parts leave the van now and
  enter the warehouse on ``return_receive``; faulty parts go to appraisal (never sellable stock).

Errors: ``DomainError`` codes ``insufficient_stock``, ``requisition_not_<status>``,
``warehouse_inactive``, ``van_not_allowed``, ``van_not_empty``, ``no_technician``,
``work_order_closed`` (cancelled, failed or accepted by the customer), ``part_inactive``;
``ValidationFailed`` for bad lines; ``PermissionDenied`` for the wrong person.
"""

from __future__ import annotations

from .common import CLOSED_WORK_ORDER_STATUSES, MAX_LINES, MAX_QUANTITY
from .faulty import faulty_appraise, faulty_appraised
from .requisitions import (
    approval_rule_for,
    requisition_cancel,
    requisition_create,
    requisition_decide,
    requisition_issue,
    requisition_request,
    requisition_submit,
)
from .returns import FaultyInput, return_create, return_receive
from .stock_levels import stock_adjust, stock_receive, stock_set_levels, van_close, warehouse_for_technician
from .transfers import transfer_create, transfer_receive
from .usage import UsedPartInput, parts_record_used

__all__ = [
    "CLOSED_WORK_ORDER_STATUSES",
    "MAX_LINES",
    "MAX_QUANTITY",
    "FaultyInput",
    "UsedPartInput",
    "approval_rule_for",
    "faulty_appraise",
    "faulty_appraised",
    "parts_record_used",
    "requisition_cancel",
    "requisition_create",
    "requisition_decide",
    "requisition_issue",
    "requisition_request",
    "requisition_submit",
    "return_create",
    "return_receive",
    "stock_adjust",
    "stock_receive",
    "stock_set_levels",
    "transfer_create",
    "transfer_receive",
    "van_close",
    "warehouse_for_technician",
]
