"""Request and response bodies of API v1. Inputs refuse unknown fields (``extra="forbid"``):
a field the caller may not set is an error naming it, never silently dropped."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, StrictBool

# The shared input types are declared with the process actions' bodies (tickets.action_schemas)
# and re-exported here for the rest of the API.
from aftersales.tickets.action_schemas import (  # noqa: F401 - re-exported
    AgreementInput,
    ApprovalInput,
    ClassifyInput,
    ConfirmInput,
    Input,
    IsoDate,
    IsoDateTime,
    MeasureIn,
    MeasureUpdateInput,
    MergeInput,
    MissingInput,
    NoInput,
    NoteInput,
    PlanInput,
    Rating,
    ReasonInput,
    ResponsibilityInput,
    ShortText,
    SummaryInput,
    Text200,
    VerificationInput,
)
from aftersales.tickets.choices import Channel, RequestType
from aftersales.tickets.states import TicketStatus

from .schemas_billing import WorkOrderPaymentOut

# --- Problems and pagination -------------------------------------------------------------------


class ProblemField(Schema):
    field: str
    message: str
    code: str | None = None


class Problem(Schema):
    """RFC 9457 problem details; ``code`` is stable, ``detail`` in the caller's language."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemField] = []


# --- Tickets -----------------------------------------------------------------------------------


READ_NAME = "The name the ticket's read answers with, for {field}: send either (both: the same value)."


class TicketCreate(Input):
    """What an app, WeChat backend or CRM submits. The contact's name and a phone or an email are
    required. The contact and the model may be sent under the names the read answers with
    (``contact_name``, ``contact_phone``, ``contact_email``, ``product_model``)."""

    customer_name: Annotated[str, Field(min_length=1, max_length=128)] | None = Field(
        None, description="The contact's name (required: this or contact_name)."
    )
    contact_name: Annotated[str, Field(min_length=1, max_length=128)] | None = Field(
        None, description=READ_NAME.format(field="customer_name")
    )
    description: Annotated[str, Field(min_length=1, max_length=20000)]
    channel: Channel = Channel.API
    request_type: RequestType = RequestType.REPAIR
    title: Text200 = ""
    phone: Annotated[str, Field(max_length=32)] = ""
    contact_phone: Annotated[str, Field(max_length=32)] | None = Field(None, description=READ_NAME.format(field="phone"))
    email: Annotated[str, Field(max_length=254)] = ""
    contact_email: Annotated[str, Field(max_length=254)] | None = Field(None, description=READ_NAME.format(field="email"))
    serial_number: Annotated[str, Field(max_length=64)] = ""
    product_model_code: Annotated[str, Field(max_length=64)] = ""
    product_model: Annotated[str, Field(max_length=64)] | None = Field(
        None, description=READ_NAME.format(field="product_model_code")
    )
    batch: Annotated[str, Field(max_length=64)] = ""
    purchase_date: IsoDate | None = None
    occurred_at: IsoDateTime | None = None
    province: Annotated[str, Field(max_length=32)] = ""
    city: Annotated[str, Field(max_length=32)] = ""
    district: Annotated[str, Field(max_length=32)] = ""
    address: Annotated[str, Field(max_length=200)] = ""
    category_code: Annotated[str, Field(max_length=32)] | None = Field(None, description="Staff callers only.")
    priority: Annotated[int, Field(ge=1, le=3)] | None = Field(
        None, description="1 urgent, 2 important, 3 normal. Staff callers only."
    )
    safety_hazard: bool = False


class TicketSummary(Schema):
    number: str
    title: str
    status: str
    status_label: str
    channel: str
    request_type: str
    priority: int
    safety_hazard: bool
    created_at: dt.datetime
    updated_at: dt.datetime
    due_at: dt.datetime | None
    version: int
    customer_id: int = Field(description="The customer's id (GET /customers/{customer_id}: staff).")


class ResponsiblePartyRef(Schema):
    code: str = Field(description="The party's code in the register (GET /responsible-parties).")
    name: str
    kind: str = Field(description="department, supplier, logistics or service_outlet.")


