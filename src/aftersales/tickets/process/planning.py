"""The solution plan, its approval and the customer's agreement (SPEC §2.5–2.7)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import IO

from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred

from ..attachments import sniff_upload
from ..audit_actions import TicketAudit
from ..effects import PLAN_ANSWERED, PLAN_OFFERED
from ..models import (
    AgreementDecision,
    AgreementMethod,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStatus,
    CustomerAgreement,
    PlanMeasure,
    PlanStatus,
    Ticket,
    TicketPlan,
)
from ..plan_states import APPROVAL_MOVES, PLAN_MOVES
from ..selectors import tickets_visible_to
from ..services.first_response import FirstResponseVia, ticket_record_first_response
from ..states import TicketStatus
from .assessment import plan_assessment_values
from .common import lock_for_action, move, optional_text, required_text, save_fields, timeline
from .measures import MeasureInput, money_amount, ticket_plan_warranty, validate_measures
from .notify import notify_customer, notify_staff_users, ticket_link

S = TicketStatus


def ticket_current_plan(*, ticket: Ticket) -> TicketPlan | None:
    """The ticket's current plan with its measures, or ``None`` before the first proposal."""
    return TicketPlan.objects.filter(ticket=ticket, is_current=True).prefetch_related("measures").first()


@transaction.atomic
def ticket_propose_plan(
    *,
    ticket: Ticket,
    actor: User,
    diagnosis: str,
    measures: list[MeasureInput],
    cost_budget: Decimal | None = None,
    expected_completion_at: dt.datetime | None = None,
    requires_signed_agreement: bool = False,
    customer_expectation: str | None = None,
    long_term_relationship: str | None = None,
    repurchase_likelihood: str | None = None,
    word_of_mouth_risk: str | None = None,
    demand_reasonableness: str | None = None,
    company_fault: str | None = None,
    assessment_note: str | None = None,
    expected_version: int | None = None,
) -> TicketPlan:
    """Write a new plan (diagnosis, measures with owner, deadline and amount, budget, expected
    completion, the assessment). It becomes the ticket's current plan; an earlier one is superseded.
    The ticket moves to PLANNING. Nothing is sent yet: ``ticket_submit_plan`` does that.
    An assessment value left out (``None``) is the replaced plan's (``plan_assessment_values``).
    """
    diagnosis_text = required_text(diagnosis, field="diagnosis", message=_("Write the diagnosis."))
    if cost_budget is not None:
        money_amount(cost_budget, field="cost_budget")
    if expected_completion_at is not None and timezone.is_naive(expected_completion_at):
        raise ValidationFailed({"expected_completion_at": [_("Give the time with its time zone.")]}, code="naive_datetime")
    locked = lock_for_action(ticket=ticket, actor=actor, action="propose_plan", expected_version=expected_version)
    # Owners and charges are checked against the locked ticket (its region, team and unit).
    warranty = ticket_plan_warranty(ticket=locked)
    cleaned = validate_measures(measures, ticket=locked, warranty=warranty)
    total = sum((amount for _measure, amount, _charge in cleaned), Decimal("0"))
    budget = total if cost_budget is None else money_amount(cost_budget, field="cost_budget")
    customer_pays = sum((charge for _measure, _amount, charge in cleaned), Decimal("0"))
    now = clock.now()
    previous = TicketPlan.objects.select_for_update().filter(ticket=locked, is_current=True).first()
    given = {
        "customer_expectation": customer_expectation,
        "long_term_relationship": long_term_relationship,
        "repurchase_likelihood": repurchase_likelihood,
        "word_of_mouth_risk": word_of_mouth_risk,
        "demand_reasonableness": demand_reasonableness,
        "company_fault": company_fault,
        "assessment_note": assessment_note,
    }
    assessment = plan_assessment_values(given=given, previous=previous)
    if previous is not None:
        # A new proposal refuses the old plan's pending approval (pending → refused in APPROVAL_MOVES).
        ApprovalRequest.objects.filter(plan=previous, status=ApprovalStatus.PENDING).update(status=ApprovalStatus.REFUSED)
        TicketPlan.objects.filter(pk=previous.pk).update(is_current=False)
        if PLAN_MOVES.allows(previous.status, PlanStatus.SUPERSEDED):
            _set_plan_status(previous, PlanStatus.SUPERSEDED, actor=actor)
    number = (TicketPlan.objects.filter(ticket=locked).aggregate(last=Max("number"))["last"] or 0) + 1
    plan = TicketPlan.objects.create(
        ticket=locked,
        number=number,
        diagnosis=diagnosis_text,
        cost_budget=budget,
        expected_completion_at=expected_completion_at,
        requires_signed_agreement=requires_signed_agreement,
        **assessment,
        created_by=actor,
        created_at=now,
    )
    PlanMeasure.objects.bulk_create(
        PlanMeasure(
            plan=plan,
            kind=measure.kind,
            description=(measure.description or "").strip(),
            owner=measure.owner,
            deadline=measure.deadline,
            amount=amount,
            customer_charge=charge,
            position=index,
        )
        for index, (measure, amount, charge) in enumerate(cleaned)
    )
    audit_record(
        action=TicketAudit.PLAN_PROPOSED,
        obj=plan,
        actor=actor,
        changes={
            "number": number,
            "cost_budget": str(budget),
            "measures": [m.kind for m, _a, _c in cleaned],
            "customer_pays": str(customer_pays),
            "warranty": str(warranty.state),
            "assessment": assessment,
        },
    )
    # The assessment stays out of the timeline: it is internal, the audit row keeps it.
    locked = save_fields(
        ticket=locked,
        actor=actor,
        action="plan_proposed",
        changes={"expected_completion_at": expected_completion_at},
        body=diagnosis_text,
        data={
            "plan": number,
            "measures": [m.kind for m, _a, _c in cleaned],
            "cost_budget": str(budget),
            "customer_pays": str(customer_pays),
            "warranty": str(warranty.state),
        },
    )
    move(ticket=locked, to=S.PLANNING, actor=actor, text=deferred(_("Plan %(number)d proposed."), number=number), public=False)
    plan.refresh_from_db()
    return plan


