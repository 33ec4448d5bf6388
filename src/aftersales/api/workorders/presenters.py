"""Work orders → response bodies: the summary and the detail (with the moves the caller may make
now), files, charges, the quote and expense claims. The site's address and contact go through
the field-service app's own masking rule (``site_details``)."""

from __future__ import annotations

from decimal import Decimal

from aftersales.accounts.models import User
from aftersales.fieldservice.models import (
    ExpenseClaim,
    WorkOrder,
    WorkOrderChargeLine,
    WorkOrderFile,
    WorkOrderStatus,
    charge_text,
)
from aftersales.fieldservice.permissions import site_details
from aftersales.fieldservice.selectors import acceptance_for
from aftersales.parts.models import Part

from . import schemas as out
from .selectors import work_order_actions


def money_text(value: Decimal | str | None) -> str:
    """An amount as text with two decimals ("12.50")."""
    return f"{Decimal(value or 0):.2f}"


def _status_label(value: str) -> str:
    try:
        return str(WorkOrderStatus(value).label)
    except ValueError:
        return value


def work_order_summary(item: WorkOrder) -> out.WorkOrderSummary:
    return out.WorkOrderSummary(
        number=item.number,
        ticket=item.ticket.number,
        kind=item.kind,
        status=item.status,
        status_label=_status_label(item.status),
        technician=item.technician.get_username() if item.technician is not None else None,
        region=item.region.code if item.region is not None else None,
        appointment_start=item.appointment_start,
        appointment_end=item.appointment_end,
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=item.version,
    )


def work_order_file(item: WorkOrderFile) -> out.WorkOrderFileOut:
    return out.WorkOrderFileOut(
        id=item.pk,
        kind=item.kind,
        original_name=item.original_name,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        created_at=item.created_at,
    )


def work_order_detail(item: WorkOrder, user: User) -> out.WorkOrderOut:
    summary = work_order_summary(item).model_dump()
    files = [work_order_file(f) for f in item.files.order_by("created_at", "id")]
    return out.WorkOrderOut(
        **summary,
        description=item.description,
        measure_id=item.measure_id,
        site=out.SiteOut(**site_details(user, item)),  # type: ignore[arg-type]
        site_requirements=item.site_requirements,
        required_skills=sorted(item.required_skills.values_list("code", flat=True)),
        dispatched_at=item.dispatched_at,
        accepted_at=item.accepted_at,
        departed_at=item.departed_at,
        checked_in_at=item.checked_in_at,
        checked_out_at=item.checked_out_at,
        completed_at=item.completed_at,
        customer_accepted_at=item.customer_accepted_at,
        diagnosis=item.diagnosis,
        work_done=item.work_done,
        labour_hours=f"{item.labour_hours:.2f}",
        travel_km=f"{item.travel_km:.1f}",
        status_reason=item.status_reason,
        chargeable=item.chargeable,
        quote_confirmed=item.quote_confirmed_at is not None,
        quote_declined=item.quote_declined_at is not None,
        charge_total=money_text(item.charge_total),
        files=files,
        acceptance_form=acceptance_for(item) is not None,
        actions=work_order_actions(user=user, work_order=item),
    )


def charges(item: WorkOrder) -> out.ChargesOut:
    lines: list[WorkOrderChargeLine] = list(item.charge_lines.order_by("position", "id"))
    numbers = dict(Part.objects.filter(pk__in=[x.part_ref for x in lines if x.part_ref]).values_list("pk", "number"))
    return out.ChargesOut(
        number=item.number,
        chargeable=item.chargeable,
        costed_at=item.costed_at,
        charge_total=money_text(item.charge_total),
        lines=[
            out.ChargeLineOut(
                kind=line.kind,
                description=line.shown_description,  # in the caller's language
                part_number=numbers.get(line.part_ref) if line.part_ref else None,
                serial=line.serial,
                quantity=f"{line.quantity:.2f}",
                unit_price=money_text(line.unit_price),
                charge_amount=money_text(line.charge_amount),
                free=line.free,
                reason=line.shown_reason,
            )
            for line in lines
        ],
    )


def quote(item: WorkOrder) -> out.QuoteOut:
    lines = [
        out.QuoteLineOut(
            kind=str(line.get("kind", "")),
            description=charge_text(line, "description"),
            quantity=str(line.get("quantity", "")),
            unit_price=money_text(line.get("unit_price")),
            charge_amount=money_text(line.get("charge_amount")),
            free=bool(line.get("free")),
            reason=charge_text(line, "reason"),
        )
        for line in item.quote_lines or []
    ]
    return out.QuoteOut(
        number=item.number,
        chargeable=item.chargeable,
        sent_at=item.quote_sent_at,
        total=money_text(item.quote_total),
        lines=lines,
        confirmed_at=item.quote_confirmed_at,
        confirmed_via=item.quote_confirmed_via,
        declined_at=item.quote_declined_at,
        declined_via=item.quote_declined_via,
        decline_reason=item.quote_decline_reason,
    )


def expense(item: ExpenseClaim, work_order: WorkOrder) -> out.ExpenseClaimOut:
    return out.ExpenseClaimOut(
        id=item.pk,
        work_order=work_order.number,
        technician=item.technician.get_username(),
        kind=item.kind,  # type: ignore[arg-type]
        amount=money_text(item.amount),
        note=item.note,
        receipt=bool(item.receipt),
        receipt_content_type=item.receipt_content_type,
        status=item.status,  # type: ignore[arg-type]
        decided_by=item.decided_by.get_username() if item.decided_by is not None else None,
        decided_at=item.decided_at,
        created_at=item.created_at,
    )