class SolutionPromiseOut(Schema):
    promised_date: dt.date
    promised_time: dt.time | None = Field(description="The time on the promised date, when one was given.")
    deadline: dt.datetime = Field(description="The moment the promise is kept until (the next midnight when no time was given).")
    reason: str = Field(description="Why it takes this long, as told to the customer.")
    revision: int = Field(description="1 for the first promise, 2 for its first revision …")
    postponed: bool = Field(description="This revision is later than the promise it replaced.")
    overdue: bool = Field(description="The deadline passed while the ticket is not resolved.")
    given_at: dt.datetime


class TicketOut(TicketSummary):
    description: str
    category: str | None
    contact_name: str
    contact_phone: str = Field(description="Masked for roles without need (138****5678).")
    contact_email: str
    serial_number: str
    product_model: str | None
    batch: str = Field(description="The production batch as reported (PATCH: batch).")
    purchase_date: dt.date | None = Field(description="The purchase date as reported (PATCH: purchase_date).")
    occurred_at: dt.datetime | None = Field(description="When the problem happened, as reported (PATCH: occurred_at).")
    province: str
    city: str
    district: str
    address: str
    region: str | None
    assignee: str | None
    first_response_due_at: dt.datetime | None
    expected_completion_at: dt.datetime | None = Field(description="When the agreed plan is expected to be done.")
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    actions: list[str] = Field(description="Process actions the caller may take now.")
    responsibility: str | None = Field(
        None,
        description="Staff callers: internal, third_party, customer, supplier, logistics or service_outlet; null when not decided.",
    )
    responsible_party: ResponsiblePartyRef | None = Field(
        None, description="Staff callers: the responsible party from the register; null when none is linked."
    )
    responsible_party_text: str | None = Field(
        None, description="Staff callers: the party's name as recorded when responsibility was set (history)."
    )
    solution_promise: SolutionPromiseOut | None = Field(
        None, description="The solution date promised to the customer (docs/sla.md); null before one."
    )


