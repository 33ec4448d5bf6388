"""A ticket's states and the moves between them — the only place they are defined.

The transition service (``services.ticket_transition``) refuses every move that is not in
``TRANSITIONS``. Who may make each move (role and scope) is layered on by the process rules.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")  # 已登记
    VERIFYING = "verifying", _("Verifying")  # 核查中
    AWAITING_INFO = "awaiting_info", _("Waiting for customer information")  # 待补充资料
    ANALYSING = "analysing", _("Analysing")  # 分析中
    PLANNING = "planning", _("Planning solution")  # 方案制定
    AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")  # 待审批
    AWAITING_CUSTOMER = "awaiting_customer", _("Awaiting customer agreement")  # 待客户确认
    IN_PROGRESS = "in_progress", _("In progress")  # 处理中
    ON_HOLD = "on_hold", _("On hold")  # 挂起（待件/待客户）
    RESOLVED = "resolved", _("Resolved, awaiting confirmation")  # 已解决待确认
    # The customer has done their part; the quality manager accepts the result before the
    # ticket is archived (``tickets.process.acceptance``, docs/quality.md).
    AWAITING_ACCEPTANCE = "awaiting_acceptance", _("Awaiting quality acceptance")  # 待质量验收
    REOPENED = "reopened", _("Reopened for secondary processing")  # 二次处理
    CLOSED = "closed", _("Closed")  # 已关闭归档
    REJECTED = "rejected", _("Rejected")  # 已驳回
    CANCELLED = "cancelled", _("Cancelled")  # 已撤销
    MERGED = "merged", _("Merged")  # 已合并


S = TicketStatus

TRANSITIONS: dict[TicketStatus, frozenset[TicketStatus]] = {
    S.REGISTERED: frozenset({S.VERIFYING, S.REJECTED, S.CANCELLED, S.MERGED}),
    S.VERIFYING: frozenset({S.AWAITING_INFO, S.ANALYSING, S.REJECTED, S.CANCELLED, S.MERGED}),
    # A duplicate may be merged until a solution is worked on (tickets.process.verification
    # ``ticket_merge``): also while waiting for the customer's information and while analysing.
    S.AWAITING_INFO: frozenset({S.VERIFYING, S.REJECTED, S.CANCELLED, S.MERGED}),
    S.ANALYSING: frozenset({S.PLANNING, S.REJECTED, S.CANCELLED, S.MERGED}),
    S.PLANNING: frozenset({S.AWAITING_APPROVAL, S.AWAITING_CUSTOMER, S.CANCELLED}),
    S.AWAITING_APPROVAL: frozenset({S.AWAITING_CUSTOMER, S.PLANNING, S.CANCELLED}),
    S.AWAITING_CUSTOMER: frozenset({S.IN_PROGRESS, S.PLANNING, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.ON_HOLD, S.RESOLVED}),
    S.ON_HOLD: frozenset({S.IN_PROGRESS}),
    S.RESOLVED: frozenset({S.AWAITING_ACCEPTANCE, S.CLOSED, S.REOPENED}),
    # Accepted → archived; sent back (or the customer says it is not solved after all) → 二次处理.
    S.AWAITING_ACCEPTANCE: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.ANALYSING, S.PLANNING, S.IN_PROGRESS}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
    S.MERGED: frozenset(),
}

# The agent's working set: anything that still needs somebody to act. A ticket awaiting the
# quality manager's acceptance is, like a resolved one, out of it (the quality worklist has it).
OPEN_STATUSES = frozenset(set(TicketStatus) - {S.RESOLVED, S.AWAITING_ACCEPTANCE, S.CLOSED, S.REJECTED, S.CANCELLED, S.MERGED})
# The same, as the sorted list of values that both the open list's query and its partial index
# (``ticket_open_due_idx``) use, so PostgreSQL can prove the query implies the index predicate.
OPEN_STATUS_LIST = sorted(str(s.value) for s in OPEN_STATUSES)
# Final states: the ticket is read-only; later additions only as timeline events.
FINAL_STATUSES = frozenset({S.CLOSED, S.REJECTED, S.CANCELLED, S.MERGED})
# Done as far as the customer is concerned: the customer's pages say "resolved" for these (the
# acceptance is the department's internal check).
SOLVED_FOR_CUSTOMER = frozenset({S.RESOLVED, S.AWAITING_ACCEPTANCE})
# The SLA clock stops while the ticket waits on the customer or on parts.
PAUSED_STATUSES = frozenset({S.AWAITING_INFO, S.AWAITING_CUSTOMER, S.ON_HOLD})


def can_transition(current: TicketStatus | str, target: TicketStatus | str) -> bool:
    return TicketStatus(target) in TRANSITIONS[TicketStatus(current)]


def customer_status(status: TicketStatus | str) -> TicketStatus:
    """The status as the customer is shown it: awaiting acceptance reads as resolved."""
    current = TicketStatus(status)
    return S.RESOLVED if current == S.AWAITING_ACCEPTANCE else current


def statuses_that_allow(target: TicketStatus) -> frozenset[TicketStatus]:
    """Every status the table lets a ticket leave for ``target`` in one move."""
    return frozenset(current for current, targets in TRANSITIONS.items() if target in targets)
