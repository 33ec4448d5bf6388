"""What a case file holds (``selectors.case_file_for`` fills it): the ticket's parts as one
viewer may see them, already cut and masked, for the PDF (``casefile.pdf``) and the API's ticket
read to present."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductUnit
from aftersales.catalog.warranty import WarrantyStatus
from aftersales.quality.acceptance_panel import AcceptanceEntry
from aftersales.tickets.models import Ticket, TicketPlan
from aftersales.tickets.plan_assessment import PLAN_ASSESSMENT_FIELDS

from .promises_acceptance import PromiseView


@dataclass(frozen=True)
class Party:
    """The customer and the caller as the viewer may see them (``masked``: for a role without a
    need for personal data)."""

    name: str
    tier: str  # "" in a customer's own copy (the tier is the department's)
    phone: str
    contact_name: str
    contact_phone: str
    contact_email: str
    address: str
    masked: bool


@dataclass(frozen=True)
class TicketInternals:
    """The department's own fields of the ticket: staff only — a customer's case file has none
    (``CaseFile.internals`` is ``None``), as the portal shows none of them."""

    responsibility: str  # the label, with the responsible party
    cause: str  # the probable cause's label
    escalation_level: int
    first_response_due_at: dt.datetime | None
    due_at: dt.datetime | None  # the resolution's


@dataclass(frozen=True)
class MeasureView:
    id: int
    kind: str
    kind_label: str
    description: str
    owner: str | None  # display name; None for a customer
    owner_username: str | None
    deadline: dt.datetime | None
    amount: Decimal | None  # the cost, or what a refund/compensation gives; None where not the viewer's to see
    customer_charge: Decimal
    status: str
    status_label: str
    progress_note: str
    done_at: dt.datetime | None


@dataclass(frozen=True)
class PlanAssessmentView:
    """The plan's assessment (方案评估) with its labels and the seed's advice: staff only — a
    customer's case file has none (``PlanView.assessment`` is ``None``)."""

    customer_expectation: str
    long_term_relationship: str
    long_term_relationship_label: str
    repurchase_likelihood: str
    repurchase_likelihood_label: str
    word_of_mouth_risk: str
    word_of_mouth_risk_label: str
    demand_reasonableness: str
    demand_reasonableness_label: str
    company_fault: str
    company_fault_label: str
    assessment_note: str
    guidance: tuple[str, ...]  # the advice's texts, in the viewer's language

    def values(self) -> dict[str, str]:
        """The assessment's fields as stored (``PLAN_ASSESSMENT_FIELDS``): the API's ``PlanOut``."""
        return {name: getattr(self, name) for name in PLAN_ASSESSMENT_FIELDS}


def plan_assessment_view(plan: TicketPlan) -> PlanAssessmentView:
    """The assessment of ``plan`` for a member of staff (never call it for a customer)."""
    return PlanAssessmentView(
        customer_expectation=plan.customer_expectation,
        long_term_relationship=plan.long_term_relationship,
        long_term_relationship_label=str(plan.get_long_term_relationship_display()),
        repurchase_likelihood=plan.repurchase_likelihood,
        repurchase_likelihood_label=str(plan.get_repurchase_likelihood_display()),
        word_of_mouth_risk=plan.word_of_mouth_risk,
        word_of_mouth_risk_label=str(plan.get_word_of_mouth_risk_display()),
        demand_reasonableness=plan.demand_reasonableness,
        demand_reasonableness_label=str(plan.get_demand_reasonableness_display()),
        company_fault=plan.company_fault,
        company_fault_label=str(plan.get_company_fault_display()),
        assessment_note=plan.assessment_note,
        guidance=tuple(str(advice.text) for advice in plan.assessment_guidance),
    )


@dataclass(frozen=True)
class PlanView:
    id: int
    number: int
    status: str
    status_label: str
    diagnosis: str
    cost_budget: Decimal | None  # None for a customer
    expected_completion_at: dt.datetime | None
    requires_signed_agreement: bool
    created_by: str
    created_at: dt.datetime
    measures: list[MeasureView]
    assessment: PlanAssessmentView | None = None  # staff only: None in a customer's case file


