"""The demo's 300 tickets of the last 90 days, made the way real ones are.

Each ticket is registered through ``ticket_intake`` and then walked through the process services
(``tickets.process``: verification, classification, plan, approval, agreement, measures, resolve,
the customer's survey, close, reopen, reject, cancel, merge), ``ticket_assign`` and
``ticket_add_note``, along a path the transition table allows, at the moments the story says
(see ``timetravel``). So every number, due time, timeline entry and audit row is
what the product itself would have written. Every status of ``TicketStatus`` is represented.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel
from aftersales.core import clock
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.tickets import process
from aftersales.tickets.choices import Channel, EventKind, RequestType, Responsibility
from aftersales.tickets.models import AgreementMethod, ApprovalRule, MeasureKind, MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.services import IntakeInput, ticket_add_note, ticket_assign, ticket_intake
from aftersales.tickets.states import TicketStatus

from . import data, generate
from .builders import DEMO_CUSTOMERS, PORTAL_USERNAME, CustomerView, DemoBase, UnitView
from .timetravel import simulated_now

S = TicketStatus
KEY_PREFIX = "demo-"

# How many of the 300 tickets end in each status, and how old (days) a ticket in it may be.
STATUS_PLAN: dict[TicketStatus, tuple[int, float, float]] = {
    S.REGISTERED: (10, 0.0, 2),
    S.VERIFYING: (14, 0.1, 4),
    S.AWAITING_INFO: (10, 1, 12),
    S.ANALYSING: (14, 1, 8),
    S.PLANNING: (12, 1.5, 12),
    S.AWAITING_APPROVAL: (10, 2, 10),
    S.AWAITING_CUSTOMER: (12, 2, 14),
    S.IN_PROGRESS: (26, 3, 20),
    S.ON_HOLD: (10, 5, 30),
    S.RESOLVED: (18, 4, 15),
    S.REOPENED: (8, 7, 40),
    S.CLOSED: (120, 6, 90),
    S.REJECTED: (14, 2, 90),
    S.CANCELLED: (14, 2, 90),
    S.MERGED: (8, 1, 90),
}
DEMO_TICKET_COUNT = sum(count for count, _lo, _hi in STATUS_PLAN.values())
# The portal customer's own tickets, so the customer login has something to follow.
PORTAL_STATUSES = (S.REGISTERED, S.AWAITING_CUSTOMER, S.IN_PROGRESS, S.RESOLVED, S.CLOSED, S.CLOSED)
CHANNEL_WEIGHTS = {
    Channel.HOTLINE: 40, Channel.WECHAT: 18, Channel.APP: 12, Channel.WEB: 10, Channel.STORE: 6,
    Channel.EMAIL: 5, Channel.SOCIAL: 4, Channel.API: 3, Channel.LETTER: 2,
}  # fmt: skip
AGENT_CHANNELS = frozenset({Channel.HOTLINE, Channel.STORE, Channel.SOCIAL, Channel.LETTER})
APPROVAL_TYPES = frozenset({RequestType.RETURN, RequestType.EXCHANGE, RequestType.REFUND, RequestType.COMPENSATION})
TECHNICAL_TYPES = frozenset({RequestType.REPAIR, RequestType.INSTALLATION, RequestType.EXCHANGE, RequestType.RETURN})


def story_exists() -> bool:
    return Ticket.objects.filter(idempotency_key__startswith=KEY_PREFIX).exists()


def plan_path(target: TicketStatus, rng: random.Random, *, approval: bool = False) -> list[TicketStatus]:
    """A path from REGISTERED to ``target`` that the transition table allows (tested move by move)."""
    verify = [S.VERIFYING, S.AWAITING_INFO, S.VERIFYING] if rng.random() < 0.2 else [S.VERIFYING]
    analyse = [*verify, S.ANALYSING]
    plan = [*analyse, S.PLANNING]
    agreed = [*plan, *([S.AWAITING_APPROVAL] if approval else []), S.AWAITING_CUSTOMER]
    working = [*agreed, S.IN_PROGRESS]
    resolved = [*working, *([S.ON_HOLD, S.IN_PROGRESS] if rng.random() < 0.25 else []), S.RESOLVED]
    paths: dict[TicketStatus, list[TicketStatus]] = {
        S.REGISTERED: [],
        S.VERIFYING: [S.VERIFYING],
        S.AWAITING_INFO: [S.VERIFYING, S.AWAITING_INFO],
        S.ANALYSING: analyse,
        S.PLANNING: plan,
        S.AWAITING_APPROVAL: [*plan, S.AWAITING_APPROVAL],
        S.AWAITING_CUSTOMER: agreed,
        S.IN_PROGRESS: working,
        S.ON_HOLD: [*working, S.ON_HOLD],
        S.RESOLVED: resolved,
        S.REOPENED: [*resolved, S.REOPENED],
        # One closed ticket in eight went through secondary processing first.
        S.CLOSED: [*resolved, S.REOPENED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED] if rng.random() < 0.125 else [*resolved, S.CLOSED],
        S.REJECTED: rng.choice(([S.REJECTED], [S.VERIFYING, S.REJECTED], [S.VERIFYING, S.AWAITING_INFO, S.REJECTED])),
        S.CANCELLED: rng.choice(([S.CANCELLED], [S.VERIFYING, S.CANCELLED], [*plan, S.AWAITING_CUSTOMER, S.CANCELLED])),
        S.MERGED: rng.choice(([S.MERGED], [S.VERIFYING, S.MERGED])),
    }
    return paths[target]


@dataclass
class Plan:
    status: TicketStatus
    created_at: dt.datetime
    customer: CustomerView
    model: ProductModel
    unit: UnitView | None
    scenario: data.Scenario
    channel: str
    merged_into: Plan | None = None
    approval: bool = False  # the plan goes to a supervisor first (its amount meets the demo rule)
    ticket: Ticket | None = field(default=None, repr=False)


@transaction.atomic
def load_story(*, base: DemoBase, seed: int) -> int:
    """Create the demo tickets (all or none); returns how many were made."""
    rng = random.Random(f"story-{seed}")  # noqa: S311 - demo data, not secrets
    ensure_approval_rule()
    now = timezone.now()
    plans = _plans(rng, base, now)
    for index, plan in enumerate(plans, start=1):
        _play(plan, index, base, rng, now)
    # Demo customers are invented but their numbers are real-looking: never message them.
    Notification.objects.filter(ticket__idempotency_key__startswith=KEY_PREFIX, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SKIPPED, last_error="demo data: not sent"
    )
    return len(plans)


# --- Planning ------------------------------------------------------------------------------------


def _plans(rng: random.Random, base: DemoBase, now: dt.datetime) -> list[Plan]:
    statuses = [status for status, (count, _lo, _hi) in STATUS_PLAN.items() for _ in range(count)]
    rng.shuffle(statuses)
    portal = next((c for c in base.customers if c.user_id and c.user_id == _login_id(base, PORTAL_USERNAME)), None)
    portal_wanted = list(PORTAL_STATUSES) if portal else []
    # The base's own customers (they own units); customers a bulk load added come later by id.
    others = [c for c in base.customers if c is not portal and c.units][:DEMO_CUSTOMERS] or base.customers
    plans = []
    for status in statuses:
        _count, low, high = STATUS_PLAN[status]
        if status in portal_wanted and portal is not None:
            portal_wanted.remove(status)
            customer = portal
        else:
            customer = rng.choice(others)
        created = _business_moment(rng, now - dt.timedelta(days=rng.uniform(low, high)), now)
        plans.append(_plan_for(rng, base, status, created, customer))
    plans.sort(key=lambda p: p.created_at)
    # A merged ticket is a second report of an earlier one: same customer, product and problem.
    # (never a finished one: a duplicate is merged into a ticket that is still being handled)
    earlier = [p for p in plans if p.status not in (S.MERGED, S.REGISTERED, S.REJECTED, S.CANCELLED, S.CLOSED)]
    for plan in plans:
        if plan.status != S.MERGED:
            continue
        candidates = [p for p in earlier if p.created_at < plan.created_at - dt.timedelta(hours=6)] or earlier[:1]
        primary = rng.choice(candidates[-40:])
        plan.merged_into = primary
        plan.customer, plan.model, plan.unit, plan.scenario = primary.customer, primary.model, primary.unit, primary.scenario
        if plan.channel == Channel.EMAIL and not plan.customer.email:
            plan.channel = Channel.HOTLINE
        latest = min(primary.created_at + dt.timedelta(hours=48), now - dt.timedelta(hours=1))
        plan.created_at = primary.created_at + (latest - primary.created_at) * rng.uniform(0.1, 1)
    plans.sort(key=lambda p: p.created_at)
    return plans


def _plan_for(rng: random.Random, base: DemoBase, status: TicketStatus, created: dt.datetime, customer: CustomerView) -> Plan:
    day = clock.local_date(created)
    owned = [u for u in customer.units if u.purchase_date is None or u.purchase_date <= day]
    unit = rng.choice(owned) if owned and rng.random() < 0.85 else None
    model = next((m for m in base.models if m.pk == unit.model_id), None) if unit else None
    model = model or rng.choice(base.models)
    scenarios = generate.scenarios_for(model.category.code)
    scenario = rng.choices(scenarios, weights=[s.weight for s in scenarios])[0]
    if customer.user_id and customer.user_id == _login_id(base, PORTAL_USERNAME):
        channel = rng.choice((Channel.WEB, Channel.APP))
    else:
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        if channel == Channel.EMAIL and not customer.email:
            channel = Channel.HOTLINE
    return Plan(status, created, customer, model, unit, scenario, channel)


def _business_moment(rng: random.Random, around: dt.datetime, now: dt.datetime) -> dt.datetime:
    """Most requests come in between 8:00 and 21:00 local time; never in the future."""
    local = timezone.localtime(around)
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 7, 8, 10, 10, 9, 8, 7, 8, 7, 5, 3, 2])[0]
    moment = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)
    if moment > now - dt.timedelta(minutes=10):
        moment = now - dt.timedelta(minutes=rng.randint(10, 90))
    return moment


def _working_hours(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """Staff work 8:00–21:00: a step that would fall at night happens the next morning."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 21:
        return moment
    morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
    if local.hour >= 21:
        morning += dt.timedelta(days=1)
    return morning + dt.timedelta(minutes=rng.uniform(0, 90))