def _set_plan_status(plan: TicketPlan, to: PlanStatus, *, actor: User | None) -> None:
    """The one door for a plan's status: the move must be in ``PLAN_MOVES``; audited."""
    before = plan.status
    PLAN_MOVES.check(before, to)
    TicketPlan.objects.filter(pk=plan.pk).update(status=to)
    plan.status = to
    audit_record(action=TicketAudit.PLAN_STATUS_CHANGED, obj=plan, actor=actor, changes={"status": [str(before), str(to)]})


def _matching_rules(plan: TicketPlan) -> list[ApprovalRule]:
    measures = list(plan.measures.exclude(status="cancelled"))
    matched = []
    for rule in ApprovalRule.objects.filter(active=True).order_by("id"):
        if rule.measure_kind:
            if any(m.kind == rule.measure_kind and m.amount >= rule.min_amount for m in measures):
                matched.append(rule)
        elif plan.cost_budget >= rule.min_amount:
            matched.append(rule)
    return matched


def measure_approval_rules(*, kind: str, amount: Decimal) -> list[ApprovalRule]:
    """The active rules of ``kind`` that ``amount`` reaches (the same thresholds as the plan's;
    the compensation app asks them again for the refund or compensation actually paid)."""
    return [r for r in ApprovalRule.objects.filter(active=True, measure_kind=kind).order_by("id") if amount >= r.min_amount]


def _approvers(ticket: Ticket, role: str) -> list[User]:
    roles = {role, Role.ADMINISTRATOR} if role == Role.ADMINISTRATOR else {role}
    candidates = User.objects.filter(role__in=roles, is_active=True).order_by("id")[:50]
    return [user for user in candidates if tickets_visible_to(user).filter(pk=ticket.pk).exists()]


