"""Every process action on a ticket, declared once (see ``tickets.registry`` for what a
declaration holds and who reads it).

To add a step: write its service in ``tickets/process/`` (it calls ``lock_for_action`` with the
action's name), declare it here — statuses, who, service, form, API body — and test it.
The web page, the API endpoint ``POST /api/v1/tickets/{number}/actions/<name>`` and the list of
available actions follow from this declaration. docs/architecture.md has a worked example.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import NotFound, ValidationFailed

from . import action_forms as forms
from . import action_schemas as body
from . import detail_forms, plan_forms, process
from .models import PlanMeasure, PlanStatus, Ticket, TicketCategory
from .registry import APPROVER, CUSTOMER, HANDLER, ApiCaller, TicketAction, register
from .selectors import ProcessOverview
from .selectors.assignment import claimable_by, may_assign_others
from .services.assignment import ticket_assign_to, ticket_claim
from .services.details import ticket_correct_details
from .states import FINAL_STATUSES, TicketStatus, statuses_that_allow

S = TicketStatus
HANDLERS = frozenset({HANDLER})
HANDLERS_AND_CUSTOMER = frozenset({HANDLER, CUSTOMER})
BEFORE_EXECUTION = frozenset({S.REGISTERED, S.VERIFYING, S.AWAITING_INFO, S.ANALYSING, S.PLANNING, S.REOPENED})


# --- API bodies that name things (a category, an owner, a ticket) → service arguments --------


def _category(code: str | None) -> TicketCategory | None:
    if not code:
        return None
    category = TicketCategory.objects.filter(code=code, active=True).first()
    if category is None:
        raise ValidationFailed({"category_code": [_("Choose a valid category.")]}, code="category_invalid")
    return category


def _staff_user(username: str | None, field: str) -> User | None:
    if not username:
        return None
    user = User.objects.filter(username=username, is_active=True).exclude(role=Role.CUSTOMER).first()
    if user is None:
        raise ValidationFailed({field: [_("No active staff member has this username.")]}, code="owner_invalid")
    return user


def _classify_body(payload: body.ClassifyInput, caller: ApiCaller, ticket: Ticket) -> dict[str, Any]:
    return {
        "category": _category(payload.category_code),
        "nature": payload.nature.value if payload.nature else "",
        "severity": payload.severity.value if payload.severity else "",
        "request_type": payload.request_type.value,
        "priority": payload.priority,
        "safety_hazard": payload.safety_hazard,
    }


def _responsibility_body(payload: body.ResponsibilityInput, caller: ApiCaller, ticket: Ticket) -> dict[str, Any]:
    return {
        "responsibility": payload.responsibility.value,
        "party": payload.party,
        "cause": payload.cause.value if payload.cause else "",
        "cause_detail": payload.cause_detail,
    }


def _merge_body(payload: body.MergeInput, caller: ApiCaller, ticket: Ticket) -> dict[str, Any]:
    try:
        into = caller.ticket(payload.into)
    except NotFound:  # name the field
        raise ValidationFailed({"into": [_("No ticket with this number is visible to you.")]}, code="merge_target") from None
    return {"into": into, "reason": payload.reason}


def _plan_body(payload: body.PlanInput, caller: ApiCaller, ticket: Ticket) -> dict[str, Any]:
    measures = [
        process.MeasureInput(
            kind=m.kind.value,
            description=m.description,
            owner=_staff_user(m.owner, f"measures.{i}.owner"),
            deadline=m.deadline,
            amount=m.amount,
            customer_charge=m.customer_charge,
        )
        for i, m in enumerate(payload.measures)
    ]
    return {
        "diagnosis": payload.diagnosis,
        "measures": measures,
        "cost_budget": payload.cost_budget,
        "expected_completion_at": payload.expected_completion_at,
        "requires_signed_agreement": payload.requires_signed_agreement,
        **payload.assessment_arguments(),
    }


def _agreement_body(payload: body.AgreementInput, caller: ApiCaller, ticket: Ticket) -> dict[str, Any]:
    if caller.user.is_customer:
        body.refuse_fields([name for name in ("method", "agreed_at") if name in payload.model_fields_set])
    return {
        "accepted": payload.accepted,
        "method": payload.method.value if payload.method else "",
        "agreed_at": payload.agreed_at,
        "note": payload.note,
    }


def _measure_update_body(payload: body.MeasureUpdateInput, caller: ApiCaller, ticket: Ticket) -> dict[str, Any]:
    measure = PlanMeasure.objects.filter(pk=payload.measure_id, plan__ticket=ticket, plan__is_current=True).first()
    if measure is None:
        raise ValidationFailed(
            {"measure_id": [_("No measure of this ticket's current plan has this id.")]}, code="measure_invalid"
        )
    return {"measure": measure, "status": payload.status.value, "progress_note": payload.progress_note}


def _update_measure(*, ticket: Ticket, **arguments: Any) -> object:
    # The form and the API body name one of this ticket's current measures; the service finds
    # the ticket from the measure.
    return process.ticket_update_measure(**arguments)


def _has_measures(overview: ProcessOverview) -> bool:
    return bool(overview.measures)


def _plan_in(status: PlanStatus) -> Any:
    def offered(overview: ProcessOverview) -> bool:
        return overview.plan is not None and overview.plan.status == status

    return offered


# --- The declarations, in the order of the process --------------------------------------------

# Verification (SPEC §2.2)
register(
    TicketAction(
        name="start_verification",
        statuses=frozenset({S.REGISTERED}),
        who=HANDLERS,
        service=process.ticket_start_verification,
        form=forms.StartVerificationForm,
        schema=body.NoInput,
        panel_rank=10,
    )
)
register(
    TicketAction(
        name="request_information",
        statuses=frozenset({S.VERIFYING}),
        who=HANDLERS,
        service=process.ticket_request_information,
        form=forms.RequestInformationForm,
        schema=body.MissingInput,
        panel_rank=40,
    )
)
register(
    TicketAction(
        name="receive_information",
        statuses=frozenset({S.AWAITING_INFO}),
        who=HANDLERS,
        service=process.ticket_receive_information,
        form=forms.ReceiveInformationForm,
        schema=body.NoteInput,
        panel_rank=20,
    )
)
register(
    TicketAction(
        name="record_verification",
        statuses=frozenset({S.VERIFYING}),
        who=HANDLERS,
        service=process.ticket_record_verification,
        form=forms.RecordVerificationForm,
        schema=body.VerificationInput,
        panel_rank=30,
    )
)
# Classification and responsibility (§2.3–2.4): allowed until execution; they keep the status.
register(
    TicketAction(
        name="classify",
        statuses=BEFORE_EXECUTION,
        who=HANDLERS,
        service=process.ticket_classify,
        form=forms.ClassifyForm,
        schema=body.ClassifyInput,
        from_api=_classify_body,
        panel_rank=70,
    )
)
register(
    TicketAction(
        name="set_responsibility",
        statuses=BEFORE_EXECUTION - {S.REGISTERED},
        who=HANDLERS,
        service=process.ticket_set_responsibility,
        form=forms.ResponsibilityForm,
        schema=body.ResponsibilityInput,
        from_api=_responsibility_body,
        panel_rank=80,
    )
)
# Ending a ticket early
register(
    TicketAction(
        name="reject",
        statuses=statuses_that_allow(S.REJECTED),
        who=HANDLERS,
        service=process.ticket_reject,
        form=forms.RejectForm,
        schema=body.ReasonInput,
        panel_rank=200,
    )
)
register(
    TicketAction(
        name="cancel",
        statuses=statuses_that_allow(S.CANCELLED),
        who=HANDLERS_AND_CUSTOMER,
        service=process.ticket_cancel,
        form=forms.CancelForm,
        schema=body.ReasonInput,
        panel_rank=210,
    )
)
register(
    TicketAction(
        name="merge",
        statuses=statuses_that_allow(S.MERGED),
        who=HANDLERS,
        service=process.ticket_merge,
        form=forms.MergeForm,
        schema=body.MergeInput,
        from_api=_merge_body,
        panel_rank=220,
    )
)
# Plan, approval, the customer's agreement (§2.5–2.7)
register(
    TicketAction(
        name="propose_plan",
        statuses=frozenset({S.ANALYSING, S.PLANNING, S.REOPENED}),
        who=HANDLERS,
        service=process.ticket_propose_plan,
        form=plan_forms.ProposePlanForm,
        schema=body.PlanInput,
        from_api=_plan_body,
        panel_rank=60,
    )
)
register(
    TicketAction(
        name="submit_plan",
        statuses=frozenset({S.PLANNING}),
        who=HANDLERS,
        service=process.ticket_submit_plan,
        form=forms.SubmitPlanForm,
        schema=body.NoInput,
        # A refused or declined plan is replaced by proposing a new one.
        offered=_plan_in(PlanStatus.DRAFT),
        panel_rank=50,
    )
)
register(
    TicketAction(
        name="decide_approval",
        statuses=frozenset({S.AWAITING_APPROVAL}),
        who=frozenset({APPROVER}),
        service=process.ticket_decide_approval,
        form=forms.DecideApprovalForm,
        schema=body.ApprovalInput,
        panel_rank=90,
    )
)
register(
    TicketAction(
        name="record_agreement",
        statuses=frozenset({S.AWAITING_CUSTOMER}),
        who=HANDLERS_AND_CUSTOMER,
        service=process.ticket_record_agreement,
        form=forms.RecordAgreementForm,
        schema=body.AgreementInput,
        from_api=_agreement_body,
        panel_rank=100,
    )
)
# Execution (§2.8)
register(
    TicketAction(
        name="update_measure",
        statuses=frozenset({S.IN_PROGRESS, S.ON_HOLD}),
        who=HANDLERS,
        service=_update_measure,
        form=forms.UpdateMeasureForm,
        schema=body.MeasureUpdateInput,
        from_api=_measure_update_body,
        offered=_has_measures,
        panel_rank=110,
    )
)
register(
    TicketAction(
        name="hold",
        statuses=frozenset({S.IN_PROGRESS}),
        who=HANDLERS,
        service=process.ticket_hold,
        form=forms.HoldForm,
        schema=body.ReasonInput,
        panel_rank=140,
    )
)
register(
    TicketAction(
        name="resume",
        statuses=frozenset({S.ON_HOLD}),
        who=HANDLERS,
        service=process.ticket_resume,
        form=forms.ResumeForm,
        schema=body.NoteInput,
        panel_rank=130,
    )
)
register(
    TicketAction(
        name="resolve",
        statuses=frozenset({S.IN_PROGRESS}),
        who=HANDLERS,
        service=process.ticket_resolve,
        form=forms.ResolveForm,
        schema=body.SummaryInput,
        panel_rank=120,
    )
)
# Result, satisfaction, closing, secondary processing (§2.9–2.10)
register(
    TicketAction(
        name="confirm_result",
        statuses=frozenset({S.RESOLVED, S.AWAITING_ACCEPTANCE}),
        who=HANDLERS_AND_CUSTOMER,
        service=process.ticket_confirm_result,
        form=forms.ConfirmResultForm,
        schema=body.ConfirmInput,
        panel_rank=160,
    )
)
# Answered through the survey (feedback.services.survey_submit), not through a form here.
register(TicketAction(name="rate", statuses=frozenset({S.RESOLVED, S.AWAITING_ACCEPTANCE}), who=HANDLERS_AND_CUSTOMER))
register(
    TicketAction(
        name="close",
        statuses=frozenset({S.RESOLVED}),
        who=HANDLERS,
        service=process.ticket_close,
        form=forms.CloseForm,
        schema=body.NoteInput,
        panel_rank=150,
    )
)
register(
    TicketAction(
        name="reopen",
        statuses=frozenset({S.RESOLVED, S.CLOSED}),
        who=HANDLERS,
        service=process.ticket_reopen,
        form=forms.ReopenForm,
        schema=body.ReasonInput,
        panel_rank=170,
    )
)
register(
    TicketAction(
        name="restart_analysis",
        statuses=frozenset({S.REOPENED}),
        who=HANDLERS,
        service=process.ticket_restart_analysis,
        form=forms.RestartAnalysisForm,
        panel_rank=180,
    )
)
register(
    TicketAction(
        name="resume_plan",
        statuses=frozenset({S.REOPENED}),
        who=HANDLERS,
        service=process.ticket_resume_plan,
        form=forms.ResumePlanForm,
        offered=_plan_in(PlanStatus.AGREED),
        panel_rank=190,
    )
)


# --- Assignment (tickets.services.assignment; docs/assignment.md) ------------------------------
# Allowed in every status that is not final; both sit after the process steps and before the
# ones that end a ticket early.
NOT_FINAL = frozenset(set(S) - FINAL_STATUSES)


def _assign_body(payload: body.AssignInput, caller: ApiCaller, ticket: Ticket) -> dict[str, Any]:
    return {"assignee": _staff_user(payload.assignee, "assignee"), "note": payload.note}


def _may_assign_others(ticket: Ticket, user: User) -> bool:
    return may_assign_others(user)


register(
    TicketAction(
        name="claim",
        statuses=NOT_FINAL,
        who=HANDLERS,
        service=ticket_claim,
        form=forms.ClaimForm,
        schema=body.NoInput,
        offered_to=claimable_by,  # not one's own ticket, nor another team's
        panel_rank=194,
    )
)
register(
    TicketAction(
        name="assign",
        statuses=NOT_FINAL,
        who=HANDLERS,
        service=ticket_assign_to,
        form=forms.AssignForm,
        schema=body.AssignInput,
        from_api=_assign_body,
        offered_to=_may_assign_others,
        panel_rank=195,
    )
)


# --- Correcting what intake registered (tickets.services.details; docs/process.md) ------------
# While the ticket is not archived. Its API is ``PATCH /api/v1/tickets/{number}`` (a partial
# body: what is left out is kept), not an ``/actions/`` endpoint.
register(
    TicketAction(
        name="correct_details",
        statuses=NOT_FINAL,
        who=HANDLERS,
        service=ticket_correct_details,
        form=detail_forms.CorrectDetailsForm,
        panel_rank=196,
    )
)


# --- Declared in their own modules (imported last: they may read the helpers above) ---------
from . import actions_acceptance, actions_promise  # noqa: E402, F401
