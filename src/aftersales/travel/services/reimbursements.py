"""Reimbursements (差旅费报销单): one technician's approved, not yet reimbursed expense claims paid
and his paid, unsettled advances offset against them. Totals: claims C, advances A; net = C − A
(positive: the company pays him; negative: he returns cash).

Drafting freezes each claim's and advance's amount on its line; the database keeps a claim (and
an advance) on at most one reimbursement that is not cancelled (partial unique constraints on
``ReimbursementLine.live``), so two drafts racing for one claim make one line and a ``Conflict``.
Posting is the offset: the advances become settled, the claims reimbursed, the amounts final; a
net of 0 closes at once. Closing records the payout or the cash returned. Cancelling a draft
frees its lines."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.fieldservice.models import ExpenseClaim, ExpenseStatus

from .. import notify
from ..audit_actions import TravelAudit
from ..models import (
    ZERO,
    AdvanceStatus,
    CashAdvance,
    LineKind,
    Reimbursement,
    ReimbursementLine,
    ReimbursementStatus,
)
from ..permissions import check_cancel_reimbursement, check_draft, check_money
from ..states import ADVANCE_MOVES, REIMBURSEMENT_MOVES
from .common import lock, move, next_number, payment, text

A = AdvanceStatus
R = ReimbursementStatus


def eligible_claims(technician_id: int) -> QuerySet[ExpenseClaim]:
    """The technician's approved expense claims that no live reimbursement holds."""
    taken = ReimbursementLine.objects.filter(live=True, claim__isnull=False).values("claim_id")
    return (
        ExpenseClaim.objects.filter(technician_id=technician_id, status=ExpenseStatus.APPROVED)
        .exclude(pk__in=taken)
        .select_related("work_order")
        .order_by("created_at", "id")
    )


def eligible_advances(technician_id: int) -> QuerySet[CashAdvance]:
    """The technician's paid advances that no live reimbursement offsets yet."""
    taken = ReimbursementLine.objects.filter(live=True, advance__isnull=False).values("advance_id")
    return CashAdvance.objects.filter(technician_id=technician_id, status=A.PAID).exclude(pk__in=taken).order_by("paid_at", "id")