def _login_id(base: DemoBase, username: str) -> int | None:
    user = base.logins.get(username)
    return user.pk if user else None


# --- Playing -------------------------------------------------------------------------------------

Step = tuple[float, float, Callable[[Ticket], Ticket]]  # (min hours, max hours after the previous step, action)


def _play(plan: Plan, index: int, base: DemoBase, rng: random.Random, now: dt.datetime) -> None:
    cast = _Cast.pick(rng, base, plan)
    steps = _script(plan, cast, rng)
    gaps = [rng.uniform(low, high) for low, high, _action in steps]
    # Squeeze the story if it would run past now (a recent ticket cannot have a long history).
    room = (now - dt.timedelta(minutes=5) - plan.created_at).total_seconds() / 3600
    total = sum(gaps)
    if total > room:
        gaps = [gap * room / total for gap in gaps]
    with simulated_now(plan.created_at):
        ticket = ticket_intake(
            data=_intake_input(plan, rng),
            actor=cast.creator,
            actor_label="" if cast.creator else str(Channel(plan.channel).label),
            idempotency_key=f"{KEY_PREFIX}{index:04d}",
            team=base.agent_teams.get(plan.customer.region_code),
            region=base.regions.get(plan.customer.region_code),
        ).ticket
    moment = plan.created_at
    for gap, (_low, _high, action) in zip(gaps, steps, strict=True):
        moment += dt.timedelta(hours=gap)
        at_work = _working_hours(moment, rng)
        if at_work < now - dt.timedelta(minutes=2):
            moment = at_work
        moment = min(moment, now - dt.timedelta(minutes=1))  # a night moved to the morning may push the rest late
        with simulated_now(moment):
            ticket = action(ticket)
    plan.ticket = ticket


