"""A ticket's case file (案卷): everything the ticket page shows, as one viewer may see it.

``case_file_for`` gathers, for a ticket already fetched through the viewer's scope: the
customer as the viewer's role may see them, the product and its warranty, the current plan with
its measures (and their ids, which ``update-measure`` names), the approvals, the customer's
answers, the SLA clocks, the work orders with their visit, parts and charges, the surveys, the
attachments, the timeline, the solution dates promised and the quality acceptance
(``promises_acceptance``). What the viewer may not see is already left out or masked here — a
customer gets the public timeline (its status changes as their pages name them) and files, the
plan once it was offered to them, the promises without who gave them, their work orders' charges
but no costs, no approvals, no clocks, no quality acceptance and none of the ticket's internal
fields (their tier, the escalation level, the deadlines, responsibility and cause:
``internals``); staff without a need for personal data get the customer masked — so the
printable case file (``casefile.pdf``) and the API's ticket read (``?expand=``) present the same
content and decide nothing about visibility themselves.
"""

from __future__ import annotations

from typing import Final

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch, prefetch_related_objects
from django.utils.translation import gettext

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.masking import mask_email, mask_name
from aftersales.customers.phones import display_phone
from aftersales.feedback.models import Survey
from aftersales.fieldservice.models import WorkOrder, WorkOrderChargeLine
from aftersales.fieldservice.permissions import mask_address, site_details
from aftersales.fieldservice.selectors import ticket_work_orders
from aftersales.parts.models import Part, PartUsage
from aftersales.sla.models import ClockStatus
from aftersales.sla.selectors import sla_clocks_for_ticket
from aftersales.tickets.choices import EventKind
from aftersales.tickets.event_text import event_actor, event_text
from aftersales.tickets.models import (
    ApprovalRequest,
    Attachment,
    CustomerAgreement,
    MeasureKind,
    PlanMeasure,
    PlanStatus,
    Ticket,
    TicketEvent,
    TicketPlan,
)
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.selectors import ticket_all_attachments, ticket_process_overview, ticket_timeline
from aftersales.tickets.states import FINAL_STATUSES, TicketStatus, customer_status
from aftersales.tickets.warranty import ticket_warranty_status

from .content import (
    AcceptanceView,
    AgreementView,
    ApprovalView,
    AttachmentView,
    CaseFile,
    ChargeLineView,
    ClockView,
    EntryView,
    MeasureView,
    PartUsedView,
    Party,
    PlanView,
    SurveyView,
    TicketInternals,
    WorkOrderView,
    plan_assessment_view,
)
from .promises_acceptance import ticket_acceptance_views, ticket_promise_views

# The parts of a case file; ``case_file_for(include=…)`` reads only those asked for.
PLAN: Final = "plan"
APPROVALS: Final = "approvals"
AGREEMENTS: Final = "agreements"
SLA_CLOCKS: Final = "sla_clocks"
WORK_ORDERS: Final = "work_orders"
SURVEYS: Final = "surveys"
ATTACHMENTS: Final = "attachments"
TIMELINE: Final = "timeline"
PROMISES: Final = "promises"
RESULT_ACCEPTANCES: Final = "result_acceptances"
ALL_PARTS: Final = frozenset(
    {PLAN, APPROVALS, AGREEMENTS, SLA_CLOCKS, WORK_ORDERS, SURVEYS, ATTACHMENTS, TIMELINE, PROMISES, RESULT_ACCEPTANCES}
)
# Internal to the department: a customer's case file leaves them out (the portal shows none).
STAFF_ONLY_PARTS: Final = frozenset({APPROVALS, SLA_CLOCKS, RESULT_ACCEPTANCES})
# A plan the customer has been shown (the portal offers it at AWAITING_CUSTOMER).
PLAN_STATUSES_SHOWN_TO_CUSTOMER: Final = frozenset({PlanStatus.AWAITING_CUSTOMER, PlanStatus.AGREED, PlanStatus.DECLINED})
# What a refund or compensation measure gives the customer is theirs to know; other amounts are costs.
MEASURES_PAYING_THE_CUSTOMER: Final = frozenset({MeasureKind.REFUND, MeasureKind.COMPENSATION})


def _name(user: User | None) -> str:
    return str(user) if user is not None else ""