@dataclass(frozen=True)
class ApprovalView:
    id: int
    plan_number: int
    status: str
    status_label: str
    approver_role: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    comment: str


@dataclass(frozen=True)
class AgreementView:
    id: int
    plan_number: int
    decision: str
    decision_label: str
    method: str
    method_label: str
    agreed_at: dt.datetime
    recorded_by: str
    recorded_at: dt.datetime
    note: str
    signed_document: bool
    document_sha256: str


@dataclass(frozen=True)
class ClockView:
    metric: str
    metric_label: str
    status: str
    status_label: str
    started_at: dt.datetime
    due_at: dt.datetime
    paused: bool
    paused_minutes: int
    breached: bool
    breached_at: dt.datetime | None
    met_at: dt.datetime | None


@dataclass(frozen=True)
class ChargeLineView:
    kind: str
    kind_label: str
    description: str
    part_number: str | None
    serial: str
    quantity: Decimal
    unit_price: Decimal
    charge_amount: Decimal
    free: bool
    reason: str


@dataclass(frozen=True)
class PartUsedView:
    part_number: str
    part_name: str
    quantity: int
    serial: str
    removed_serial: str
    installed_on: dt.date


@dataclass(frozen=True)
class AcceptanceView:
    method_label: str
    signer_name: str
    accepted_at: dt.datetime
    comment: str


@dataclass(frozen=True)
class WorkOrderView:
    number: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    measure_id: int | None
    technician: str | None  # display name
    technician_username: str | None
    appointment_start: dt.datetime | None
    appointment_end: dt.datetime | None
    site_area: str
    site_address: str  # masked for a role without a need (and never shown to a customer: their own)
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    completed_at: dt.datetime | None
    diagnosis: str
    work_done: str
    labour_hours: Decimal
    chargeable: bool
    charge_total: Decimal
    charge_lines: list[ChargeLineView]
    parts_used: list[PartUsedView]
    acceptance: AcceptanceView | None


@dataclass(frozen=True)
class SurveyView:
    round: int
    status: str
    status_label: str
    sent_at: dt.datetime
    submitted_at: dt.datetime | None
    overall: int | None
    speed: int | None
    attitude: int | None
    professionalism: int | None
    result: int | None
    solved: bool | None
    comment: str
    nps: int | None = None  # the 0–10 answer, when the survey asked it
    questions: tuple[str, ...] = ()  # what the survey asked (``Survey.asked``)


@dataclass(frozen=True)
class AttachmentView:
    id: int
    name: str
    kind: str  # an ``EvidenceKind`` value: photo, invoice, purchase_proof, other
    kind_label: str  # in the reader's language
    content_type: str
    size: int
    sha256: str
    public: bool
    uploaded_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class EntryView:
    """One timeline event as the page shows it."""

    id: int
    at: dt.datetime
    kind: str
    kind_label: str
    actor: str
    public: bool
    body: str
    status_from: str  # labels of a status change, else ""
    status_to: str
    attachment_names: list[str]


@dataclass(frozen=True)
class CaseFile:
    """One ticket as ``viewer`` may see it; a part not asked for (``include``) stays empty."""

    ticket: Ticket
    viewer: User
    generated_at: dt.datetime
    party: Party
    unit: ProductUnit | None
    warranty: WarrantyStatus | None
    archived: bool
    actions: list[str]
    included: frozenset[str]
    internals: TicketInternals | None = None  # staff only
    plan: PlanView | None = None
    approvals: list[ApprovalView] = field(default_factory=list)
    agreements: list[AgreementView] = field(default_factory=list)
    sla_clocks: list[ClockView] = field(default_factory=list)
    work_orders: list[WorkOrderView] = field(default_factory=list)
    surveys: list[SurveyView] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)
    timeline: list[EntryView] = field(default_factory=list)
    promises: list[PromiseView] = field(default_factory=list)
    result_acceptances: list[AcceptanceEntry] = field(default_factory=list)  # staff only

    @property
    def for_customer(self) -> bool:
        return bool(self.viewer.is_customer)