def _intake_input(plan: Plan, rng: random.Random) -> IntakeInput:
    customer, unit, scenario = plan.customer, plan.unit, plan.scenario
    product = plan.model.category.name
    by_email = plan.channel == Channel.EMAIL
    return IntakeInput(
        channel=plan.channel,
        customer_name=customer.contact_name,
        description=generate.description(rng, scenario, product),
        request_type=scenario.request_type,
        title=generate.title(scenario, product),
        phone="" if by_email else generate.as_typed(customer.phone, rng),
        email=customer.email if by_email else "",
        serial_number=unit.serial_number if unit else "",
        product_model_code="" if unit else plan.model.code,
        batch=unit.batch if unit and rng.random() < 0.5 else "",
        purchase_date=unit.purchase_date if unit else None,
        occurred_at=plan.created_at - dt.timedelta(hours=rng.uniform(1, 72)),
        province=customer.place.province,
        city=customer.place.city,
        district=customer.place.district,
        address=customer.place.detail,
        category_code=scenario.ticket_category,
        priority=scenario.priority,
        safety_hazard=scenario.safety,
    )


@dataclass(frozen=True)
class _Cast:
    creator: User | None
    agent: User
    technician: User
    supervisor: User
    quality: User | None
    portal: User | None

    @classmethod
    def pick(cls, rng: random.Random, base: DemoBase, plan: Plan) -> _Cast:
        region = plan.customer.region_code
        agents = base.agents.get(region) or [u for users in base.agents.values() for u in users]
        technicians = base.technicians.get(region) or [u for users in base.technicians.values() for u in users]
        # In the east the demo logins take half the work, so each has a full queue to show.
        agent = agents[0] if region == "east" and rng.random() < 0.5 else rng.choice(agents)
        technician = base.logins.get("technician") if region == "east" and rng.random() < 0.5 else None
        supervisor = base.supervisors.get(region) or base.logins["supervisor"]
        portal = base.logins.get(PORTAL_USERNAME) if plan.customer.user_id else None
        creator = agent if plan.channel in AGENT_CHANNELS else portal if plan.channel in (Channel.WEB, Channel.APP) else None
        quality = next(iter(base.staff.get("quality_manager", [])), None)
        return cls(creator, agent, technician or rng.choice(technicians), supervisor, quality, portal)


