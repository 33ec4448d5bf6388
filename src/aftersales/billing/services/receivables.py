"""A receivable per finished chargeable work order: created when the work is done
(``receivers.work_order_charged``) or by the sweep (``receivables_sweep``, idempotent), its
amount following the work order's charge while nothing is final; waived by a supervisor or an
administrator with a reason."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.core.i18n import deferred
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.tickets.locking import lock_ticket

from ..audit_actions import BillingAudit
from ..models import PaymentStatus, Receivable, ReceivableStatus
from ..permissions import check_waive
from ..states import OUTSTANDING
from .common import lock_receivable, record, save, status_for, text

S = ReceivableStatus
W = WorkOrderStatus
# A job is finished (and costed) from the technician's check-out on; the customer's acceptance
# computes its charge again.
FINISHED = frozenset({W.DONE, W.CUSTOMER_ACCEPTED})
SWEEP_BATCH = 500


def owes(work_order: WorkOrder) -> bool:
    """Whether the finished job has a customer charge to collect."""
    return work_order.status in FINISHED and work_order.chargeable and work_order.charge_total > 0


@transaction.atomic
def receivable_sync(*, work_order_id: int) -> Receivable | None:
    """The work order's receivable, created once it is finished with a charge; its amount follows
    the charge computed again while it is outstanding (never below what was paid). Idempotent:
    the completion hook and the sweep both call it. Locks the ticket, then the work order."""
    job = WorkOrder.objects.only("ticket_id").get(pk=work_order_id)
    lock_ticket(job.ticket_id)
    work_order = WorkOrder.objects.select_for_update().select_related("ticket").get(pk=work_order_id)
    existing = Receivable.objects.select_for_update().filter(work_order=work_order).first()
    if existing is None:
        if not owes(work_order):
            return None
        return _create(work_order)
    existing.work_order, existing.ticket = work_order, work_order.ticket
    if existing.status in OUTSTANDING and owes(work_order) and existing.amount != work_order.charge_total:
        _follow_charge(existing, work_order)
    return existing


def _create(work_order: WorkOrder) -> Receivable:
    now = clock.now()
    done = work_order.completed_at or now
    receivable = Receivable.objects.create(
        work_order=work_order,
        ticket=work_order.ticket,
        amount=work_order.charge_total,
        due_from=clock.local_date(done),
        created_at=now,
        updated_at=now,
    )
    record(
        receivable,
        action=BillingAudit.RECEIVABLE_CREATED,
        actor=None,
        body=deferred(_("the customer owes %(amount)s CNY for the work."), amount=str(receivable.amount)),
        changes={"amount": str(receivable.amount), "due_from": str(receivable.due_from)},
    )
    return receivable


def _follow_charge(locked: Receivable, work_order: WorkOrder) -> None:
    before = locked.amount
    pending = sum((p.amount for p in locked.payments.filter(status=PaymentStatus.PENDING)), start=locked.paid_amount)
    # Never below what was paid or collected: a lower charge after money came in is a refund's business.
    locked.amount = max(work_order.charge_total, pending)
    if locked.amount == before:
        return
    save(locked, to=status_for(locked), fields={"amount", "paid_at"} if _paid_now(locked) else {"amount"})
    record(
        locked,
        action=BillingAudit.RECEIVABLE_AMOUNT_CHANGED,
        actor=None,
        body=deferred(_("the charge is now %(amount)s CNY."), amount=str(locked.amount)),
        changes={"amount": [str(before), str(locked.amount)]},
    )


def _paid_now(locked: Receivable) -> bool:
    if locked.status == S.PAID and locked.paid_at is None:
        locked.paid_at = clock.now()
        return True
    return False


def receivables_sweep(*, limit: int = SWEEP_BATCH) -> int:
    """Create the missing receivables of finished chargeable jobs and bring outstanding ones to
    their job's charge (a hook missed, a job from before billing existed); each in its own
    transaction. Returns how many it created or changed. Run by ``tasks.receivables_sweep``."""
    missing = list(
        WorkOrder.objects.filter(status__in=FINISHED, chargeable=True, charge_total__gt=0, receivable__isnull=True).values_list(
            "pk", flat=True
        )[:limit]
    )
    drifted = list(
        Receivable.objects.filter(status__in=OUTSTANDING, work_order__status__in=FINISHED)
        .exclude(amount=F("work_order__charge_total"))
        .values_list("work_order_id", flat=True)[:limit]
    )
    touched = 0
    for work_order_id in [*missing, *drifted]:
        before = Receivable.objects.filter(work_order_id=work_order_id).values_list("version", flat=True).first()
        after = receivable_sync(work_order_id=work_order_id)
        if after is not None and after.version != before:
            touched += 1
    return touched


@transaction.atomic
def receivable_waive(*, receivable: Receivable, actor: User, reason: str, expected_version: int | None = None) -> Receivable:
    """A supervisor or an administrator waives what is left of the charge, saying why; cash
    collected on site and not yet confirmed must be confirmed or rejected first."""
    check_waive(actor)
    why = text(reason, field="reason", required=True, message=_("Say why the charge is waived."))
    locked = lock_receivable(receivable, expected_version=expected_version)
    if locked.payments.filter(status=PaymentStatus.PENDING).exists():
        raise DomainError(_("Confirm or reject the cash collected on site first."), code="payments_pending", field="status")
    left = locked.amount - locked.paid_amount
    locked.waived_at, locked.waived_by, locked.waive_reason = clock.now(), actor, why
    save(locked, to=S.WAIVED, fields={"waived_at", "waived_by", "waive_reason"})
    record(
        locked,
        action=BillingAudit.RECEIVABLE_WAIVED,
        actor=actor,
        body=deferred(_("%(amount)s CNY waived: %(reason)s"), amount=str(left), reason=why),
        changes={"waived": str(left), "reason": why},
    )
    return locked
