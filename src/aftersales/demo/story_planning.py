"""Planning the demo tickets' stories: who, what, when — before any ticket is made.

``draw_plans`` draws each ticket's customer, product, problem and channel, and its registration
moment; ``prepare`` casts each story and draws its steps' durations (``story_steps``). Open
tickets are then registered at the moment that puts their tightest SLA clock where a working
department's stands (``clocks``: on track, due soon, breached, just registered), found by
bisection over the story's ``timeline``; resolved tickets are moved so they were resolved within
``TICKET_AUTO_CLOSE_DAYS``. The draws happen in one fixed order on the story's generator, so a
seed always gives the same demo.
"""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.sla.calendar import BusinessCalendar, business_time_between
from aftersales.sla.models import SlaMetric
from aftersales.sla.selectors import calendar_spec, sla_policy_for
from aftersales.sla.services.common import target_minutes
from aftersales.tickets.choices import Channel, Priority
from aftersales.tickets.process.execution import auto_close_days
from aftersales.tickets.states import OPEN_STATUSES, PAUSED_STATUSES, TicketStatus

from . import generate
from .builders import DEMO_CUSTOMERS, PORTAL_USERNAME, CustomerView, DemoBase
from .clocks import Standing, business_before, draw_target
from .story_catalogue import CHANNEL_WEIGHTS, PORTAL_STATUSES, STATUS_PLAN, Cast, Plan, S
from .story_steps import script

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


def draw_plans(rng: random.Random, base: DemoBase, now: dt.datetime) -> list[Plan]:
    """Every demo ticket's plan, in registration order; the open and resolved ones with their story drawn."""
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
    # (never a finished or solved one: a duplicate is merged into a ticket that is still being
    # handled, so the triage's duplicate list can show it whatever day the demo is loaded)
    earlier = [p for p in plans if p.status in OPEN_STATUSES and p.status != S.REGISTERED]
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
        prepare(plan, base, rng)
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
        prepare(plan, base, rng)
        moments = timeline(plan.created_at, plan.gaps, plan.jitters, now)
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
        moments = timeline(created, plan.gaps, plan.jitters, now)
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
    for moment, after in zip(timeline(created, plan.gaps, plan.jitters, now, plan.last_at), plan.after, strict=True):
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


def prepare(plan: Plan, base: DemoBase, rng: random.Random) -> Cast:
    """Cast the ticket's story and draw how long each step takes."""
    plan.cast = cast = Cast.pick(rng, base, plan)
    plan.steps = script(plan, cast, rng)
    plan.gaps = [rng.uniform(low, high) for low, high, _action in plan.steps]
    plan.jitters = [rng.uniform(0, 90) for _step in plan.steps]
    return cast


def timeline(
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