class TicketPage(Schema):
    items: list[TicketSummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null on the last page.")
    total: int


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    public: bool
    body: str
    actor: str
    created_at: dt.datetime
    status_from: str | None = None
    status_to: str | None = None
    attachment_ids: list[int] = []


class ReplyCreate(Input):
    body: Annotated[str, Field(min_length=1, max_length=20000)]
    kind: Literal["note", "message_out", "call"] | None = Field(
        None, description="Staff only: note (internal, default), message_out (to the customer) or call."
    )


class AttachmentOut(Schema):
    id: int
    original_name: str
    kind: str = Field(description="What the file is: photo (a photo or video), invoice, purchase_proof or other.")
    content_type: str
    size: int
    sha256: str
    public: bool
    created_at: dt.datetime
    download_url: str


# --- Process actions ---------------------------------------------------------------------------


class ActionsOut(Schema):
    number: str
    version: int
    status: str
    actions: list[str]


# --- Customers, catalog, surveys ----------------------------------------------------------------


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    external_code: str = Field(description="The customer's code in the company's own systems (ERP, CRM); empty when none.")
    phone: str = Field(description="Masked for roles without need.")
    email: str
    tier: str
    region: str | None
    language: str
    consent_contact: bool = Field(description="Consents to service contact (the history: the customer's copy of their data).")
    consent_marketing: bool = Field(description="Consents to offers and news.")
    notes: str = Field(description="Staff's notes; empty for roles without need of personal data.")
    erased: bool = Field(description="The personal data was erased (PIPL): nothing of it is left to change.")
    email_bounced_at: dt.datetime | None = Field(
        None,
        description="Read-only. When the e-mail address bounced for good (customer e-mails skip it until it changes); null when it works.",
    )
    version: int = Field(description='Raised on every change; the ETag is "v<version>".')
    created_at: dt.datetime


class CustomerIn(Input):
    name: str = Field(..., max_length=128)
    kind: Literal["person", "company"] = "person"
    phone: str = Field("", max_length=32, description="Any way people type it (159 8306 7670, +86…); stored in E.164.")
    email: str = Field("", max_length=254)
    external_code: str = Field("", max_length=64, description="The customer's number in the company's own systems; unique.")
    tier: Literal["key", "long_term", "normal"] = Field(
        "normal", description="Other than normal: supervisors and administrators."
    )
    language: Literal["zh-hans", "en"] = "zh-hans"
    notes: str = Field("", max_length=4000)
    consent_contact: StrictBool = True  # true or false, not 0/1 or "yes"
    consent_marketing: StrictBool = False
    province: str = Field("", max_length=32, description="An address (optional): province, city and street together.")
    city: str = Field("", max_length=32)
    district: str = Field("", max_length=32)
    detail: str = Field("", max_length=200, description="The street address.")
    postal_code: str = Field("", max_length=12)


class CustomerPatch(Input):
    """Only the fields sent change; "" clears the phone, the email, the code or the notes."""

    name: str | None = Field(None, max_length=128)
    kind: Literal["person", "company"] | None = None
    phone: str | None = Field(None, max_length=32)
    email: str | None = Field(None, max_length=254)
    external_code: str | None = Field(None, max_length=64)
    tier: Literal["key", "long_term", "normal"] | None = Field(None, description="Supervisors and administrators.")
    language: Literal["zh-hans", "en"] | None = None
    notes: str | None = Field(None, max_length=4000)
    consent_contact: StrictBool | None = Field(None, description="Recorded as a statement given to staff (a consent record).")
    consent_marketing: StrictBool | None = None


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class WarrantyOut(Schema):
    state: str = Field(description="in, out or unknown")
    label: str
    reason: str
    on: dt.date
    starts_on: dt.date | None
    ends_on: dt.date | None
    covers_parts: bool
    covers_labour: bool


class UnitOut(Schema):
    serial_number: str
    model_code: str
    model_name: str
    category: str
    batch: str
    production_date: dt.date | None
    purchase_date: dt.date | None
    warranty: WarrantyOut


class SurveyOut(Schema):
    status: str
    round: int
    sent_at: dt.datetime
    submitted_at: dt.datetime | None
    overall: int | None
    speed: int | None
    attitude: int | None
    professionalism: int | None
    result: int | None
    solved: bool | None
    nps: int | None
    comment: str
    questions: list[str] = Field(description="What this survey asks, in order (solved, the 1–5 aspects, nps).")


class SurveyAnswer(Input):
    """The answers to the questions the survey asks (``questions`` on the survey read; its settings
    may leave out any of them: docs/surveys.md). Overall and "solved?" are required when asked; an
    answer to a question not asked is a 422 naming it."""

    overall: Rating | None = None
    solved: bool | None = None
    nps: Annotated[int, Field(ge=0, le=10, description="How likely to recommend us, 0–10 (when asked).")] | None = None
    speed: Rating | None = None
    attitude: Rating | None = None
    professionalism: Rating | None = None
    result: Rating | None = None
    comment: Annotated[str, Field(max_length=5000)] = ""


# --- The ticket read's expansions (GET /tickets/{number}?expand=…; casefile.selectors) -----------

MONEY = "Amount in CNY as text with two decimals."


class TicketExpand(StrEnum):
    """What ``GET /tickets/{number}?expand=`` adds to the ticket (repeat for several)."""

    PLAN = "plan"
    APPROVALS = "approvals"
    AGREEMENTS = "agreements"
    SLA_CLOCKS = "sla_clocks"
    WORK_ORDERS = "work_orders"
    SURVEYS = "surveys"


class MeasureOut(Schema):
    id: int = Field(description="Send as measure_id to POST /tickets/{number}/actions/update-measure.")
    kind: str
    kind_label: str
    description: str
    owner: str | None = Field(description="Username of the staff member who carries it out; null for a customer.")
    owner_name: str | None
    deadline: dt.datetime | None
    amount: str | None = Field(
        description=f"{MONEY} The department's cost, or what a refund or compensation gives the customer; "
        "null where it is not the caller's to see."
    )
    customer_charge: str = Field(description=f"{MONEY} What the customer pays for it (0.00: free).")
    status: str
    status_label: str
    progress_note: str
    done_at: dt.datetime | None


class PlanOut(Schema):
    id: int
    number: int
    status: str
    status_label: str
    diagnosis: str
    cost_budget: str | None = Field(description=f"{MONEY} Null for a customer.")
    expected_completion_at: dt.datetime | None
    requires_signed_agreement: bool
    created_at: dt.datetime
    measures: list[MeasureOut]
    # The assessment (方案评估): staff only — null for a customer's key.
    customer_expectation: str | None = Field(None, description="Staff only: what the customer expects besides money.")
    long_term_relationship: str | None = Field(None, description="Staff only: yes, no or unknown.")
    repurchase_likelihood: str | None = Field(
        None, description="Staff only: the chance of another purchase: high, medium, low or unknown."
    )
    word_of_mouth_risk: str | None = Field(None, description="Staff only: high, medium, low or unknown.")
    demand_reasonableness: str | None = Field(
        None, description="Staff only: reasonable, partly, unreasonable, unfounded (no factual basis) or unknown."
    )
    company_fault: str | None = Field(None, description="Staff only: none, minor, partial, major, full or unknown.")
    assessment_note: str | None = Field(None, description="Staff only.")


class ApprovalOut(Schema):
    id: int
    plan_number: int
    status: str = Field(description="pending, approved or refused")
    status_label: str
    approver_role: str
    reason: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str
    decided_at: dt.datetime | None
    comment: str


class AgreementOut(Schema):
    id: int
    plan_number: int
    decision: str = Field(description="accepted or declined")
    decision_label: str
    method: str
    method_label: str
    agreed_at: dt.datetime
    recorded_by: str
    recorded_at: dt.datetime
    note: str
    signed_document: bool


class SlaClockOut(Schema):
    metric: str = Field(description="first_response, solution or resolution")
    metric_label: str
    status: str = Field(description="running, paused, met or stopped")
    status_label: str
    started_at: dt.datetime
    due_at: dt.datetime = Field(description="The deadline, paused working time included.")
    paused: bool
    paused_minutes: int
    breached: bool
    breached_at: dt.datetime | None
    met_at: dt.datetime | None


class TicketChargeLineOut(Schema):
    kind: str
    description: str
    part_number: str | None
    quantity: str
    unit_price: str = Field(description=MONEY)
    charge_amount: str = Field(description=MONEY)
    free: bool
    reason: str = Field(description="Why the line is free or charged.")


class TicketWorkOrderOut(Schema):
    number: str = Field(description="GET /work-orders/{number} for the whole work order.")
    kind: str
    kind_label: str
    status: str
    status_label: str
    measure_id: int | None
    technician: str | None = Field(description="Username of the technician the job is dispatched to.")
    technician_name: str | None
    appointment_start: dt.datetime | None
    appointment_end: dt.datetime | None
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    completed_at: dt.datetime | None
    chargeable: bool
    charge_total: str = Field(description=MONEY)
    charges: list[TicketChargeLineOut]
    payment: WorkOrderPaymentOut | None = Field(
        None, description="Whether the charge is paid, once the finished job is charged; null for a free job."
    )


class TicketReadOut(TicketOut):
    """The ticket, with what ``expand`` asked for; a part not asked for is absent."""

    plan: PlanOut | None = Field(
        None, description="expand=plan: the current plan and its measures; null without one (a customer: until it is offered)."
    )
    approvals: list[ApprovalOut] | None = Field(None, description="expand=approvals (staff): every approval request.")
    agreements: list[AgreementOut] | None = Field(None, description="expand=agreements: the customer's answers to plans.")
    sla_clocks: list[SlaClockOut] | None = Field(None, description="expand=sla_clocks (staff): the service-level clocks.")
    work_orders: list[TicketWorkOrderOut] | None = Field(
        None, description="expand=work_orders (scope workorders:read): the work orders you may see, with their charges."
    )
    surveys: list[SurveyOut] | None = Field(None, description="expand=surveys (scope surveys:read): every survey, oldest first.")


class MeOut(Schema):
    username: str
    display_name: str
    role: str
    customer: bool
    customer_id: int | None = Field(
        description="A customer's own customer record (PUT /customers/{customer_id}/wechat); null for staff."
    )
    via: str = Field(description="api_key or session")
    key_prefix: str | None
    scopes: list[str]
    region: str | None


STATUS_VALUES = tuple(TicketStatus.values)
