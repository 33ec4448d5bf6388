"""Writes for field service, by idea: creating (and permits), dispatch (assign, reschedule,
cancel), the technician's visit, the quote, the customer's acceptance, expense claims. Every move
of a work order goes through ``common.move`` (the status machine in ``states.py``), is audited
(``audit_actions.WorkOrderAudit``) and appears in the ticket's timeline.

Locking order, as in the ticket process (``tickets.locking``): the ticket row first, then the
work order row (``common.lock_work_order``), then rows that belong to it.

``from aftersales.fieldservice import services`` and ``services.work_order_dispatch(...)`` keep
working: every service is re-exported here.
"""

from __future__ import annotations

from .acceptance import (
    CODE_LENGTH,
    CODES_PER_HOUR,
    acceptance_code_send,
    acceptance_summary,
    code_max_attempts,
    code_ttl_minutes,
    work_order_customer_accept,
)
from .common import window_text
from .creating import work_order_add_permit, work_order_create
from .dispatch import work_order_cancel, work_order_dispatch, work_order_reschedule
from .expenses import expense_claim_decide, expense_claim_submit
from .quote import (
    QUOTE_SALT,
    quote_path_for,
    quote_token_for,
    work_order_confirm_quote,
    work_order_from_quote_token,
    work_order_prepare_quote,
)
from .visit import (
    COST_FIELDS,
    compute_charges,
    work_order_accept,
    work_order_add_photo,
    work_order_check_in,
    work_order_check_out,
    work_order_complete,
    work_order_depart,
    work_order_fail,
    work_order_record_work,
)

__all__ = [
    "CODES_PER_HOUR",
    "CODE_LENGTH",
    "COST_FIELDS",
    "QUOTE_SALT",
    "acceptance_code_send",
    "acceptance_summary",
    "code_max_attempts",
    "code_ttl_minutes",
    "compute_charges",
    "expense_claim_decide",
    "expense_claim_submit",
    "quote_path_for",
    "quote_token_for",
    "window_text",
    "work_order_accept",
    "work_order_add_permit",
    "work_order_add_photo",
    "work_order_cancel",
    "work_order_check_in",
    "work_order_check_out",
    "work_order_complete",
    "work_order_confirm_quote",
    "work_order_create",
    "work_order_customer_accept",
    "work_order_depart",
    "work_order_dispatch",
    "work_order_fail",
    "work_order_from_quote_token",
    "work_order_prepare_quote",
    "work_order_record_work",
    "work_order_reschedule",
]
