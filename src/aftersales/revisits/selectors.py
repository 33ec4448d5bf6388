"""Reads of the revisits, always scoped to the reader (``permissions``):

* agents, supervisors, quality managers and administrators by their data scope: their own
  revisits (own), their team's (team), their region's (region; a regional supervisor also the
  revisits of customers without a region), every one (all);
* every other role and customers: none.

The compliance figures (``compliance``) count the key and long-term customers the reader's scope
reaches and how many of them were reached within their policy's period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.catalog.warranty import add_months
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.customers.models import Customer
from aftersales.tickets.selectors import tickets_visible_to

from .models import OPEN_STATUSES, CallOutcome, Revisit, RevisitCall, RevisitPolicy, RevisitReason, RevisitStatus
from .permissions import reads_revisits


def _scope_q(user: User) -> Q | None:
    """The reader's scope as a filter on revisits; None for everything."""
    if user.is_superuser or user.data_scope == DataScope.ALL:
        return None
    own = Q(assignee=user)
    if user.data_scope == DataScope.TEAM and user.team_id:
        return own | Q(team_id=user.team_id)
    if user.data_scope == DataScope.REGION and user.region_id:
        if user.role == Role.SUPERVISOR:
            return own | Q(region_id=user.region_id) | Q(region__isnull=True)
        return own | Q(region_id=user.region_id)
    return own


def revisits_visible_to(user: User) -> QuerySet[Revisit]:
    """Every revisit ``user`` may read (see the module's doc)."""
    qs = Revisit.objects.select_related("customer", "assignee", "ticket", "raised_ticket", "region")
    if not reads_revisits(user):
        return qs.none()
    scope = _scope_q(user)
    return qs if scope is None else qs.filter(scope)


def revisit_get_for_user(*, user: User, revisit_id: int) -> Revisit:
    """The revisit if ``user`` may read it; ``NotFound`` otherwise (no existence leak)."""
    revisit = revisits_visible_to(user).filter(pk=revisit_id).first()
    if revisit is None:
        raise NotFound(_("No such revisit."), code="revisit_not_found")
    return revisit


def revisit_calls(*, revisit: Revisit) -> list[RevisitCall]:
    """The calls of a revisit the caller already read, oldest first, with their complaints."""
    return list(revisit.calls.select_related("called_by", "raised_ticket").prefetch_related("complaints__staff"))


@dataclass(frozen=True)
class QueueFilters:
    status: str = "open"  # open, a RevisitStatus value, or "all"
    reason: str = ""
    overdue: bool = False
    mine: bool = False
    unassigned: bool = False
    query: str = ""


def revisit_queue(*, user: User, filters: QueueFilters, today: dt.date | None = None) -> QuerySet[Revisit]:
    """The revisits ``user`` may read that match ``filters``: overdue first (the oldest due
    date first), then the ones due next."""
    today = today or clock.local_today()
    qs = revisits_visible_to(user)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status in RevisitStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.reason in RevisitReason.values:
        qs = qs.filter(reason=filters.reason)
    if filters.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, due_date__lt=today)
    if filters.mine:
        qs = qs.filter(assignee=user)
    elif filters.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if filters.query.strip():
        qs = qs.filter(customer__name__icontains=filters.query.strip()[:64])
    if filters.status in ("open", RevisitStatus.DUE, RevisitStatus.RETRY, RevisitStatus.ESCALATED):
        return qs.order_by("due_date", "id")
    return qs.order_by("-due_date", "-id")


def policy_months() -> dict[str, int]:
    """The active policies: tier → at least every so many months."""
    return dict(RevisitPolicy.objects.filter(active=True).values_list("tier", "interval_months"))


def last_reached(*, customer_ids: list[int] | None = None) -> dict[int, dt.datetime]:
    """Customer id → when the customer was last reached on a revisit call (any reason)."""
    qs = Revisit.objects.filter(status=RevisitStatus.DONE, outcome=CallOutcome.REACHED)
    if customer_ids is not None:
        qs = qs.filter(customer_id__in=customer_ids)
    return dict(qs.values("customer_id").annotate(last=Max("completed_at")).values_list("customer_id", "last"))


@dataclass
class CustomerRevisits:
    """The customer card's revisit summary: the latest revisits and the next due date."""

    visible: bool = False
    revisits: list[Revisit] = field(default_factory=list)
    next_due: dt.date | None = None
    more: bool = False
    consent: bool = True


HISTORY_ON_CARD = 3


