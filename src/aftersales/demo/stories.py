"""The demo's 300 tickets of the last 90 days, made the way real ones are.

Each ticket is registered through ``ticket_intake`` and then walked through the process services
(``tickets.process``: verification, classification, plan, approval, agreement, measures, resolve,
the customer's survey, close, reopen, reject, cancel, merge), ``ticket_assign`` and
``ticket_add_note``, along a path the transition table allows, at the moments the story says
(see ``timetravel``). So every number, due time, timeline entry and audit row is
what the product itself would have written. Every status of ``TicketStatus`` is represented.

Open tickets are registered at the moment that puts their SLA clocks where a working department's
are (``clocks``): most on track, some due within hours, a few breached, some paused — so the
queues, the "at risk" list and the badges show something on a fresh demo. Finished tickets keep
their ages (``STATUS_PLAN``). Resolved tickets the customer has not confirmed yet were resolved
within ``TICKET_AUTO_CLOSE_DAYS`` (``_keep_resolved_recent``): the worker's auto-close leaves them
resolved, as planned.
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
from aftersales.customers.models import Customer
from aftersales.feedback.models import Survey, SurveyStatus
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.sla.calendar import BusinessCalendar, business_time_between
from aftersales.sla.models import SlaMetric
from aftersales.sla.selectors import calendar_spec, sla_policy_for
from aftersales.sla.services.common import target_minutes
from aftersales.tickets import process
from aftersales.tickets.choices import Channel, EventKind, Priority, RequestType, Responsibility
from aftersales.tickets.models import AgreementMethod, ApprovalRule, MeasureKind, MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.process.execution import auto_close_days
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.services import IntakeInput, ticket_add_note, ticket_assign, ticket_intake
from aftersales.tickets.states import OPEN_STATUSES, PAUSED_STATUSES, TicketStatus

from . import data, generate
from .assessments import plan_assessment_for
from .builders import DEMO_CUSTOMERS, PORTAL_USERNAME, CustomerView, DemoBase, UnitView
from .clocks import Standing, Target, business_before, draw_target
from .timetravel import simulated_now

S = TicketStatus
KEY_PREFIX = "demo-"

# How many of the 300 tickets end in each status, and how old (days) a ticket in it may be. Open
# tickets take their age from their SLA clocks instead (OPEN_CLOCK_SHARE below).
STATUS_PLAN: dict[TicketStatus, tuple[int, float, float]] = {
    S.REGISTERED: (12, 0.0, 2),
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
    S.CANCELLED: (12, 2, 90),
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

# --- Open tickets' clocks (see ``clocks``) ---
# Before the plan is offered, the solution commitment is a ticket's tightest clock; after it, the
# resolution (restarted when the ticket is reopened).
PRE_SOLUTION = frozenset({S.REGISTERED, S.VERIFYING, S.AWAITING_INFO, S.ANALYSING, S.PLANNING})
# The share of that clock's target an open ticket on track has used, by status.
OPEN_CLOCK_SHARE: dict[TicketStatus, tuple[float, float]] = {
    S.REGISTERED: (0.0, 0.5),
    S.VERIFYING: (0.05, 0.55),
    S.AWAITING_INFO: (0.1, 0.6),
    S.ANALYSING: (0.15, 0.65),
    S.PLANNING: (0.25, 0.7),
    S.AWAITING_APPROVAL: (0.2, 0.6),
    S.AWAITING_CUSTOMER: (0.25, 0.6),
    S.IN_PROGRESS: (0.3, 0.7),
    S.ON_HOLD: (0.3, 0.65),
    S.REOPENED: (0.05, 0.5),
}
# Of the open tickets whose clocks run: about one in ten past its deadline, one in seven due within
# hours (two of them urgent ones on the 24×7 calendar, so something is due soon on a weekend too);
# a third of the new ones registered within the last hour and a half.
BREACHED_OF_RUNNING = 0.1
DUE_SOON_OF_RUNNING = 0.15
URGENT_DUE_SOON = 2
FRESH_SHARE = {S.REGISTERED: 0.35, S.VERIFYING: 0.15}
UNASSIGNED_SHARE = 0.6  # of the tickets still registered: nobody has taken them yet
# The demo supervisor, agent and technician work in the east: this share of the tickets that need
# them (an approval, a technician's visit) come from there.
EAST_SHARE = {S.AWAITING_APPROVAL: 0.6, S.IN_PROGRESS: 0.45}
# How close to its target an open ticket's clock must come (else the registration is searched for).
REGISTRATION_TOLERANCE = dt.timedelta(minutes=20)


def story_exists() -> bool:
    return tickets_with_intake_key_prefix(KEY_PREFIX).exists()


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
    # The story, drawn before it is played (open tickets are placed in time by it):
    cast: _Cast | None = field(default=None, repr=False)
    steps: list[Step] = field(default_factory=list, repr=False)
    after: list[TicketStatus] = field(default_factory=list, repr=False)  # the status after each step
    gaps: list[float] = field(default_factory=list, repr=False)  # hours before each step
    jitters: list[float] = field(default_factory=list, repr=False)  # minutes after 8:00 for a step at night
    first_call: bool = False  # someone took the ticket and called the customer
    unassigned: bool = False  # a new ticket nobody has taken yet
    target: Target | None = None  # open tickets: where the tightest clock stands
    last_at: dt.datetime | None = None  # a reopened ticket: when it was reopened (its clock restarted)


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
    Notification.objects.filter(ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX), status=NotificationStatus.PENDING).update(
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
    east = [c for c in others if c.region_code == "east"] or others
    plans = []
    for status in statuses:
        _count, low, high = STATUS_PLAN[status]
        if status in portal_wanted and portal is not None:
            portal_wanted.remove(status)
            customer = portal
        else:
            customer = rng.choice(east if rng.random() < EAST_SHARE.get(status, 0.0) else others)
        created = _business_moment(rng, now - dt.timedelta(days=rng.uniform(low, high)), now)
        plans.append(_plan_for(rng, base, status, created, customer))
    _place_open_tickets([p for p in plans if p.status in OPEN_STATUSES], rng, base, now)
    _keep_resolved_recent([p for p in plans if p.status == S.RESOLVED], rng, base, now)
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


def _working_hours(moment: dt.datetime, jitter_minutes: float) -> dt.datetime:
    """Staff work 8:00–21:00: a step that would fall at night happens the next morning."""
    local = timezone.localtime(moment)
    if 8 <= local.hour < 21:
        return moment
    morning = local.replace(hour=8, minute=0, second=0, microsecond=0)
    if local.hour >= 21:
        morning += dt.timedelta(days=1)
    return morning + dt.timedelta(minutes=jitter_minutes)


# --- Open tickets around now ---------------------------------------------------------------------


def _place_open_tickets(plans: list[Plan], rng: random.Random, base: DemoBase, now: dt.datetime) -> None:
    """Draw the open tickets' stories and register each at the moment that leaves its tightest
    running clock where its standing says (on track, due soon, breached, just registered)."""
    _make_urgent_ones(plans, rng)
    new = [p for p in plans if p.status == S.REGISTERED]
    for plan in rng.sample(new, round(len(new) * UNASSIGNED_SHARE)):
        plan.unassigned = True
    for plan in plans:
        _prepare(plan, base, rng)
    standings = _standings(plans, rng)
    tiers = dict(Customer.objects.filter(pk__in={p.customer.id for p in plans}).values_list("pk", "tier"))
    for plan in plans:
        standing = standings[id(plan)]
        if standing == Standing.FRESH:
            plan.created_at = now - dt.timedelta(minutes=rng.uniform(10, 90))
            continue
        policy = sla_policy_for(priority=_priority(plan), customer_tier=tiers.get(plan.customer.id, ""))
        if policy is None:
            continue  # no clocks without a policy: the ticket keeps its planned age
        metric = _tight_metric(plan)
        cal = calendar_spec(calendar=policy.calendar)
        plan.target = draw_target(
            rng,
            standing=standing,
            minutes=target_minutes(policy, metric),
            share_range=OPEN_CLOCK_SHARE[plan.status],
            always_open=cal.always_open,
            resolution=metric == SlaMetric.RESOLUTION,
        )
        if plan.status == S.REOPENED and metric == SlaMetric.RESOLUTION:
            # The clock restarted when the ticket was reopened, its story's last step.
            plan.last_at = min(business_before(cal, now, plan.target.used), now - dt.timedelta(minutes=2))
            plan.created_at = _registered_to_end_by(plan, plan.last_at, now)
        else:
            plan.created_at = _registered_for(plan, cal, metric, plan.target.used, now)


def _keep_resolved_recent(plans: list[Plan], rng: random.Random, base: DemoBase, now: dt.datetime) -> None:
    """Draw the resolved tickets' stories and register the ones that would be resolved too long
    ago later, so that each was resolved within ``TICKET_AUTO_CLOSE_DAYS`` (less a margin: the
    worker runs after the load) and the auto-close job does not close it before the customer could
    answer. A resolution already recent enough keeps its planned age."""
    limit = dt.timedelta(days=auto_close_days())
    margin = min(dt.timedelta(days=1), limit / 2)
    earliest = now - limit + margin
    for plan in plans:
        _prepare(plan, base, rng)
        moments = _timeline(plan.created_at, plan.gaps, plan.jitters, now)
        if moments and moments[-1] >= earliest:
            continue
        resolved_by = now - (limit - margin) * rng.uniform(0.2, 1.0)
        plan.created_at = _registered_to_end_by(plan, resolved_by, now)


def _priority(plan: Plan) -> int:
    """The priority intake gives the ticket (a safety hazard is always urgent)."""
    return int(Priority.URGENT if plan.scenario.safety else plan.scenario.priority)


def _tight_metric(plan: Plan) -> SlaMetric:
    if plan.status == S.REGISTERED and not plan.first_call:
        return SlaMetric.FIRST_RESPONSE
    return SlaMetric.SOLUTION if plan.status in PRE_SOLUTION else SlaMetric.RESOLUTION


def _make_urgent_ones(plans: list[Plan], rng: random.Random) -> None:
    """Make sure a few tickets being worked on are urgent (a safety hazard, on the 24×7 calendar)."""
    candidates = [p for p in plans if p.status not in PRE_SOLUTION and p.status not in PAUSED_STATUSES]
    urgent = sum(1 for p in candidates if p.scenario.safety)
    for plan in candidates:
        if urgent >= URGENT_DUE_SOON:
            return
        hazards = [s for s in generate.scenarios_for(plan.model.category.code) if s.safety]
        if hazards and not plan.scenario.safety:
            plan.scenario = rng.choice(hazards)
            urgent += 1


def _standings(plans: list[Plan], rng: random.Random) -> dict[int, Standing]:
    """Each open ticket's standing (keyed by ``id(plan)``): paused clocks are on track."""
    running = [p for p in plans if p.status not in PAUSED_STATUSES]
    rng.shuffle(running)
    result = {id(p): Standing.ON_TRACK for p in plans}
    urgent_late = [p for p in running if p.scenario.safety and p.status not in PRE_SOLUTION]
    due_soon = urgent_late[:URGENT_DUE_SOON]
    taken = {id(p) for p in due_soon}
    # A ticket registered this morning is not yet long overdue: breaches are among those in work.
    breached = [p for p in running if id(p) not in taken and p.status != S.REGISTERED][
        : max(2, round(len(running) * BREACHED_OF_RUNNING))
    ]
    taken |= {id(p) for p in breached}
    due_soon += [p for p in running if id(p) not in taken][: max(3, round(len(running) * DUE_SOON_OF_RUNNING)) - len(due_soon)]
    taken |= {id(p) for p in due_soon}
    for plan in breached:
        result[id(plan)] = Standing.BREACHED
    for plan in due_soon:
        result[id(plan)] = Standing.DUE_SOON
    for plan in running:
        if id(plan) not in taken and rng.random() < FRESH_SHARE.get(plan.status, 0.0):
            result[id(plan)] = Standing.FRESH
    return result


