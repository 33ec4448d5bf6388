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
within ``TICKET_AUTO_CLOSE_DAYS`` (``story_planning``): the worker's auto-close leaves them
resolved, as planned.

The story is split in three: ``story_catalogue`` (the plan of statuses, the paths, the ``Plan``
and its cast), ``story_planning`` (drawing the plans and placing them in time) and
``story_steps`` (each step, one service call). This module plays them: ``load_story``.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.tickets.choices import Channel
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.services import IntakeInput, ticket_intake

from . import generate
from .builders import DemoBase
from .story_catalogue import DEMO_TICKET_COUNT, KEY_PREFIX, STATUS_PLAN, Plan, plan_path
from .story_planning import draw_plans, prepare, timeline
from .story_steps import ensure_approval_rule
from .timetravel import simulated_now

# What the rest of the demo and the tests import from here.
__all__ = ["DEMO_TICKET_COUNT", "KEY_PREFIX", "STATUS_PLAN", "load_story", "plan_path", "story_exists"]


def story_exists() -> bool:
    return tickets_with_intake_key_prefix(KEY_PREFIX).exists()


@transaction.atomic
def load_story(*, base: DemoBase, seed: int) -> int:
    """Create the demo tickets (all or none); returns how many were made."""
    rng = random.Random(f"story-{seed}")  # noqa: S311 - demo data, not secrets
    ensure_approval_rule()
    now = timezone.now()
    plans = draw_plans(rng, base, now)
    for index, plan in enumerate(plans, start=1):
        _play(plan, index, base, rng, now)
    # Demo customers are invented but their numbers are real-looking: never message them.
    Notification.objects.filter(ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX), status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SKIPPED, last_error="demo data: not sent"
    )
    return len(plans)


def _play(plan: Plan, index: int, base: DemoBase, rng: random.Random, now: dt.datetime) -> None:
    cast = plan.cast if plan.cast is not None else prepare(plan, base, rng)
    with simulated_now(plan.created_at):
        ticket = ticket_intake(
            data=_intake_input(plan, rng),
            actor=cast.creator,
            actor_label="",  # without a creator the channel is the actor (intake stores its code)
            idempotency_key=f"{KEY_PREFIX}{index:04d}",
            team=base.agent_teams.get(plan.customer.region_code),
            region=base.regions.get(plan.customer.region_code),
        ).ticket
    moments = timeline(plan.created_at, plan.gaps, plan.jitters, now, plan.last_at)
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
