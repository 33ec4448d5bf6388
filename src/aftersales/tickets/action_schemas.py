"""Request bodies of the ticket's process actions in API v1 (declared with each action in
``tickets.actions``), and the input types the whole API shares. Inputs refuse unknown fields
(``extra="forbid"``): a field the caller may not set is an error naming it, never dropped."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field

from aftersales.core.errors import ValidationFailed

from .choices import (
    Cause,
    Channel,
    CompanyFault,
    DemandReasonableness,
    LongTermRelationship,
    Nature,
    RepurchaseLikelihood,
    RequestType,
    Responsibility,
    Severity,
    WordOfMouthRisk,
)
from .models import AgreementMethod, MeasureKind, MeasureStatus
from .plan_assessment import PLAN_ASSESSMENT_FIELDS
from .services.first_response import CustomerContact


def _iso_text(value: Any) -> Any:
    """Dates and times come as ISO 8601 text, never as numbers (no Unix timestamps)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        raise ValueError("ISO 8601 text expected")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_text)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_text)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


Text200 = Annotated[str, Field(max_length=200)]
ShortText = Annotated[str, Field(max_length=20000)]
Rating = Annotated[int, Field(ge=1, le=5)]


class NoInput(Input):
    pass


class MissingInput(Input):
    missing: ShortText


class NoteInput(Input):
    note: ShortText = ""


class ReasonInput(Input):
    reason: ShortText


class SummaryInput(Input):
    summary: ShortText


class VerificationInput(Input):
    authentic: bool
    complete: bool
    missing: ShortText = ""
    note: ShortText = ""
    contact: CustomerContact | None = Field(
        None, description="How the customer was reached to verify (a contact is the first response); null: not contacted."
    )


class ClassifyInput(Input):
    category_code: Annotated[str, Field(max_length=32)] | None = None
    nature: Nature | None = None
    severity: Severity | None = None
    request_type: RequestType
    priority: Annotated[int, Field(ge=1, le=3)]
    safety_hazard: bool = False


class ResponsibilityInput(Input):
    responsibility: Responsibility
    party: Annotated[
        str,
        Field(
            max_length=128,
            description=(
                "The responsible party: a register code or name (GET /responsible-parties) of a kind the responsibility "
                "allows (internal: a department; third_party: a supplier, logistics company or service outlet); "
                "a name not registered yet is added to the register; ignored for the customer."
            ),
        ),
    ] = ""
    cause: Cause | None = None
    cause_detail: ShortText = ""


class MergeInput(Input):
    into: Annotated[str, Field(min_length=1, max_length=32, description="Number of the ticket to merge into.")]
    reason: ShortText = ""


class MeasureIn(Input):
    kind: MeasureKind
    description: ShortText = ""
    owner: Annotated[str, Field(max_length=150)] | None = Field(None, description="Username of the owner.")
    deadline: IsoDateTime | None = None
    amount: Annotated[Decimal, Field(ge=0, lt=Decimal("10000000000"), decimal_places=2)] = Decimal("0")
    customer_charge: Annotated[Decimal, Field(ge=0, lt=Decimal("10000000000"), decimal_places=2)] = Field(
        Decimal("0"),
        description="What the customer pays for the measure (estimate, CNY); required when the warranty does not "
        "cover a field measure. The work order charges no more without a quote the customer confirms.",
    )


class PlanInput(Input):
    diagnosis: ShortText
    measures: Annotated[list[MeasureIn], Field(min_length=1, max_length=20)]
    cost_budget: Annotated[Decimal, Field(ge=0, lt=Decimal("10000000000"), decimal_places=2)] | None = None
    expected_completion_at: IsoDateTime | None = None
    requires_signed_agreement: bool = False
    # The assessment (方案评估; docs/process.md): left out or null, a field keeps the value of the
    # plan this one replaces ("unknown" / empty for a first plan). Internal: customers never see it.
    customer_expectation: ShortText | None = Field(
        None, description="What the customer expects besides money (for a dealer: promotion, help with a new shop …)."
    )
    long_term_relationship: LongTermRelationship | None = Field(None, description="A long-term business relationship?")
    repurchase_likelihood: RepurchaseLikelihood | None = Field(None, description="Will the customer buy again?")
    word_of_mouth_risk: WordOfMouthRisk | None = Field(None, description="How far the outcome could be talked about.")
    demand_reasonableness: DemandReasonableness | None = Field(
        None, description="Is the demand reasonable, partly, unreasonable or excessive, or without factual basis?"
    )
    company_fault: CompanyFault | None = Field(None, description="Is the company at fault, and how far?")
    assessment_note: ShortText | None = None

    def assessment_arguments(self) -> dict[str, str]:
        """The assessment fields sent, as ``ticket_propose_plan``'s keyword arguments (those left
        out or null are not passed: the replaced plan's values carry over)."""
        arguments: dict[str, str] = {}
        for name in PLAN_ASSESSMENT_FIELDS:
            value = getattr(self, name)
            if value is not None:
                arguments[name] = str(value.value if isinstance(value, Enum) else value)
        return arguments


