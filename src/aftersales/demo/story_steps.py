"""The steps of one demo ticket's story, each one call of a real service.

``script`` writes the story of a ticket after intake along its ``plan_path``: who does what, in
which words, and how long after the previous step (drawn from the story's generator, in the order
the story was always drawn). The actions (``_act``, ``_verify``, ``_propose``, ``_survey`` …) are
the closures each step runs at its moment: every one calls the process services, ``ticket_assign``,
``ticket_add_note`` or the survey service, as a person would. ``ensure_approval_rule`` adds the
demo's approval rule the plans are drawn against.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.tickets import process
from aftersales.tickets.choices import EventKind, RequestType, Responsibility
from aftersales.tickets.models import AgreementMethod, ApprovalRule, MeasureKind, MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.process.acceptance import ticket_accept_result
from aftersales.tickets.services import ticket_add_note, ticket_assign
from aftersales.tickets.states import TicketStatus

from . import data
from .assessments import plan_assessment_for
from .story_catalogue import APPROVAL_TYPES, TECHNICAL_TYPES, Cast, Plan, S, Step, plan_path


def script(plan: Plan, cast: Cast, rng: random.Random) -> list[Step]:
    """The story of one ticket after intake: who did what, and how long after the previous step.
    Also notes on ``plan`` the status after each step (``after``) and whether the customer got a
    first call."""
    scenario = plan.scenario
    part = rng.choice(data.PARTS.get(plan.model.category.code, ("配件",)))
    # A ticket that is to wait for approval needs a plan that meets the approval rule.
    plan.approval = scenario.request_type in APPROVAL_TYPES or plan.status == S.AWAITING_APPROVAL or rng.random() < 0.15
    path = plan_path(plan.status, rng, approval=plan.approval)
    steps: list[Step] = []
    plan.first_call = bool(path) or not plan.unassigned
    if plan.first_call:
        steps.append((0.05, 0.8, _assign(cast.agent, cast.agent)))
        # The first call answers the customer; about one in eight misses the 24-hour promise.
        low, high = (20.0, 30.0) if rng.random() < 0.12 else (0.1, 3.0)
        steps.append((low, high, _note(cast.agent, rng.choice(data.FIRST_CALLS), EventKind.CALL)))
    if scenario.safety and cast.quality is not None:
        steps.append((0.1, 1.0, _note(cast.quality, "安全隐患工单：已按紧急处理，质量部跟踪同批次情况。")))
    after = [S.REGISTERED] * len(steps)
    previous = S.REGISTERED
    for target in path:
        group = _move(previous, target, plan, cast, rng, part)
        # The step that changes the status: the agreement (or the redo) starts the work, and a
        # message to the customer follows it; every other move ends with its transition.
        turn = 0 if target == S.IN_PROGRESS and previous != S.ON_HOLD else len(group) - 1
        after += [previous] * turn + [target] * (len(group) - turn)
        steps.extend(group)
        previous = target
    plan.after = after
    return steps


def _move(current: TicketStatus, target: TicketStatus, plan: Plan, cast: Cast, rng: random.Random, part: str) -> list[Step]:
    """The steps that take the ticket from ``current`` to ``target``, each one call of the
    process service a person would trigger, with the words people use."""
    agent, pick = cast.agent, rng.choice
    technical = plan.scenario.request_type in TECHNICAL_TYPES
    # Technicians repair, install and exchange; complaints and consultations stay with the agent.
    worker = cast.technician if technical else agent
    if target == S.VERIFYING:
        if current == S.AWAITING_INFO:
            return [(12, 72, _act(process.ticket_receive_information, agent, note=pick(data.INFO_RECEIVED)))]
        return [(0.1, 2, _act(process.ticket_start_verification, agent))]
    if target == S.AWAITING_INFO:
        return [(0.5, 3, _act(process.ticket_request_information, agent, missing=pick(data.ASK_INFO)))]
    if target == S.ANALYSING:
        verified = pick(data.VERIFIED if technical else data.VERIFIED_SERVICE)
        return [(1, 8, _verify(agent, plan, verified))]
    if target == S.PLANNING:
        if technical:
            analysis, plan_text = pick(data.ANALYSIS), data.PLAN.format(part=part, days=rng.randint(2, 5))
        else:
            analysis, plan_text = pick(data.ANALYSIS_SERVICE), data.PLAN_SERVICE.format(remedy=plan.scenario.remedies[0])
        return [(2, 20, _note(agent, analysis)), (1, 6, _propose(agent, worker, plan, rng, f"{analysis}\n{plan_text}"))]
    if target == S.AWAITING_APPROVAL:
        return [(0.5, 4, _act(process.ticket_submit_plan, agent))]
    if target == S.AWAITING_CUSTOMER:
        if current == S.AWAITING_APPROVAL:
            return [(2, 20, _approve(cast.supervisor, pick(data.APPROVED)))]
        return [(0.5, 4, _act(process.ticket_submit_plan, agent))]
    if target == S.IN_PROGRESS:
        return _start_work(current, plan, cast, rng, worker)
    if target == S.ON_HOLD:
        reason = pick(data.ON_HOLD).format(part=part) if technical else pick(data.ON_HOLD_SERVICE)
        return [(6, 30, _act(process.ticket_hold, agent, reason=reason))]
    if target == S.RESOLVED:
        steps = [(1, 12, _note(agent, pick(data.FOLLOW_UPS), EventKind.CALL))] if rng.random() < 0.4 else []
        if technical and rng.random() < 0.3:
            steps.append((1, 12, _note(worker, pick(data.INTERNAL_NOTES))))
        done = pick(plan.scenario.remedies) if technical else pick(data.DONE_SERVICE)
        return [*steps, (12, 60, _measures_done(worker, done)), (0.2, 12, _act(process.ticket_resolve, agent, summary=done))]
    if target == S.CLOSED:
        # A ticket the acceptance rule names waits for the quality manager (docs/quality.md).
        accept = (2, 30, _accept_if_waiting(cast.quality or cast.supervisor))
        if rng.random() < 0.6:
            return [(4, 60, _survey(rng, happy=True, comment=pick(data.REVISIT_OK))), accept]
        return [(24, 72, _act(process.ticket_close, agent, note=pick(data.REVISIT_OK))), accept]
    if target == S.AWAITING_ACCEPTANCE:  # reopened before: the acceptance rule names it
        return [(24, 72, _act(process.ticket_close, agent, note=pick(data.REVISIT_OK)))]
    if target == S.REOPENED:
        if rng.random() < 0.7:
            return [(4, 72, _survey(rng, happy=False, comment=pick(data.REOPEN)))]
        return [(24, 96, _act(process.ticket_reopen, agent, reason=pick(data.REOPEN)))]
    if target == S.REJECTED:
        return [(1, 24, _act(process.ticket_reject, agent, reason=pick(data.REJECT)))]
    if target == S.CANCELLED:
        reason = "客户不接受处理方案，申请撤销。" if current == S.AWAITING_CUSTOMER else pick(data.CANCEL)
        return [(2, 48, _act(process.ticket_cancel, agent, reason=reason))]
    if target == S.MERGED:
        return [(0.5, 6, _merge(agent, plan))]
    raise ValueError(f"no story for {current} → {target}")


def _start_work(current: TicketStatus, plan: Plan, cast: Cast, rng: random.Random, worker: User) -> list[Step]:
    agent = cast.agent
    if current == S.ON_HOLD:
        return [(48, 120, _act(process.ticket_resume, agent, note=rng.choice(data.RESUMED)))]
    day = rng.choice(("明天上午", "明天下午", "后天上午", "周六上午"))
    if current == S.REOPENED:
        steps: list[Step] = [(1, 12, _redo(agent, "二次处理：按原方案重新安排上门复查。"))]
    elif cast.portal is not None:
        # The portal customer accepts in the portal; others tell the agent on the phone.
        steps = [(4, 30, _agree(cast.portal, "同意处理方案，明天上午家里有人。"))]
    else:
        steps = [(4, 30, _agree(agent, rng.choice(data.CUSTOMER_AGREED)))]
    if worker == agent:
        return [*steps, (0.1, 1, _note(agent, data.WORKING_SERVICE.format(day=day), EventKind.MESSAGE_OUT))]
    # The agent keeps the ticket; the technician owns the plan's measure (and its work orders).
    return [*steps, (0.1, 1, _note(agent, data.DISPATCHED.format(technician=worker, day=day), EventKind.MESSAGE_OUT))]


# --- Actions (each one call of a real service) ---------------------------------------------------

# Plans at or above this total need a supervisor's approval (the demo's approval rule).
APPROVAL_THRESHOLD = Decimal("1000")
MEASURE_FOR_REQUEST: dict[str, str] = {
    RequestType.REPAIR: MeasureKind.ONSITE_REPAIR,
    RequestType.INSTALLATION: MeasureKind.INSTALLATION,
    RequestType.EXCHANGE: MeasureKind.EXCHANGE,
    RequestType.RETURN: MeasureKind.RETURN,
    RequestType.REFUND: MeasureKind.REFUND,
    RequestType.COMPENSATION: MeasureKind.COMPENSATION,
    RequestType.CONSULTATION: MeasureKind.CONSULTATION,
    RequestType.COMPLAINT: MeasureKind.REMOTE_SUPPORT,
}


def ensure_approval_rule() -> None:
    ApprovalRule.objects.get_or_create(
        name="方案金额 1000 元以上需主管审批",
        defaults={"min_amount": APPROVAL_THRESHOLD, "approver_role": "supervisor"},
    )


def _act(service: Callable[..., Any], actor: User | None, **kwargs: Any) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        service(ticket=ticket, actor=actor, **kwargs)
        return Ticket.objects.get(pk=ticket.pk)

    return run


def _accept_if_waiting(actor: User) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        if ticket.status == S.AWAITING_ACCEPTANCE:
            ticket_accept_result(ticket=ticket, actor=actor, comment="完工资料齐全，客户已确认，验收通过。")
            return Ticket.objects.get(pk=ticket.pk)
        return ticket

    return run


def _note(actor: User, body: str, kind: str = EventKind.NOTE) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        ticket_add_note(ticket=ticket, actor=actor, body=body, kind=kind)
        return ticket

    return run


def _assign(assignee: User, actor: User) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        return ticket_assign(ticket=ticket, assignee=assignee, actor=actor)

    return run


def _verify(actor: User, plan: Plan, note: str) -> Callable[[Ticket], Ticket]:
    """What verification established: classification, responsibility and cause, then the
    verdict (authentic and complete → ANALYSING)."""
    scenario = plan.scenario
    if scenario.responsibility == Responsibility.INTERNAL:
        party = f"{plan.unit.factory}质量部" if plan.unit and plan.unit.factory else "售后服务部"
    elif scenario.responsibility == Responsibility.THIRD_PARTY:
        party = "德邦物流" if scenario.key == "any-exchange" else f"{plan.customer.place.city_short}顺达家电服务网点"
    else:
        party = "客户"

    def run(ticket: Ticket) -> Ticket:
        ticket = process.ticket_classify(
            ticket=ticket,
            actor=actor,
            category=ticket.category,
            nature=scenario.nature,
            severity=scenario.severity,
            request_type=ticket.request_type,
            priority=ticket.priority,
            safety_hazard=ticket.safety_hazard,
        )
        ticket = process.ticket_set_responsibility(
            ticket=ticket,
            actor=actor,
            responsibility=scenario.responsibility,
            party=party,
            cause=scenario.cause,
            cause_detail=scenario.remedies[0],
        )
        return process.ticket_record_verification(ticket=ticket, actor=actor, authentic=True, complete=True, note=note)

    return run


def _propose(actor: User, worker: User, plan: Plan, rng: random.Random, diagnosis: str) -> Callable[[Ticket], Ticket]:
    kind = MEASURE_FOR_REQUEST.get(plan.scenario.request_type, MeasureKind.CONSULTATION)
    needs_approval = plan.approval
    if needs_approval and kind in (MeasureKind.CONSULTATION, MeasureKind.REMOTE_SUPPORT):
        kind = MeasureKind.COMPENSATION  # a goodwill compensation is what needs the supervisor here
    if kind == MeasureKind.CONSULTATION:
        amount = Decimal("0")
    elif needs_approval:
        amount = Decimal(rng.randrange(1000, 3200, 50))
    else:
        amount = Decimal(rng.randrange(60, 900, 10))

    # Out of warranty, a visit is charged: what the customer is told they will pay for it.
    estimate = Decimal(rng.randrange(120, 600, 10))

    def run(ticket: Ticket) -> Ticket:
        now = clock.now()
        chargeable = process.measure_is_chargeable(kind, process.ticket_plan_warranty(ticket=ticket))
        # What the agent weighed (方案评估): from the scenario and the customer, no random draw.
        assessment = plan_assessment_for(
            scenario=plan.scenario, customer_kind=plan.customer.kind, customer_tier=ticket.customer.tier
        )
        process.ticket_propose_plan(
            ticket=ticket,
            actor=actor,
            diagnosis=diagnosis,
            measures=[
                process.MeasureInput(
                    kind=kind,
                    description=plan.scenario.remedies[0],
                    owner=worker,
                    deadline=now + dt.timedelta(days=rng.randint(2, 5)),
                    amount=amount,
                    customer_charge=estimate if chargeable else Decimal("0"),
                )
            ],
            expected_completion_at=now + dt.timedelta(days=rng.randint(3, 7)),
            **assessment,
        )
        return Ticket.objects.get(pk=ticket.pk)

    return run


def _approve(supervisor: User, comment: str) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        process.ticket_decide_approval(ticket=ticket, actor=supervisor, approve=True, comment=comment)
        return Ticket.objects.get(pk=ticket.pk)

    return run


def _agree(actor: User, note: str) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        if actor.is_customer:
            process.ticket_record_agreement(ticket=ticket, actor=actor, accepted=True, note=note)
        else:
            process.ticket_record_agreement(
                ticket=ticket, actor=actor, accepted=True, method=AgreementMethod.PHONE, agreed_at=clock.now(), note=note
            )
        return Ticket.objects.get(pk=ticket.pk)

    return run


def _measures_done(worker: User, note: str) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        for measure in PlanMeasure.objects.filter(plan__ticket=ticket, plan__is_current=True).exclude(
            status__in=(MeasureStatus.DONE, MeasureStatus.CANCELLED)
        ):
            owner = measure.owner if measure.owner is not None and measure.owner.is_active else worker
            process.ticket_update_measure(measure=measure, actor=owner, status=MeasureStatus.DONE, progress_note=note)
        return Ticket.objects.get(pk=ticket.pk)

    return run


def _redo(actor: User, note: str) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        measures = list(PlanMeasure.objects.filter(plan__ticket=ticket, plan__is_current=True))
        process.ticket_resume_plan(ticket=ticket, actor=actor, measures=measures, note=note)
        return Ticket.objects.get(pk=ticket.pk)

    return run


def _survey(rng: random.Random, *, happy: bool, comment: str) -> Callable[[Ticket], Ticket]:
    def run(ticket: Ticket) -> Ticket:
        survey = Survey.objects.filter(ticket=ticket, status=SurveyStatus.PENDING).order_by("-pk").first()
        if survey is None:
            return ticket
        if happy:
            scores = [rng.choice((4, 5, 5)) for _ in range(5)]
            survey_submit(
                signed_token=survey_signed_token(survey=survey),
                overall=scores[0],
                solved=True,
                speed=scores[1],
                attitude=scores[2],
                professionalism=scores[3],
                result=scores[4],
                comment=comment,
            )
        else:
            survey_submit(
                signed_token=survey_signed_token(survey=survey),
                overall=rng.choice((1, 2)),
                solved=False,
                speed=rng.choice((1, 2, 3)),
                attitude=rng.choice((2, 3, 4)),
                result=1,
                comment=comment,
            )
        return Ticket.objects.get(pk=ticket.pk)

    return run


def _merge(actor: User, plan: Plan) -> Callable[[Ticket], Ticket]:
    primary = plan.merged_into.ticket if plan.merged_into else None

    def run(ticket: Ticket) -> Ticket:
        if primary is None:
            return ticket
        number = primary.number
        process.ticket_merge(ticket=ticket, into=primary, actor=actor, reason=data.MERGE.format(number=number))
        return Ticket.objects.get(pk=ticket.pk)

    return run
