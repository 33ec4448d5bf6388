"""Model → response body, with personal data masked for roles that have no need to see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import pgettext_lazy

from aftersales.accounts.models import User
from aftersales.billing.selectors import CustomerCharge, customer_charges_for
from aftersales.casefile.content import CaseFile, PlanView, SurveyView, WorkOrderView
from aftersales.casefile.selectors import AGREEMENTS, APPROVALS, PLAN, SLA_CLOCKS, SURVEYS, WORK_ORDERS
from aftersales.catalog.models import ProductUnit
from aftersales.catalog.warranty import warranty_status
from aftersales.core import clock
from aftersales.core.i18n import actor_text
from aftersales.core.masking import mask_email, mask_name, mask_phone
from aftersales.customers.models import Customer
from aftersales.feedback.models import Survey
from aftersales.fieldservice.models import WorkOrder
from aftersales.parties.models import ResponsibleParty
from aftersales.tickets.choices import EventKind
from aftersales.tickets.customer_timeline import customer_wording
from aftersales.tickets.event_text import event_text
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.process.promise import ticket_current_promise
from aftersales.tickets.states import OPEN_STATUSES, TicketStatus, customer_status

from . import schemas
from .schemas_billing import WorkOrderPaymentOut


def _phone(user: User, e164: str) -> str:
    if not e164:
        return ""
    return e164 if user.sees_personal_data or user.is_customer else mask_phone(e164)


def _email(user: User, email: str) -> str:
    return email if user.sees_personal_data or user.is_customer else mask_email(email)


def _status_label(value: str | None) -> str:
    try:
        return str(TicketStatus(value or "").label)
    except ValueError:
        return str(value or "")


def ticket_summary(ticket: Ticket, *, customer: bool = False) -> schemas.TicketSummary:
    """``customer``: the status as the customer is shown it (awaiting the quality acceptance reads
    as resolved, ``states.customer_status``)."""
    status = customer_status(ticket.status) if customer else ticket.status
    return schemas.TicketSummary(
        number=ticket.number,
        title=ticket.title,
        status=status,
        status_label=_status_label(status),
        channel=ticket.channel,
        request_type=ticket.request_type,
        priority=ticket.priority,
        safety_hazard=ticket.safety_hazard,
        created_at=ticket.created_at,
        updated_at=ticket.updated_at,
        due_at=ticket.due_at,
        version=ticket.version,
        customer_id=ticket.customer_id,
    )


def ticket_detail(ticket: Ticket, user: User) -> schemas.TicketOut:
    staff = not user.is_customer
    sees = user.sees_personal_data or user.is_customer
    return schemas.TicketOut(
        **ticket_summary(ticket, customer=user.is_customer).model_dump(),
        description=ticket.description,
        category=ticket.category.code if ticket.category_id and ticket.category else None,
        contact_name=ticket.contact_name if sees else mask_name(ticket.contact_name),
        contact_phone=_phone(user, ticket.contact_phone),
        contact_email=_email(user, ticket.contact_email),
        serial_number=ticket.reported_serial,
        product_model=ticket.product_model.code if ticket.product_model_id and ticket.product_model else None,
        batch=ticket.reported_batch,
        purchase_date=ticket.reported_purchase_date,
        occurred_at=ticket.occurred_at,
        province=ticket.province,
        city=ticket.city,
        district=ticket.district,
        address=ticket.address if sees else "",
        region=ticket.region.code if ticket.region_id and ticket.region else None,
        assignee=str(ticket.assignee) if staff and ticket.assignee_id and ticket.assignee else None,
        first_response_due_at=ticket.first_response_due_at,
        expected_completion_at=ticket.expected_completion_at,
        resolved_at=ticket.resolved_at,
        closed_at=ticket.closed_at,
        actions=ticket_available_actions(user=user, ticket=ticket),
        **(_responsibility(ticket) if staff else {}),
        solution_promise=_solution_promise(ticket),
    )


def _solution_promise(ticket: Ticket) -> schemas.SolutionPromiseOut | None:
    promise = ticket_current_promise(ticket=ticket)
    if promise is None:
        return None
    return schemas.SolutionPromiseOut(
        promised_date=promise.promised_date,
        promised_time=promise.promised_time,
        deadline=promise.deadline,
        reason=promise.reason,
        revision=promise.revision,
        postponed=promise.later_than_before,
        overdue=promise.is_overdue(now=clock.now(), ticket_open=ticket.status in OPEN_STATUSES),
        given_at=promise.given_at,
    )


def party_ref(party: ResponsibleParty | None) -> schemas.ResponsiblePartyRef | None:
    if party is None:
        return None
    return schemas.ResponsiblePartyRef(code=party.code, name=party.name, kind=party.kind)


def _responsibility(ticket: Ticket) -> dict[str, Any]:
    """Who is responsible (staff only: the customer's copy leaves it out, like the case file)."""
    party = ticket.responsible_party_ref if ticket.responsible_party_ref_id else None
    return {
        "responsibility": ticket.responsibility or None,
        "responsible_party": party_ref(party),
        "responsible_party_text": ticket.responsible_party or None,
    }


def event(item: TicketEvent, user: User) -> schemas.EventOut | None:
    """A timeline entry; for a customer as the portal words it (``customer_event``): ``None``
    for an event the customer never reads."""
    if user.is_customer:
        return customer_event(item, user)
    data = item.data if isinstance(item.data, dict) else {}
    changed = item.kind == EventKind.STATUS_CHANGED
    # A code ("system", "channel:hotline") in the caller's language (Accept-Language), a name as it is.
    actor = actor_text(item.actor_label) if item.actor_label else (str(item.actor) if item.actor_id else actor_text(""))
    return schemas.EventOut(
        id=item.pk,
        kind=item.kind,
        kind_label=str(EventKind(item.kind).label) if item.kind in EventKind.values else item.kind,
        public=item.public,
        body=event_text(item),  # the system's words in the caller's language (Accept-Language)
        actor=actor,
        created_at=item.created_at,
        status_from=str(data.get("from")) if changed and data.get("from") else None,
        status_to=str(data.get("to")) if changed and data.get("to") else None,
        attachment_ids=[a.pk for a in item.attachments.all()] if hasattr(item, "attachments") else [],
    )


_ACTOR_YOU = pgettext_lazy("timeline actor", "You")
_ACTOR_US = pgettext_lazy("timeline actor", "Our service team")


def customer_event(item: TicketEvent, user: User) -> schemas.EventOut | None:
    """A public event as the customer reads it on the portal (``tickets.customer_timeline``):
    the step's phrase, the text they read with it (a message, a file's name), and "you" or "our
    service team" as the actor — never a staff member's name nor the department's own words."""
    wording = customer_wording(item)
    if wording is None:
        return None
    data = item.data if isinstance(item.data, dict) else {}
    changed = item.kind == EventKind.STATUS_CHANGED
    return schemas.EventOut(
        id=item.pk,
        kind=item.kind,
        kind_label=wording.phrase,
        public=True,
        body=wording.text or wording.phrase,
        actor=str(_ACTOR_YOU if item.actor_id is not None and item.actor_id == user.pk else _ACTOR_US),
        created_at=item.created_at,
        status_from=str(data.get("from")) if changed and data.get("from") else None,
        status_to=str(data.get("to")) if changed and data.get("to") else None,
        attachment_ids=[a.pk for a in item.attachments.all() if a.public] if hasattr(item, "attachments") else [],
    )


def timeline(items: list[TicketEvent], user: User) -> list[schemas.EventOut]:
    """The entries of a timeline the caller reads (a customer: only the steps the portal shows)."""
    return [entry for item in items if (entry := event(item, user)) is not None]


def attachment(item: Attachment) -> schemas.AttachmentOut:
    return schemas.AttachmentOut(
        id=item.pk,
        original_name=item.original_name,
        kind=item.kind,
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        public=item.public,
        created_at=item.created_at,
        download_url=reverse("api-v1:attachment_download", kwargs={"attachment_id": item.pk}),
    )


def customer(item: Customer, user: User) -> schemas.CustomerOut:
    sees = user.sees_personal_data
    return schemas.CustomerOut(
        id=item.pk,
        kind=item.kind,
        name=item.name if sees else mask_name(item.name),
        external_code=item.external_code,
        phone=_phone(user, item.phone),
        email=_email(user, item.email),
        tier=item.tier,
        region=item.region.code if item.region_id and item.region else None,
        language=item.language,
        consent_contact=item.consent_contact,
        consent_marketing=item.consent_marketing,
        notes=item.notes if sees else "",
        erased=item.erased_at is not None,
        email_bounced_at=item.email_bounced_at,
        version=item.version,
        created_at=item.created_at,
    )


def unit(item: ProductUnit, on: dt.date) -> schemas.UnitOut:
    status = warranty_status(item, on)
    return schemas.UnitOut(
        serial_number=item.serial_number,
        model_code=item.model.code,
        model_name=item.model.name,
        category=str(item.model.category),
        batch=item.batch,
        production_date=item.production_date,
        purchase_date=item.purchase_date,
        warranty=schemas.WarrantyOut(
            state=str(status.state.value),
            label=status.label,
            reason=status.reason,
            on=on,
            starts_on=status.starts_on,
            ends_on=status.ends_on,
            covers_parts=status.covers_parts,
            covers_labour=status.covers_labour,
        ),
    )


def survey(item: Survey) -> schemas.SurveyOut:
    return schemas.SurveyOut(
        status=item.status,
        round=item.round,
        sent_at=item.sent_at,
        submitted_at=item.submitted_at,
        overall=item.overall,
        speed=item.speed,
        attitude=item.attitude,
        professionalism=item.professionalism,
        result=item.result,
        solved=item.solved,
        nps=item.nps,
        comment=item.comment,
        questions=list(item.asked),
    )


# --- The ticket read's expansions (the case file's parts: casefile.selectors) ---------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def _plan(plan: PlanView) -> schemas.PlanOut:
    return schemas.PlanOut(
        id=plan.id,
        number=plan.number,
        status=plan.status,
        status_label=plan.status_label,
        diagnosis=plan.diagnosis,
        cost_budget=_money(plan.cost_budget),
        expected_completion_at=plan.expected_completion_at,
        requires_signed_agreement=plan.requires_signed_agreement,
        created_at=plan.created_at,
        **(plan.assessment.values() if plan.assessment is not None else {}),
        measures=[
            schemas.MeasureOut(
                id=m.id,
                kind=m.kind,
                kind_label=m.kind_label,
                description=m.description,
                owner=m.owner_username,
                owner_name=m.owner,
                deadline=m.deadline,
                amount=_money(m.amount),
                customer_charge=f"{m.customer_charge:.2f}",
                status=m.status,
                status_label=m.status_label,
                progress_note=m.progress_note,
                done_at=m.done_at,
            )
            for m in plan.measures
        ],
    )


def _payment(charge: CustomerCharge | None) -> WorkOrderPaymentOut | None:
    if charge is None:
        return None
    return WorkOrderPaymentOut(
        status=charge.status,
        status_label=charge.status_label,
        amount=f"{charge.amount:.2f}",
        paid=f"{charge.paid:.2f}",
        outstanding=f"{charge.outstanding:.2f}",
        awaiting_confirmation=f"{charge.awaiting_confirmation:.2f}",
        paid_at=charge.paid_at,
        invoice_kind=charge.invoice_kind,
        invoice_number=charge.invoice_number,
        invoice_issued_on=charge.invoice_issued_on,
        invoice_amount=_money(charge.invoice_amount),
    )


def _work_order(wo: WorkOrderView, charge: CustomerCharge | None = None) -> schemas.TicketWorkOrderOut:
    return schemas.TicketWorkOrderOut(
        number=wo.number,
        kind=wo.kind,
        kind_label=wo.kind_label,
        status=wo.status,
        status_label=wo.status_label,
        measure_id=wo.measure_id,
        technician=wo.technician_username,
        technician_name=wo.technician,
        appointment_start=wo.appointment_start,
        appointment_end=wo.appointment_end,
        checked_in_at=wo.checked_in_at,
        checked_out_at=wo.checked_out_at,
        completed_at=wo.completed_at,
        chargeable=wo.chargeable,
        charge_total=f"{wo.charge_total:.2f}",
        charges=[
            schemas.TicketChargeLineOut(
                kind=line.kind,
                description=line.description,
                part_number=line.part_number,
                quantity=f"{line.quantity:.2f}",
                unit_price=f"{line.unit_price:.2f}",
                charge_amount=f"{line.charge_amount:.2f}",
                free=line.free,
                reason=line.reason,
            )
            for line in wo.charge_lines
        ],
        payment=_payment(charge),
    )


def _survey_view(item: SurveyView) -> schemas.SurveyOut:
    return schemas.SurveyOut(
        status=item.status,
        round=item.round,
        sent_at=item.sent_at,
        submitted_at=item.submitted_at,
        overall=item.overall,
        speed=item.speed,
        attitude=item.attitude,
        professionalism=item.professionalism,
        result=item.result,
        solved=item.solved,
        nps=item.nps,
        comment=item.comment,
        questions=list(item.questions),
    )


def ticket_read(ticket: Ticket, user: User, case: CaseFile | None = None) -> schemas.TicketReadOut:
    """The ticket and the parts of ``case`` it was read with (``case.included``); the parts not
    asked for are left unset, so the answer (``exclude_unset``) leaves them out."""
    expanded: dict[str, Any] = {}
    parts = case.included if case is not None else frozenset()
    if case is not None and PLAN in parts:
        expanded["plan"] = _plan(case.plan) if case.plan is not None else None
    if case is not None and APPROVALS in parts:
        expanded["approvals"] = [schemas.ApprovalOut(**vars(a)) for a in case.approvals]
    if case is not None and AGREEMENTS in parts:
        expanded["agreements"] = [
            schemas.AgreementOut(**{k: v for k, v in vars(a).items() if k != "document_sha256"}) for a in case.agreements
        ]
    if case is not None and SLA_CLOCKS in parts:
        expanded["sla_clocks"] = [schemas.SlaClockOut(**vars(c)) for c in case.sla_clocks]
    if case is not None and WORK_ORDERS in parts:
        # Each charged job's payment (billing's receivable, as its customer reads it): one read.
        ids = dict(WorkOrder.objects.filter(ticket_id=ticket.pk).values_list("number", "pk"))
        charges = customer_charges_for(list(ids.values()))
        expanded["work_orders"] = [_work_order(wo, charges.get(ids.get(wo.number, 0))) for wo in case.work_orders]
    if case is not None and SURVEYS in parts:
        expanded["surveys"] = [_survey_view(s) for s in case.surveys]
    return schemas.TicketReadOut(**ticket_detail(ticket, user).model_dump(), **expanded)