class ApprovalInput(Input):
    approve: bool
    comment: ShortText = ""


class AgreementInput(Input):
    accepted: bool
    method: AgreementMethod | None = Field(None, description="Staff only: how the customer answered.")
    agreed_at: IsoDateTime | None = Field(None, description="Staff only: when the customer answered.")
    note: ShortText = ""


class MeasureUpdateInput(Input):
    measure_id: int
    status: MeasureStatus
    progress_note: ShortText = ""


class ConfirmInput(Input):
    solved: bool
    note: ShortText = ""


def refuse_fields(fields: list[str]) -> None:
    """Refuse fields the caller sent but may not set, naming each (``field_not_allowed``)."""
    if fields:
        raise ValidationFailed({name: [_("You may not set this field.")] for name in fields}, code="field_not_allowed")


# --- Assignment (tickets.services.assignment) --------------------------------------------------


class AssignInput(Input):
    assignee: Annotated[str, Field(max_length=150)] | None = Field(
        None, description="Username of the staff member; null puts the ticket back in the unassigned queue."
    )
    note: Annotated[str, Field(max_length=2000)] = ""


# --- Correcting the details (tickets.services.details) ------------------------------------------


Text32 = Annotated[str, Field(max_length=32)]
Text64 = Annotated[str, Field(max_length=64)]
Text128 = Annotated[str, Field(max_length=128)]
Text254 = Annotated[str, Field(max_length=254)]


class CorrectDetailsInput(Input):
    """The body of ``PATCH /api/v1/tickets/{number}``: the details to correct. A field left out is
    kept as it is; null empties it (a serial number, a date …) where it may be empty."""

    channel: Channel | None = Field(
        None, description="Only between the channels an agent enters by hand: hotline, store, social, wechat, email, letter."
    )
    title: Text200 | None = None
    description: ShortText | None = None
    contact_name: Text128 | None = None
    contact_phone: Text32 | None = None
    contact_email: Text254 | None = None
    serial_number: Text64 | None = Field(None, description="Looked up in the catalog; an unknown one is kept as reported.")
    product_model_code: Text64 | None = Field(None, description="Stands in only when the serial number names no registered unit.")
    product_model: Text64 | None = Field(
        None, description="The name the ticket's read answers with, for product_model_code: send either (both: the same value)."
    )
    batch: Text64 | None = None
    purchase_date: IsoDate | None = None
    occurred_at: IsoDateTime | None = None
    province: Text32 | None = None
    city: Text32 | None = None
    district: Text32 | None = None
    address: Text200 | None = None

    def names_sent(self) -> dict[str, str]:
        """``product_model_code`` → ``product_model`` when sent under the read's name: a refusal
        names the field as sent."""
        return {"product_model_code": "product_model"} if "product_model" in self.model_fields_set else {}

    def arguments(self) -> dict[str, Any]:
        """The fields sent, as ``ticket_correct_details``'s keyword arguments (null text: empty);
        ``product_model`` is ``product_model_code`` (both with different values: refused)."""
        arguments: dict[str, Any] = {}
        values = {name: getattr(self, name) for name in self.model_fields_set}
        if "product_model" in values:
            model = values.pop("product_model")
            if values.setdefault("product_model_code", model) != model:
                both = {"field": "product_model_code", "alias": "product_model"}
                raise ValidationFailed({"product_model": [_("Send %(field)s or %(alias)s, not both.") % both]})
        for name, value in sorted(values.items()):
            if isinstance(value, Channel):
                value = value.value
            elif value is None and name not in {"purchase_date", "occurred_at"}:
                value = ""
            arguments[name] = value
        return arguments