def _script(plan: Plan, cast: _Cast, rng: random.Random) -> list[Step]:
    """The story of one ticket after intake: who did what, and how long after the previous step."""
    scenario = plan.scenario
    part = rng.choice(data.PARTS.get(plan.model.category.code, ("配件",)))
    plan.approval = scenario.request_type in APPROVAL_TYPES or rng.random() < 0.15
    path = plan_path(plan.status, rng, approval=plan.approval)
    steps: list[Step] = []
    if path or rng.random() < 0.5:
        steps.append((0.05, 0.8, _assign(cast.agent, cast.agent)))
        # The first call answers the customer; about one in eight misses the 24-hour promise.
        low, high = (20.0, 30.0) if rng.random() < 0.12 else (0.1, 3.0)
        steps.append((low, high, _note(cast.agent, rng.choice(data.FIRST_CALLS), EventKind.CALL)))
    if scenario.safety and cast.quality is not None:
        steps.append((0.1, 1.0, _note(cast.quality, "安全隐患工单：已按紧急处理，质量部跟踪同批次情况。")))
    previous = S.REGISTERED
    for target in path:
        steps.extend(_move(previous, target, plan, cast, rng, part))
        previous = target
    return steps


def _move(current: TicketStatus, target: TicketStatus, plan: Plan, cast: _Cast, rng: random.Random, part: str) -> list[Step]:
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
        if rng.random() < 0.6:
            return [(4, 60, _survey(rng, happy=True, comment=pick(data.REVISIT_OK)))]
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


def _start_work(current: TicketStatus, plan: Plan, cast: _Cast, rng: random.Random, worker: User) -> list[Step]:
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

    def run(ticket: Ticket) -> Ticket:
        now = clock.now()
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
                )
            ],
            expected_completion_at=now + dt.timedelta(days=rng.randint(3, 7)),
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