def _registered_for(plan: Plan, cal: BusinessCalendar, metric: SlaMetric, used: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """The registration moment after which the ticket's story leaves ``used`` working time on
    the ``metric`` clock at ``now`` (its pauses not counted).

    Found by bisection (the later the registration, the less time used), then, where a step
    moved from the night to the morning makes the time used jump past the target, by trying the
    registration times around it (every ten minutes, three days either way) for the closest."""
    latest = now - dt.timedelta(minutes=10)
    found = _bisect_registration(plan, cal, metric, used, now, latest)

    def miss(created: dt.datetime) -> dt.timedelta:
        return abs(_used(plan, created, cal, metric, now) - used)

    if miss(found) <= REGISTRATION_TOLERANCE:
        return found
    around = (found + dt.timedelta(minutes=10 * step) for step in range(-432, 433))
    return min((moment for moment in around if moment <= latest), key=miss, default=found)


def _bisect_registration(
    plan: Plan, cal: BusinessCalendar, metric: SlaMetric, used: dt.timedelta, now: dt.datetime, latest: dt.datetime
) -> dt.datetime:
    high = min(latest, business_before(cal, now, used))
    # Registered earlier, the story has used more: far enough back for the pauses and the nights
    # its steps waited for the morning.
    span = dt.timedelta(hours=sum(plan.gaps) + 12 * len(plan.gaps) + 24)
    low = high - span
    for _attempt in range(8):
        if _used(plan, low, cal, metric, now) >= used:
            break
        low -= span
    while high - low > dt.timedelta(minutes=1):
        middle = low + (high - low) / 2
        if _used(plan, middle, cal, metric, now) > used:
            low = middle
        else:
            high = middle
    return high


def _registered_to_end_by(plan: Plan, end: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The latest registration from which the story, as drawn, reaches its last step by ``end``
    (which then waits until ``end``), found by bisection."""
    high = end - dt.timedelta(minutes=10)
    span = dt.timedelta(hours=sum(plan.gaps) + 12 * len(plan.gaps) + 24)
    low = high - span

    def last(created: dt.datetime) -> dt.datetime:
        moments = _timeline(created, plan.gaps, plan.jitters, now)
        return moments[-1] if moments else created

    for _attempt in range(8):
        if last(low) <= end:
            break
        low -= span
    while high - low > dt.timedelta(minutes=1):
        middle = low + (high - low) / 2
        if last(middle) <= end:
            low = middle
        else:
            high = middle
    return low


def _used(plan: Plan, created: dt.datetime, cal: BusinessCalendar, metric: SlaMetric, now: dt.datetime) -> dt.timedelta:
    """Working time the ``metric`` clock has run at ``now`` when the story starts at ``created``:
    as the SLA engine counts it, paused in the paused statuses and restarted by a reopening —
    except that a pause still going on counts as running, so that a paused ticket's due time (as
    it stood when the pause began, and as the lists show it) is as far from now as its standing says."""
    start, status = created, S.REGISTERED
    paused_at: dt.datetime | None = None
    paused = dt.timedelta(0)
    for moment, after in zip(_timeline(created, plan.gaps, plan.jitters, now, plan.last_at), plan.after, strict=True):
        if after == status:
            continue
        if metric == SlaMetric.RESOLUTION and after == S.REOPENED:
            start, paused_at, paused = moment, None, dt.timedelta(0)
        elif after in PAUSED_STATUSES and status not in PAUSED_STATUSES:
            paused_at = moment
        elif status in PAUSED_STATUSES and after not in PAUSED_STATUSES and paused_at is not None:
            paused += business_time_between(cal, paused_at, moment)
            paused_at = None
        status = after
    return business_time_between(cal, start, now) - paused


def _login_id(base: DemoBase, username: str) -> int | None:
    user = base.logins.get(username)
    return user.pk if user else None


# --- Playing -------------------------------------------------------------------------------------

Step = tuple[float, float, Callable[[Ticket], Ticket]]  # (min hours, max hours after the previous step, action)


def _prepare(plan: Plan, base: DemoBase, rng: random.Random) -> _Cast:
    """Cast the ticket's story and draw how long each step takes."""
    plan.cast = cast = _Cast.pick(rng, base, plan)
    plan.steps = _script(plan, cast, rng)
    plan.gaps = [rng.uniform(low, high) for low, high, _action in plan.steps]
    plan.jitters = [rng.uniform(0, 90) for _step in plan.steps]
    return cast


def _timeline(
    created: dt.datetime, gaps: list[float], jitters: list[float], now: dt.datetime, last_at: dt.datetime | None = None
) -> list[dt.datetime]:
    """The moment of each step of a story registered at ``created``: squeezed if it would run past
    now (a recent ticket cannot have a long history), nights moved to the next morning; the last
    step waits until ``last_at`` if given."""
    room = max((now - dt.timedelta(minutes=5) - created).total_seconds() / 3600, 0.0)
    total = sum(gaps)
    if total > room:
        gaps = [gap * room / total for gap in gaps]
    moments = []
    moment = created
    for gap, jitter in zip(gaps, jitters, strict=True):
        moment += dt.timedelta(hours=gap)
        at_work = _working_hours(moment, jitter)
        if at_work < now - dt.timedelta(minutes=2):
            moment = at_work
        moment = min(moment, now - dt.timedelta(minutes=1))  # a night moved to the morning may push the rest late
        moments.append(moment)
    if last_at is not None and moments:
        moments[-1] = max(moments[-1], last_at)
    return moments


def _play(plan: Plan, index: int, base: DemoBase, rng: random.Random, now: dt.datetime) -> None:
    cast = plan.cast if plan.cast is not None else _prepare(plan, base, rng)
    with simulated_now(plan.created_at):
        ticket = ticket_intake(
            data=_intake_input(plan, rng),
            actor=cast.creator,
            actor_label="",  # without a creator the channel is the actor (intake stores its code)
            idempotency_key=f"{KEY_PREFIX}{index:04d}",
            team=base.agent_teams.get(plan.customer.region_code),
            region=base.regions.get(plan.customer.region_code),
        ).ticket
    moments = _timeline(plan.created_at, plan.gaps, plan.jitters, now, plan.last_at)
    for moment, (_low, _high, action) in zip(moments, plan.steps, strict=True):
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
