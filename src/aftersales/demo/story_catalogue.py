"""What a demo ticket story is made of (``stories`` plays them).

How many of the 300 tickets end in each status and how old they may be (``STATUS_PLAN``), the
channels and request types that shape a story, the path of statuses a ticket takes to its planned
one (``plan_path``), the ``Plan`` of one ticket's story and its ``Cast`` (who creates, handles,
repairs, approves). No random draw happens here except in ``plan_path`` and ``Cast.pick``, which
take the story's generator.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from aftersales.accounts.models import User
from aftersales.catalog.models import ProductModel
from aftersales.tickets.choices import Channel, RequestType
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus

from . import data
from .builders import PORTAL_USERNAME, CustomerView, DemoBase, UnitView
from .clocks import Target

S = TicketStatus
KEY_PREFIX = "demo-"

# How many of the 300 tickets end in each status, and how old (days) a ticket in it may be. Open
# tickets take their age from their SLA clocks instead (``story_planning.OPEN_CLOCK_SHARE``).
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
    # Reopened and solved again: waiting for the quality manager's acceptance (the default rule).
    S.AWAITING_ACCEPTANCE: (4, 8, 30),
    S.CLOSED: (116, 6, 90),
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

Step = tuple[float, float, Callable[[Ticket], Ticket]]  # (min hours, max hours after the previous step, action)


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
        S.AWAITING_ACCEPTANCE: [*resolved, S.REOPENED, S.IN_PROGRESS, S.RESOLVED, S.AWAITING_ACCEPTANCE],
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
    cast: Cast | None = field(default=None, repr=False)
    steps: list[Step] = field(default_factory=list, repr=False)
    after: list[TicketStatus] = field(default_factory=list, repr=False)  # the status after each step
    gaps: list[float] = field(default_factory=list, repr=False)  # hours before each step
    jitters: list[float] = field(default_factory=list, repr=False)  # minutes after 8:00 for a step at night
    first_call: bool = False  # someone took the ticket and called the customer
    unassigned: bool = False  # a new ticket nobody has taken yet
    target: Target | None = None  # open tickets: where the tightest clock stands
    last_at: dt.datetime | None = None  # a reopened ticket: when it was reopened (its clock restarted)


@dataclass(frozen=True)
class Cast:
    """Who plays one ticket's story: its creator, agent, technician, supervisor, quality manager, portal login."""

    creator: User | None
    agent: User
    technician: User
    supervisor: User
    quality: User | None
    portal: User | None

    @classmethod
    def pick(cls, rng: random.Random, base: DemoBase, plan: Plan) -> Cast:
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