def _chosen(pool: QuerySet[Any], ids: Sequence[int] | None, *, field: str) -> list[Any]:
    if ids is None:
        return list(pool)
    wanted = set(ids)
    found = list(pool.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationFailed(
            {field: [_("Choose only items that are approved or paid and on no other reimbursement.")]},
            code=f"{field}_invalid",
        )
    return found


def _sum(amounts: Sequence[Decimal]) -> Decimal:
    return sum(amounts, ZERO)


@transaction.atomic
def reimbursement_draft(
    *,
    technician: User,
    actor: User,
    claims: Sequence[int] | None = None,
    advances: Sequence[int] | None = None,
) -> Reimbursement:
    """Draft the technician's reimbursement: one line per approved, unreimbursed claim and per
    paid, unsettled advance (all of them, or the ``claims`` / ``advances`` ids chosen)."""
    check_draft(actor, technician)
    chosen_claims: list[ExpenseClaim] = _chosen(eligible_claims(technician.pk), claims, field="claims")
    chosen_advances: list[CashAdvance] = _chosen(eligible_advances(technician.pk), advances, field="advances")
    if not chosen_claims and not chosen_advances:
        raise ValidationFailed(
            {"claims": [_("Nothing to reimburse: no approved expense claims or paid advances are open.")]},
            code="nothing_to_reimburse",
        )
    total_claims = _sum([c.amount for c in chosen_claims])
    total_advances = _sum([a.amount for a in chosen_advances])
    now = clock.now()
    reimbursement = Reimbursement.objects.create(
        number=next_number("BX"),
        technician=technician,
        total_claims=total_claims,
        total_advances=total_advances,
        net=total_claims - total_advances,
        drafted_by=actor,
        drafted_at=now,
        updated_at=now,
    )
    lines = [ReimbursementLine(reimbursement=reimbursement, kind=LineKind.CLAIM, claim=c, amount=c.amount) for c in chosen_claims]
    lines += [
        ReimbursementLine(reimbursement=reimbursement, kind=LineKind.ADVANCE, advance=a, amount=a.amount) for a in chosen_advances
    ]
    try:
        with transaction.atomic():
            ReimbursementLine.objects.bulk_create(lines)
    except IntegrityError:  # another reimbursement took one of them meanwhile
        raise Conflict(
            _("Another reimbursement took one of these claims or advances meanwhile; reload and try again."),
            code="already_on_a_reimbursement",
            field="claims",
        ) from None
    audit_record(
        action=TravelAudit.REIMBURSEMENT_DRAFTED,
        obj=reimbursement,
        actor=actor,
        changes={
            "technician": technician.username,
            "claims": [c.pk for c in chosen_claims],
            "advances": [a.number for a in chosen_advances],
            "total_claims": str(total_claims),
            "total_advances": str(total_advances),
            "net": str(reimbursement.net),
        },
    )
    return reimbursement


@transaction.atomic
def reimbursement_post(*, reimbursement: Reimbursement, actor: User, expected_version: int | None = None) -> Reimbursement:
    """Finance posts the offset: each advance on it is settled, each claim reimbursed, the amounts
    final. A net of 0 is closed at once (nothing to pay or return)."""
    locked = lock(Reimbursement, reimbursement.pk, expected_version=expected_version)
    check_money(actor, locked.technician_id)
    REIMBURSEMENT_MOVES.check(locked.status, R.POSTED)
    lines = list(ReimbursementLine.objects.filter(reimbursement=locked, live=True).order_by("id"))
    advance_ids = sorted(line.advance_id for line in lines if line.advance_id is not None)
    now = clock.now()
    for advance in CashAdvance.objects.select_for_update().filter(pk__in=advance_ids).order_by("pk"):
        if advance.status != A.PAID:
            raise DomainError(
                _("The advance %(number)s is no longer open; cancel this draft and draft again.") % {"number": advance.number},
                code="advance_not_open",
                field="advances",
            )
        advance.settled_at = now
        move(
            advance,
            table=ADVANCE_MOVES,
            kind="advance",
            to=A.SETTLED,
            actor=actor,
            fields={"settled_at"},
            changes={"reimbursement": locked.number},
        )
    locked.total_claims = _sum([line.amount for line in lines if line.kind == LineKind.CLAIM])
    locked.total_advances = _sum([line.amount for line in lines if line.kind == LineKind.ADVANCE])
    locked.net = locked.total_claims - locked.total_advances
    locked.posted_by, locked.posted_at = actor, now
    posted = move(
        locked,
        table=REIMBURSEMENT_MOVES,
        kind="reimbursement",
        to=R.POSTED,
        actor=actor,
        fields={"posted_by", "posted_at", "total_claims", "total_advances", "net"},
        changes={
            "total_claims": str(locked.total_claims),
            "total_advances": str(locked.total_advances),
            "net": str(locked.net),
            "claims": [line.claim_id for line in lines if line.claim_id is not None],
        },
    )
    if posted.net == 0:
        posted.closed_by, posted.closed_at = actor, now
        posted = move(
            posted,
            table=REIMBURSEMENT_MOVES,
            kind="reimbursement",
            to=R.CLOSED,
            actor=actor,
            fields={"closed_by", "closed_at"},
            changes={"net": "0.00"},
        )
    notify.reimbursement_posted(posted)
    return posted


@transaction.atomic
def reimbursement_close(
    *, reimbursement: Reimbursement, actor: User, method: str, reference: str, expected_version: int | None = None
) -> Reimbursement:
    """Finance paid the net to the technician, or received the cash he returned."""
    how, ref = payment(method, reference, prefix="payout")
    locked = lock(Reimbursement, reimbursement.pk, expected_version=expected_version)
    check_money(actor, locked.technician_id)
    REIMBURSEMENT_MOVES.check(locked.status, R.CLOSED)
    locked.closed_by, locked.closed_at = actor, clock.now()
    locked.payout_method, locked.payout_reference = how, ref
    closed = move(
        locked,
        table=REIMBURSEMENT_MOVES,
        kind="reimbursement",
        to=R.CLOSED,
        actor=actor,
        fields={"closed_by", "closed_at", "payout_method", "payout_reference"},
        changes={"net": str(locked.net), "method": how, "reference": ref},
    )
    notify.reimbursement_closed(closed)
    return closed


@transaction.atomic
def reimbursement_cancel(
    *, reimbursement: Reimbursement, actor: User, reason: str, expected_version: int | None = None
) -> Reimbursement:
    """Cancel a draft: its claims and advances are free for another reimbursement."""
    why = text(reason, field="reason", required=True, message=_("Say why the reimbursement is cancelled."))
    locked = lock(Reimbursement, reimbursement.pk, expected_version=expected_version)
    check_cancel_reimbursement(actor, locked)
    locked.cancel_reason = why
    moved = move(
        locked,
        table=REIMBURSEMENT_MOVES,
        kind="reimbursement",
        to=R.CANCELLED,
        actor=actor,
        fields={"cancel_reason"},
        changes={"reason": why},
    )
    ReimbursementLine.objects.filter(reimbursement=moved).update(live=False)
    return moved