def customer_revisits(*, user: User, customer: Customer, limit: int = HISTORY_ON_CARD) -> CustomerRevisits:
    """What the customer card shows ``user``: the latest revisits (every one the customer had:
    the history belongs to the customer, not to one agent's queue) and the next due date — the
    open revisit's, else the tier's policy from the last time the customer was reached."""
    if not reads_revisits(user):
        return CustomerRevisits()
    rows = list(
        Revisit.objects.filter(customer=customer)
        .select_related("assignee", "raised_ticket")
        .order_by("-due_date", "-id")[: limit + 1]
    )
    summary = CustomerRevisits(visible=True, revisits=rows[:limit], more=len(rows) > limit, consent=customer.consent_contact)
    open_ = [r for r in rows if r.is_open]
    if open_:
        summary.next_due = min(r.due_date for r in open_)
    elif customer.consent_contact:
        months = policy_months().get(customer.tier)
        if months:
            since = last_reached(customer_ids=[customer.pk]).get(customer.pk) or customer.created_at
            summary.next_due = add_months(clock.local_date(since), months)
    return summary


def customer_for_card(*, user: User, customer_id: int) -> Customer:
    """The customer whose revisit history ``user`` reads: one of whose tickets or revisits is in
    the reader's scope (the customer card of a ticket they see); ``NotFound`` otherwise."""
    customer = Customer.objects.filter(pk=customer_id).first() if reads_revisits(user) else None
    if customer is not None and _scope_q(user) is not None:
        reachable = (
            tickets_visible_to(user).filter(customer_id=customer_id).exists()
            or revisits_visible_to(user).filter(customer_id=customer_id).exists()
        )
        customer = customer if reachable else None
    if customer is None:
        raise NotFound(_("No such customer."), code="customer_not_found")
    return customer


def customer_revisit_history(*, user: User, customer_id: int) -> tuple[Customer, list[Revisit]]:
    """The customer's every revisit, newest first, for the history page."""
    customer = customer_for_card(user=user, customer_id=customer_id)
    rows = list(
        Revisit.objects.filter(customer=customer)
        .select_related("assignee", "ticket", "raised_ticket")
        .prefetch_related("calls__called_by")
        .order_by("-due_date", "-id")
    )
    return customer, rows


# ---- Compliance -------------------------------------------------------------------------------

# The groupings of the compliance figures (``ComplianceRow.by``) and the key of "none" in links.
BY_TIER, BY_REGION, BY_AGENT = "tier", "region", "agent"
NO_KEY = "-"
# Which customers of a row the drill-down lists: "" every eligible one, or those (not) revisited.
REVISITED, MISSED = "revisited", "missed"


@dataclass
class ComplianceRow:
    key: str  # the tier, the region's code or the agent's user name; "" for none
    label: str
    eligible: int = 0
    revisited: int = 0
    by: str = ""  # BY_TIER, BY_REGION, BY_AGENT; "" for the total

    @property
    def share(self) -> float | None:
        return self.revisited / self.eligible if self.eligible else None

    @property
    def percent(self) -> str:
        share = self.share
        return "—" if share is None else f"{share * 100:.0f}%"

    @property
    def missed(self) -> int:
        return self.eligible - self.revisited

    def query(self, state: str = "") -> str:
        """The compliance page's query string listing this row's customers (``state``: only the
        revisited or the missed ones)."""
        params = {"by": self.by, "key": self.key or NO_KEY} if self.by else {}
        if state:
            params["state"] = state
        return urlencode(params)


@dataclass
class Compliance:
    on: dt.date
    total: ComplianceRow
    by_tier: list[ComplianceRow]
    by_region: list[ComplianceRow]
    by_agent: list[ComplianceRow]


@dataclass(frozen=True)
class ComplianceCustomer:
    """One eligible customer behind the figures: whether they were reached in time, when last,
    and by when the next call is due."""

    customer_id: int
    name: str
    tier: str
    tier_label: str
    region_code: str
    region_label: str
    agent_username: str
    agent_label: str
    last_reached: dt.date | None
    due_by: dt.date | None  # the last reached call + the policy's months; None: never reached
    revisited: bool

    def keys(self) -> dict[str, str]:
        return {BY_TIER: self.tier, BY_REGION: self.region_code, BY_AGENT: self.agent_username}


def _customer_scope_q(user: User) -> Q | None:
    """Customers whose figures ``user`` reads: by region for a regional scope, by the agent of
    their latest periodic revisit for own/team (every customer for "all")."""
    if user.is_superuser or user.data_scope == DataScope.ALL:
        return None
    if user.data_scope == DataScope.REGION and user.region_id:
        return Q(region_id=user.region_id)
    if user.data_scope == DataScope.TEAM and user.team_id:
        return Q(revisits__team_id=user.team_id) | Q(revisits__assignee__team_id=user.team_id)
    return Q(revisits__assignee=user)


