"""Travel expense claims: the technician claims against their work order (with a receipt), a
dispatcher or finance decides — never their own claim."""

from __future__ import annotations

from typing import IO

from django.core.files import File
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.process.common import optional_text

from ..audit_actions import WorkOrderAudit
from ..models import ExpenseClaim, ExpenseKind, ExpenseStatus, WorkOrder, WorkOrderStatus
from ..permissions import can_decide_expenses, check_technician, in_scope
from ..uploads import check_document
from .common import lock_work_order, money, record

W = WorkOrderStatus


@transaction.atomic
def expense_claim_submit(
    *,
    work_order: WorkOrder,
    actor: User,
    kind: str,
    amount: object,
    note: str = "",
    receipt: IO[bytes] | None = None,
) -> ExpenseClaim:
    """A travel expense claim by the technician against their work order."""
    if kind not in ExpenseKind.values:
        raise ValidationFailed({"kind": [_("Choose a kind of expense.")]}, code="expense_kind")
    value = money(amount, field="amount", allow_zero=False)
    note_text = optional_text(note, field="note", limit=200)
    sniffed = check_document(receipt, field="receipt") if receipt is not None else None
    _ticket, locked = lock_work_order(work_order, expected_version=None)
    check_technician(user=actor, work_order=locked)
    if locked.status in {W.TO_DISPATCH, W.CANCELLED}:
        raise DomainError(_("Expenses are claimed for a job that was worked."), code="expense_not_available")
    claim = ExpenseClaim(
        work_order=locked,
        technician=actor,
        kind=kind,
        amount=value,
        note=note_text,
        receipt_content_type=sniffed.content_type if sniffed else "",
        receipt_sha256=sniffed.sha256 if sniffed else "",
        created_at=clock.now(),
    )
    if receipt is not None and sniffed is not None:
        claim.receipt.save(f"receipt{sniffed.extension}", File(receipt), save=False)
    claim.save()
    record(
        work_order=locked,
        actor=actor,
        action=WorkOrderAudit.EXPENSE_SUBMITTED,
        body=deferred(_("Expense claimed: %(kind)s %(amount)s CNY."), kind=ExpenseKind(kind).label, amount=str(value)),
        changes={"amount": str(value), "kind": kind},
    )
    return claim


@transaction.atomic
def expense_claim_decide(*, claim: ExpenseClaim, actor: User, approve: bool) -> ExpenseClaim:
    """Approve or reject a submitted claim (also once the ticket is closed). The ticket is
    locked first, then the claim."""
    lock_ticket(claim.work_order.ticket_id)
    locked_claim = ExpenseClaim.objects.select_for_update().select_related("work_order").get(pk=claim.pk)
    if not can_decide_expenses(actor) or not in_scope(actor, locked_claim.work_order):
        raise PermissionDenied(_("Only a dispatcher or finance can decide expense claims."), code="not_allowed")
    if locked_claim.technician_id == actor.pk:
        raise PermissionDenied(_("Nobody decides their own claim."), code="own_claim")
    if locked_claim.status != ExpenseStatus.SUBMITTED:
        raise DomainError(_("This claim is already decided."), code="claim_decided")
    locked_claim.status = ExpenseStatus.APPROVED if approve else ExpenseStatus.REJECTED
    locked_claim.decided_by = actor
    locked_claim.decided_at = clock.now()
    locked_claim.save(update_fields=["status", "decided_by", "decided_at"])
    work_order = locked_claim.work_order
    record(
        work_order=work_order,
        actor=actor,
        action=WorkOrderAudit(f"fieldservice.expense_{locked_claim.status}"),
        body=deferred(
            _("Expense claim %(status)s: %(amount)s CNY."),
            status=ExpenseStatus(locked_claim.status).label,
            amount=str(locked_claim.amount),
        ),
    )
    return locked_claim