def _offer_to_customer(*, ticket: Ticket, plan: TicketPlan, actor: User) -> Ticket:
    _set_plan_status(plan, PlanStatus.AWAITING_CUSTOMER, actor=actor)
    now = clock.now()
    # The first solution given to the customer is the SLA's "solution" commitment.
    Ticket.objects.filter(pk=ticket.pk, solution_committed_at__isnull=True).update(solution_committed_at=now)
    ticket.refresh_from_db()
    moved = move(ticket=ticket, to=S.AWAITING_CUSTOMER, actor=actor, text=deferred(_("The solution was sent to the customer.")))
    # Customer-facing: the plan sent to the customer may be the first response (its status change).
    ticket_record_first_response(ticket=moved, actor=actor, via=FirstResponseVia.PLAN_SENT)
    notify_customer(
        ticket=moved,
        template="ticket_plan_offered",
        subject=_("Our proposal for request %(number)s"),
        body=_("our proposal for request %(number)s: %(diagnosis)s. Please review the plan and tell us whether you accept it."),
        params={"diagnosis": plan.diagnosis[:500]},
        link=ticket_link(moved),
        link_text=_("Review and accept the plan here:"),
    )
    PLAN_OFFERED.send(ticket=moved, plan=plan)
    return moved


@transaction.atomic
def ticket_submit_plan(*, ticket: Ticket, actor: User, expected_version: int | None = None) -> Ticket:
    """Send the current draft plan on: to the approvers when an approval rule matches
    (→ AWAITING_APPROVAL, one pending request, approvers notified in-app), otherwise straight to
    the customer (→ AWAITING_CUSTOMER, customer notified)."""
    locked = lock_for_action(ticket=ticket, actor=actor, action="submit_plan", expected_version=expected_version)
    plan = TicketPlan.objects.select_for_update().filter(ticket=locked, is_current=True).first()
    if plan is None or plan.status != PlanStatus.DRAFT:
        raise DomainError(_("Propose a new plan first."), code="no_draft_plan", field="plan")
    rules = _matching_rules(plan)
    if not rules:
        return _offer_to_customer(ticket=locked, plan=plan, actor=actor)
    role = Role.ADMINISTRATOR if any(r.approver_role == Role.ADMINISTRATOR for r in rules) else Role.SUPERVISOR
    reason = "; ".join(rule.name for rule in rules)
    request = ApprovalRequest.objects.create(
        plan=plan, rule=rules[0], approver_role=role, reason=reason, requested_by=actor, requested_at=clock.now()
    )
    _set_plan_status(plan, PlanStatus.AWAITING_APPROVAL, actor=actor)
    audit_record(action=TicketAudit.APPROVAL_REQUESTED, obj=request, actor=actor, changes={"rules": [r.pk for r in rules]})
    # The matching rules' names (master data) in the reader's list separator.
    rule_names = deferred("%(rules)s", rules=[rule.name for rule in rules])
    moved = move(ticket=locked, to=S.AWAITING_APPROVAL, actor=actor, text=rule_names, public=False)
    notify_staff_users(
        users=_approvers(moved, role),
        ticket=moved,
        template="plan_approval_requested",
        params={"reason": reason},
    )
    return moved


@transaction.atomic
def ticket_decide_approval(
    *, ticket: Ticket, actor: User, approve: bool, comment: str = "", expected_version: int | None = None
) -> ApprovalRequest:
    """Approve (→ AWAITING_CUSTOMER, the customer is told) or refuse with a comment (→ PLANNING)."""
    text = optional_text(comment, field="comment")
    if not approve and not text:
        raise ValidationFailed({"comment": [_("Say why the plan is refused.")]}, code="comment_required")
    locked = lock_for_action(ticket=ticket, actor=actor, action="decide_approval", expected_version=expected_version)
    request = (
        ApprovalRequest.objects.select_for_update()
        .select_related("plan")
        .filter(plan__ticket=locked, plan__is_current=True, status=ApprovalStatus.PENDING)
        .first()
    )
    if request is None:
        raise DomainError(_("No approval is pending for this ticket."), code="no_pending_approval")
    if request.approver_role == Role.ADMINISTRATOR and not (actor.is_superuser or actor.role == Role.ADMINISTRATOR):
        raise PermissionDenied(_("This plan needs an administrator's approval."), code="approver_role")
    now = clock.now()
    decision = ApprovalStatus.APPROVED if approve else ApprovalStatus.REFUSED
    APPROVAL_MOVES.check(request.status, decision)
    request.status = decision
    request.decided_by = actor
    request.decided_at = now
    request.comment = text
    request.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    audit_record(action=TicketAudit(f"ticket.approval_{request.status}"), obj=request, actor=actor, changes={"comment": text})
    plan = request.plan
    if approve:
        timeline(ticket=locked, actor=actor, body=text, data={"action": "plan_approved", "plan": plan.number})
        _offer_to_customer(ticket=locked, plan=plan, actor=actor)
    else:
        _set_plan_status(plan, PlanStatus.REFUSED, actor=actor)
        move(ticket=locked, to=S.PLANNING, actor=actor, reason=text, public=False)
        if plan.created_by is not None:
            notify_staff_users(
                users=[plan.created_by],
                ticket=locked,
                template="plan_approval_refused",
                params={"comment": text},
            )
    return request


