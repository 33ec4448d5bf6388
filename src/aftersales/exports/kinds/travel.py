"""Technicians' travel money as a ledger: every cash advance the finance queue would show (its
filters: technician, advance status or "overdue" for settlement), then the lines of the reimbursements (claims paid,
advances offset) — or one reimbursement's lines alone (``reimbursement``, its page's button).
Read through the travel app's selectors: a team leader gets his team's, a technician his own."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.travel import selectors
from aftersales.travel.forms import OVERDUE
from aftersales.travel.models import AdvanceStatus, CashAdvance, ReimbursementLine, ReimbursementStatus
from aftersales.travel.permissions import is_technician, sees_queue

from ..registry import CHUNK_SIZE, CellType, Column, ExportKind, Rows, register


@dataclass(frozen=True)
class Entry:
    """One row of the ledger: an advance, or a line of a reimbursement."""

    day: Any
    document: str
    kind: Any
    technician: str
    status: Any
    work_order: str
    reference: str
    amount: Decimal
    reimbursement: str
    settle_due_on: Any = None  # a paid advance's last day to settle (travel.settlement)
    overdue: Any = ""


def _advance(a: CashAdvance) -> Entry:
    return Entry(
        day=a.paid_at or a.requested_at,
        document=a.number,
        kind=_("Cash advance"),
        technician=str(a.technician),
        status=a.get_status_display(),
        work_order="",
        reference=a.payment_reference,
        amount=a.amount,
        reimbursement="",
        settle_due_on=a.settle_due_on,
        overdue=_("Overdue for settlement") if a.overdue else "",
    )


def _line(line: ReimbursementLine) -> Entry:
    r = line.reimbursement
    if line.claim is not None:
        document, work_order, amount = f"#{line.claim_id}", line.claim.work_order.number, line.amount
    else:
        assert line.advance is not None
        document, work_order, amount = line.advance.number, "", -line.amount
    return Entry(
        day=r.posted_at or r.drafted_at,
        document=document,
        kind=line.get_kind_display(),
        technician=str(r.technician),
        status=r.get_status_display(),
        work_order=work_order,
        reference=r.payout_reference,
        amount=amount,
        reimbursement=r.number,
    )


def ledger_rows(user: User, params: Mapping[str, str]) -> Rows:
    who = params.get("technician", "").strip()[:64]
    reimbursements = selectors.reimbursement_list(
        user=user,
        statuses=[params["reimbursement_status"]]
        if params.get("reimbursement_status", "") in ReimbursementStatus.values
        else None,
        technician=who,
    )
    one = params.get("reimbursement", "").strip()
    if one:
        reimbursements = reimbursements.filter(number=one.upper())
        advances = selectors.advance_list(user=user).none()
    else:
        status = params.get("advance_status", "")
        advances = selectors.advance_list(
            user=user,
            statuses=[status] if status in AdvanceStatus.values else None,
            technician=who,
            overdue=status == OVERDUE,
        ).order_by("requested_at", "id")
    lines = (
        ReimbursementLine.objects.filter(reimbursement__in=reimbursements.values("pk"))
        .select_related("reimbursement__technician", "claim__work_order", "advance")
        .order_by("reimbursement__drafted_at", "reimbursement_id", "kind", "id")
    )
    total = advances.count() + lines.count()

    def items() -> Iterator[Entry]:
        yield from itertools.chain(
            (_advance(a) for a in advances.iterator(chunk_size=CHUNK_SIZE)),
            (_line(line) for line in lines.iterator(chunk_size=CHUNK_SIZE)),
        )

    return Rows(items=items(), total=total)


def _may_use(user: User) -> bool:
    return sees_queue(user) or is_technician(user)


LEDGER = register(
    ExportKind(
        key="travel_ledger",
        title=_("Travel advances and reimbursements"),
        columns=(
            Column(_("Date"), lambda r, u: r.day, CellType.DATETIME, width=17),
            Column(_("Document"), lambda r, u: r.document, width=20),
            Column(_("Kind"), lambda r, u: r.kind, width=14),
            Column(_("Technician"), lambda r, u: r.technician, width=12),
            Column(_("Status"), lambda r, u: r.status, width=12),
            Column(_("Work order"), lambda r, u: r.work_order, width=18),
            Column(_("Payment reference"), lambda r, u: r.reference, width=18),
            Column(_("Amount (CNY)"), lambda r, u: r.amount, CellType.MONEY, width=12),
            Column(_("Travel reimbursement"), lambda r, u: r.reimbursement, width=20),
            Column(_("Settle by"), lambda r, u: r.settle_due_on, CellType.DATE, width=12),
            Column(_("Overdue for settlement"), lambda r, u: r.overdue, width=14),
        ),
        may_use=_may_use,
        rows=ledger_rows,
        page="travel:queue",
    )
)