def _username(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


# --- The parts ----------------------------------------------------------------------------------


def _party(ticket: Ticket, viewer: User) -> Party:
    customer = ticket.customer
    address = " ".join(p for p in (ticket.province, ticket.city, ticket.district, ticket.address) if p)
    if viewer.is_customer or viewer.sees_personal_data:
        return Party(
            name=customer.name,
            tier="" if viewer.is_customer else str(customer.get_tier_display()),
            phone=display_phone(customer.phone),
            contact_name=ticket.contact_name,
            contact_phone=display_phone(ticket.contact_phone),
            contact_email=ticket.contact_email,
            address=address,
            masked=False,
        )
    area = " ".join(p for p in (ticket.province, ticket.city, ticket.district) if p)
    return Party(
        name=mask_name(customer.name),
        tier=str(customer.get_tier_display()),
        phone=display_phone(customer.phone, masked=True),
        contact_name=mask_name(ticket.contact_name),
        contact_phone=display_phone(ticket.contact_phone, masked=True),
        contact_email=mask_email(ticket.contact_email),
        address=" ".join(p for p in (area, mask_address(ticket.address)) if p),
        masked=True,
    )


def _internals(ticket: Ticket) -> TicketInternals:
    """The ticket's internal fields, for staff (never called for a customer)."""
    # The register entry in the reader's language with its code (the code a chargeback
    # statement takes), else the name recorded.
    entry = ticket.responsible_party_ref if ticket.responsible_party_ref_id else None
    party = f"{entry.label} ({entry.code})" if entry is not None else ticket.responsible_party
    responsibility = (str(ticket.get_responsibility_display() or ""), party)
    return TicketInternals(
        responsibility=" | ".join(x for x in responsibility if x),
        cause=str(ticket.get_cause_display() or ""),
        escalation_level=ticket.escalation_level,
        first_response_due_at=ticket.first_response_due_at,
        due_at=ticket.due_at,
    )


def _measure(measure: PlanMeasure, *, customer: bool) -> MeasureView:
    shows_amount = not customer or measure.kind in MEASURES_PAYING_THE_CUSTOMER
    return MeasureView(
        id=measure.pk,
        kind=measure.kind,
        kind_label=str(measure.get_kind_display()),
        description=measure.description,
        owner=None if customer else (_name(measure.owner) or None),
        owner_username=None if customer else _username(measure.owner),
        deadline=measure.deadline,
        amount=measure.amount if shows_amount else None,
        customer_charge=measure.customer_charge,
        status=measure.status,
        status_label=str(measure.get_status_display()),
        progress_note=measure.progress_note,
        done_at=measure.done_at,
    )


def _plan(plan: TicketPlan | None, measures: list[PlanMeasure], *, customer: bool) -> PlanView | None:
    if plan is None or (customer and plan.status not in PLAN_STATUSES_SHOWN_TO_CUSTOMER):
        return None
    ordered = sorted(measures, key=lambda m: (m.position, m.pk))
    return PlanView(
        id=plan.pk,
        number=plan.number,
        status=plan.status,
        status_label=str(plan.get_status_display()),
        diagnosis=plan.diagnosis,
        cost_budget=None if customer else plan.cost_budget,
        expected_completion_at=plan.expected_completion_at,
        requires_signed_agreement=plan.requires_signed_agreement,
        created_by="" if customer else _name(plan.created_by),
        created_at=plan.created_at,
        measures=[_measure(m, customer=customer) for m in ordered],
        assessment=None if customer else plan_assessment_view(plan),
    )


def _approval(item: ApprovalRequest) -> ApprovalView:
    return ApprovalView(
        id=item.pk,
        plan_number=item.plan.number,
        status=item.status,
        status_label=str(item.get_status_display()),
        approver_role=item.approver_role,
        reason=item.reason,
        requested_by=_name(item.requested_by),
        requested_at=item.requested_at,
        decided_by=_name(item.decided_by),
        decided_at=item.decided_at,
        comment=item.comment,
    )


def _agreement(item: CustomerAgreement) -> AgreementView:
    return AgreementView(
        id=item.pk,
        plan_number=item.plan.number,
        decision=item.decision,
        decision_label=str(item.get_decision_display()),
        method=item.method,
        method_label=str(item.get_method_display()),
        agreed_at=item.agreed_at,
        recorded_by=_name(item.recorded_by),
        recorded_at=item.recorded_at,
        note=item.note,
        signed_document=bool(item.document),
        document_sha256=item.document_sha256,
    )


def _clocks(ticket: Ticket) -> list[ClockView]:
    return [
        ClockView(
            metric=c.metric,
            metric_label=str(c.get_metric_display()),
            status=c.status,
            status_label=str(c.get_status_display()),
            started_at=c.started_at,
            due_at=c.due_at,
            paused=c.status == ClockStatus.PAUSED,
            paused_minutes=c.paused_minutes,
            breached=c.breached_at is not None,
            breached_at=c.breached_at,
            met_at=c.met_at,
        )
        for c in sla_clocks_for_ticket(ticket=ticket)
    ]


def _ticket_work_orders(ticket: Ticket, viewer: User) -> list[WorkOrder]:
    if viewer.is_customer:
        # The ticket is the customer's own (fetched through their scope): all its jobs.
        orders = list(WorkOrder.objects.filter(ticket=ticket).select_related("technician").order_by("created_at", "id"))
    else:
        orders = ticket_work_orders(user=viewer, ticket=ticket)  # the page's rule (a technician: their own)
    prefetch_related_objects(
        orders,
        Prefetch("charge_lines", queryset=WorkOrderChargeLine.objects.order_by("position", "id")),
        Prefetch("parts_used", queryset=PartUsage.objects.select_related("part").order_by("created_at", "id")),
        "acceptance",
    )
    return orders


def _acceptance(order: WorkOrder, *, masked: bool) -> AcceptanceView | None:
    try:
        acceptance = order.acceptance
    except ObjectDoesNotExist:
        return None
    return AcceptanceView(
        method_label=str(acceptance.get_method_display()),
        signer_name=mask_name(acceptance.signer_name) if masked else acceptance.signer_name,
        accepted_at=acceptance.accepted_at,
        comment=acceptance.comment,
    )


def _work_orders(ticket: Ticket, viewer: User) -> list[WorkOrderView]:
    orders = _ticket_work_orders(ticket, viewer)
    part_refs = {line.part_ref for order in orders for line in order.charge_lines.all() if line.part_ref}
    numbers = dict(Part.objects.filter(pk__in=part_refs).values_list("pk", "number")) if part_refs else {}
    views = []
    for order in orders:
        if viewer.is_customer:
            area, address, masked = "", "", False  # their own address: not repeated in their copy
        else:
            site = site_details(viewer, order)
            area, address, masked = str(site["area"]), str(site["address"]), bool(site["masked"])
        views.append(
            WorkOrderView(
                number=order.number,
                kind=order.kind,
                kind_label=str(order.get_kind_display()),
                status=order.status,
                status_label=str(order.get_status_display()),
                measure_id=order.measure_id,
                technician=_name(order.technician) or None,
                technician_username=None if viewer.is_customer else _username(order.technician),
                appointment_start=order.appointment_start,
                appointment_end=order.appointment_end,
                site_area=area,
                site_address=address,
                checked_in_at=order.checked_in_at,
                checked_out_at=order.checked_out_at,
                completed_at=order.completed_at,
                diagnosis=order.diagnosis,
                work_done=order.work_done,
                labour_hours=order.labour_hours,
                chargeable=order.chargeable,
                charge_total=order.charge_total,
                charge_lines=[
                    ChargeLineView(
                        kind=line.kind,
                        kind_label=str(line.get_kind_display()),
                        description=line.shown_description,  # in the reader's language
                        part_number=numbers.get(line.part_ref) if line.part_ref else None,
                        serial=line.serial,
                        quantity=line.quantity,
                        unit_price=line.unit_price,
                        charge_amount=line.charge_amount,
                        free=line.free,
                        reason=line.shown_reason,
                    )
                    for line in order.charge_lines.all()
                ],
                parts_used=[
                    PartUsedView(
                        part_number=used.part.number,
                        part_name=used.part.name,
                        quantity=used.quantity,
                        serial=used.serial,
                        removed_serial=used.removed_serial,
                        installed_on=used.installed_on,
                    )
                    for used in order.parts_used.all()
                ],
                acceptance=_acceptance(order, masked=masked),
            )
        )
    return views


def _surveys(ticket: Ticket) -> list[SurveyView]:
    return [
        SurveyView(
            round=s.round,
            status=s.status,
            status_label=str(s.get_status_display()),
            sent_at=s.sent_at,
            submitted_at=s.submitted_at,
            overall=s.overall,
            speed=s.speed,
            attitude=s.attitude,
            professionalism=s.professionalism,
            result=s.result,
            solved=s.solved,
            comment=s.comment,
            nps=s.nps,
            questions=s.asked,
        )
        for s in Survey.objects.filter(ticket=ticket).order_by("sent_at", "id")
    ]


def _attachment(item: Attachment) -> AttachmentView:
    return AttachmentView(
        id=item.pk,
        name=item.original_name,
        kind=item.kind,
        kind_label=str(item.get_kind_display()),
        content_type=item.content_type,
        size=item.size,
        sha256=item.sha256,
        public=item.public,
        uploaded_by=_name(item.uploaded_by),
        created_at=item.created_at,
    )


def _status_label(value: object, *, customer: bool = False) -> str:
    try:
        status = TicketStatus(str(value))
    except ValueError:
        return str(value or "")
    # A customer reads the status as their pages show it (awaiting acceptance: resolved).
    return str((customer_status(status) if customer else status).label)


def _entry(event: TicketEvent, names: list[str], system: str, *, customer: bool = False) -> EntryView:
    changed = event.kind == EventKind.STATUS_CHANGED
    data = event.data if isinstance(event.data, dict) else {}
    return EntryView(
        id=event.pk,
        at=event.created_at,
        kind=event.kind,
        kind_label=str(event.get_kind_display()),
        actor=event_actor(event) if event.actor_id or event.actor_label else system,
        public=event.public,
        body="" if event.kind == EventKind.ATTACHMENT else event_text(event),  # the reader's language
        status_from=_status_label(data.get("from"), customer=customer) if changed else "",
        status_to=_status_label(data.get("to"), customer=customer) if changed else "",
        attachment_names=names,
    )


def _timeline(ticket: Ticket, viewer: User, files: list[Attachment]) -> list[EntryView]:
    by_event: dict[int, list[str]] = {}
    for item in files:
        if item.event_id is not None:
            by_event.setdefault(item.event_id, []).append(item.original_name)
    system = gettext("System")
    events = ticket_timeline(ticket=ticket, user=viewer, with_attachments=False)
    return [_entry(e, by_event.get(e.pk, []), system, customer=bool(viewer.is_customer)) for e in events]


# --- The case file --------------------------------------------------------------------------------


def case_file_for(*, ticket: Ticket, viewer: User, include: frozenset[str] = ALL_PARTS) -> CaseFile:
    """Everything of ``ticket`` that ``viewer`` may see, masked for their role.

    Call only with a ticket fetched through the viewer's scope (``ticket_get_for_user``, the
    API's ``api_ticket_get``). ``include``: the parts to read (``ALL_PARTS`` by default); the
    others stay empty and cost nothing. A customer's case file never holds ``STAFF_ONLY_PARTS``."""
    unknown = include - ALL_PARTS
    if unknown:
        raise ValueError(f"unknown case-file parts: {sorted(unknown)}")
    customer = bool(viewer.is_customer)
    if customer:
        include = include - STAFF_ONLY_PARTS
    unit = ticket.product_unit if ticket.product_unit_id else None
    plan: PlanView | None = None
    approvals: list[ApprovalView] = []
    agreements: list[AgreementView] = []
    if include & {PLAN, APPROVALS, AGREEMENTS}:
        overview = ticket_process_overview(ticket=ticket)
        plan = _plan(overview.plan, overview.measures, customer=customer) if PLAN in include else None
        approvals = [_approval(a) for a in overview.approvals] if APPROVALS in include else []
        agreements = [_agreement(a) for a in overview.agreements] if AGREEMENTS in include else []
    files: list[Attachment] = []
    if include & {ATTACHMENTS, TIMELINE}:
        # Read once for both, as the ticket page does; a customer sees the public ones only.
        files = [a for a in ticket_all_attachments(ticket=ticket) if a.public or not customer]
        prefetch_related_objects(files, "uploaded_by")
    return CaseFile(
        ticket=ticket,
        viewer=viewer,
        generated_at=clock.now(),
        party=_party(ticket, viewer),
        unit=unit,
        warranty=ticket_warranty_status(ticket, clock.local_today()),
        archived=ticket.status in FINAL_STATUSES,
        actions=ticket_available_actions(user=viewer, ticket=ticket),
        included=include,
        internals=None if customer else _internals(ticket),
        plan=plan,
        approvals=approvals,
        agreements=agreements,
        sla_clocks=_clocks(ticket) if SLA_CLOCKS in include else [],
        work_orders=_work_orders(ticket, viewer) if WORK_ORDERS in include else [],
        surveys=_surveys(ticket) if SURVEYS in include else [],
        attachments=[_attachment(a) for a in files] if ATTACHMENTS in include else [],
        timeline=_timeline(ticket, viewer, files) if TIMELINE in include else [],
        promises=ticket_promise_views(ticket, customer=customer) if PROMISES in include else [],
        result_acceptances=ticket_acceptance_views(ticket) if RESULT_ACCEPTANCES in include else [],
    )