@transaction.atomic
def ticket_record_agreement(
    *,
    ticket: Ticket,
    actor: User | None,
    accepted: bool,
    method: str = AgreementMethod.PORTAL,
    agreed_at: dt.datetime | None = None,
    note: str = "",
    document: IO[bytes] | None = None,
    expected_version: int | None = None,
) -> CustomerAgreement:
    """Record the customer's answer to the current plan: accepted (→ IN_PROGRESS) or declined
    (→ PLANNING). A customer answers in the portal (now); an agent records how and when the
    customer answered, with the signed agreement where the plan asks for one. ``actor=None`` is
    the customer answering through the signed link sent to them (no portal account needed: the
    link, signed for this ticket and this customer, is the proof)."""
    note_text = optional_text(note, field="note")
    now = clock.now()
    if actor is None or actor.is_customer:
        method, agreed_at = AgreementMethod.PORTAL, now
    else:
        if method not in AgreementMethod.values or method == AgreementMethod.PORTAL:
            raise ValidationFailed({"method": [_("Say how the customer answered.")]}, code="agreement_method")
        if agreed_at is None:
            raise ValidationFailed({"agreed_at": [_("Say when the customer answered.")]}, code="agreed_at_required")
        if timezone.is_naive(agreed_at) or agreed_at > now + dt.timedelta(minutes=5):
            raise ValidationFailed({"agreed_at": [_("The time cannot be in the future.")]}, code="agreed_at_invalid")
    sniffed = sniff_upload(document, field="document") if document is not None else None
    locked = lock_for_action(ticket=ticket, actor=actor, action="record_agreement", expected_version=expected_version)
    plan = TicketPlan.objects.select_for_update().filter(ticket=locked, is_current=True).first()
    if plan is None or plan.status != PlanStatus.AWAITING_CUSTOMER:
        raise DomainError(_("No plan is waiting for the customer's answer."), code="no_plan_offered")
    if accepted and plan.requires_signed_agreement and sniffed is None:
        raise ValidationFailed({"document": [_("This plan needs the signed agreement.")]}, code="document_required")
    agreement = CustomerAgreement(
        plan=plan,
        decision=AgreementDecision.ACCEPTED if accepted else AgreementDecision.DECLINED,
        method=method,
        agreed_at=agreed_at,
        recorded_by=actor,
        recorded_at=now,
        note=note_text,
        document_sha256=sniffed.sha256 if sniffed else "",
    )
    if document is not None and sniffed is not None:
        agreement.document.save(f"agreement{sniffed.extension}", File(document), save=False)
    agreement.save()
    _set_plan_status(plan, PlanStatus.AGREED if accepted else PlanStatus.DECLINED, actor=actor)
    audit_record(
        action=TicketAudit(f"ticket.plan_{agreement.decision}"),
        obj=agreement,
        actor=actor,
        changes={"method": method, "plan": plan.number},
    )
    locked = save_fields(
        ticket=locked,
        actor=actor,
        action=f"plan_{agreement.decision}",
        changes={"last_customer_contact_at": agreed_at},
        body=note_text,
        public=True,
        data={"plan": plan.number, "method": method},
    )
    # Staff who took the customer's answer (by phone, in person) spoke with the customer.
    ticket_record_first_response(ticket=locked, actor=actor, via=FirstResponseVia.AGREEMENT)
    if accepted:
        move(ticket=locked, to=S.IN_PROGRESS, actor=actor, text=deferred(_("The customer accepted the plan.")))
    else:
        move(ticket=locked, to=S.PLANNING, actor=actor, reason=note_text, text=deferred(_("The customer declined the plan.")))
    PLAN_ANSWERED.send(ticket=locked, plan=plan, agreement=agreement)
    return agreement