def compliance_customers(*, user: User, on: dt.date | None = None) -> list[ComplianceCustomer]:
    """Every key and long-term customer (with consent to be contacted, not erased) whose figures
    ``user`` reads, with whether they were reached on a revisit call within their tier's period
    before ``on``, by name. A customer counts as revisited when their last reached call is no
    older than the policy's months before ``on`` (``add_months(last, months) >= on``); their
    agent is the agent of their latest periodic revisit ("" when there is none)."""
    on = on or clock.local_today()
    months = policy_months()
    if not reads_revisits(user) or not months:
        return []
    customers = Customer.objects.filter(tier__in=list(months), consent_contact=True, erased_at__isnull=True)
    scope = _customer_scope_q(user)
    if scope is not None:
        customers = customers.filter(scope)
    rows = list(customers.distinct().order_by("name", "pk").values_list("pk", "name", "tier", "region_id"))
    ids = [pk for pk, _name, _tier, _region in rows]
    reached = last_reached(customer_ids=ids) if ids else {}
    latest_agent: dict[int, int | None] = {}
    for customer_id, assignee_id in (
        Revisit.objects.filter(customer_id__in=ids, reason=RevisitReason.PERIODIC)
        .order_by("customer_id", "due_date", "id")
        .values_list("customer_id", "assignee_id")
    ):
        latest_agent[customer_id] = assignee_id  # the last one per customer wins
    regions = {r.pk: r for r in Region.objects.filter(pk__in={region for *_rest, region in rows if region})}
    agents = {u.pk: u for u in User.objects.filter(pk__in={a for a in latest_agent.values() if a})}
    tier_labels = dict(Customer._meta.get_field("tier").choices or [])
    result = []
    for pk, name, tier, region_id in rows:
        last = clock.local_date(reached[pk]) if pk in reached else None
        due_by = add_months(last, months[tier]) if last is not None else None
        region = regions.get(region_id) if region_id else None
        agent_id = latest_agent.get(pk)
        agent = agents.get(agent_id) if agent_id else None
        result.append(
            ComplianceCustomer(
                customer_id=pk,
                name=name,
                tier=tier,
                tier_label=str(tier_labels.get(tier, tier)),
                region_code=region.code if region is not None else "",
                region_label=region.name if region is not None else str(_("No region")),
                agent_username=agent.username if agent is not None else "",
                agent_label=str(agent) if agent is not None else str(_("Not assigned")),
                last_reached=last,
                due_by=due_by,
                revisited=due_by is not None and due_by >= on,
            )
        )
    return result


def compliance(*, user: User, on: dt.date | None = None) -> Compliance:
    """The share of key and long-term customers (``compliance_customers``) reached on a revisit
    call within their tier's period before ``on``, in total, per tier, per region (the
    customer's) and per agent (the agent of the customer's latest periodic revisit; "not
    assigned" when there is none)."""
    on = on or clock.local_today()
    return compliance_of(compliance_customers(user=user, on=on), on=on)


def compliance_of(customers: list[ComplianceCustomer], *, on: dt.date) -> Compliance:
    """The figures of ``compliance`` from its customers."""
    total = ComplianceRow("", str(_("All")))
    by_tier: dict[str, ComplianceRow] = {}
    by_region: dict[str, ComplianceRow] = {}
    by_agent: dict[str, ComplianceRow] = {}
    for c in customers:
        tier = by_tier.setdefault(c.tier, ComplianceRow(c.tier, c.tier_label, by=BY_TIER))
        region = by_region.setdefault(c.region_code, ComplianceRow(c.region_code, c.region_label, by=BY_REGION))
        agent = by_agent.setdefault(c.agent_username, ComplianceRow(c.agent_username, c.agent_label, by=BY_AGENT))
        for row in (total, tier, region, agent):
            row.eligible += 1
            row.revisited += int(c.revisited)
    return Compliance(
        on,
        total,
        sorted(by_tier.values(), key=lambda r: r.key),
        sorted(by_region.values(), key=lambda r: (r.key == "", r.key)),
        sorted(by_agent.values(), key=lambda r: (r.key == "", r.label)),
    )


def compliance_filter(
    customers: list[ComplianceCustomer], *, by: str = "", key: str = "", state: str = ""
) -> list[ComplianceCustomer]:
    """The customers behind one figure: of the row ``by`` × ``key`` (``NO_KEY`` for "none"; every
    customer without ``by``), and with ``state`` only the revisited or the missed ones."""
    if by in (BY_TIER, BY_REGION, BY_AGENT):
        wanted = "" if key == NO_KEY else key
        customers = [c for c in customers if c.keys()[by] == wanted]
    if state == REVISITED:
        customers = [c for c in customers if c.revisited]
    elif state == MISSED:
        customers = [c for c in customers if not c.revisited]
    return customers


def compliance_choice(params: Mapping[str, str]) -> tuple[str, str, str]:
    """(by, key, state) from the compliance page's query string; without ``by`` nor ``state``
    the customers not reached in time (what to act on), ``state=all`` every one."""
    by, key = params.get("by", "") or "", (params.get("key", "") or "")[:150]
    state = params.get("state") or ("" if by else MISSED)
    return by, key, state if state in (REVISITED, MISSED) else ""
