"""Reads for assigning tickets: whom a user may assign to (with role, team, open tickets and
absence, for the forms), who may take which ticket, the active assignment rules (cached for
intake) and the people a rule may choose from. The writes are ``tickets.services.assignment``;
docs/assignment.md explains the rules.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext, ngettext

from aftersales.accounts.models import DataScope, Region, Role, Team, User
from aftersales.catalog.models import ProductModel
from aftersales.core import clock

# A module reference, read at call time: permissions imports the services, which import this.
from .. import permissions
from ..models import AssignmentRule, StaffAbsence, StaffAvailability, StaffSkill, Ticket
from ..states import OPEN_STATUS_LIST

# The forms show a person's open tickets up to this many ("99+"): each count stops there, so a
# person with thousands of open tickets costs no more than one with a hundred.
LOAD_SHOWN_UP_TO = 99
# Least-loaded compares counts up to this many (beyond it, the round-robin order decides).
LOAD_COMPARED_UP_TO = 500


# --- Who may assign whom -----------------------------------------------------------------------


def _handles_tickets(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_customer
        and (user.is_superuser or user.role in permissions.HANDLER_ROLES)
    )


def leads_a_team(user: User) -> bool:
    """Whether ``user`` is the leader of their own team (one query when they have a team)."""
    team_id = user.team_id
    return team_id is not None and Team.objects.filter(pk=team_id, leader_id=user.pk).exists()


def may_assign_others(user: User) -> bool:
    """Supervisors and agents whose data scope is their team, region or everything, and team
    leaders, assign tickets to others; everybody else who handles tickets only takes them."""
    if not _handles_tickets(user):
        return False
    if user.is_superuser or user.data_scope == DataScope.ALL:
        return True
    if user.data_scope == DataScope.TEAM and user.team_id:
        return True
    if user.data_scope == DataScope.REGION and user.region_id:
        return True
    return leads_a_team(user)


def staff_assignable_by(user: User) -> QuerySet[User]:
    """The active staff who handle tickets and are within ``user``'s reach: everybody for the
    scope "all", their region's people (by their own or their team's region) for "region",
    their team for "team" and for a team leader; themselves in any case."""
    staff = (
        User.objects.filter(is_active=True)
        .exclude(role=Role.CUSTOMER)
        .filter(Q(role__in=permissions.HANDLER_ROLES) | Q(is_superuser=True))
    )
    if not _handles_tickets(user):
        return staff.none()
    if user.is_superuser or user.data_scope == DataScope.ALL:
        return staff
    reach = Q(pk=user.pk)
    if user.team_id and (user.data_scope in (DataScope.TEAM, DataScope.REGION) or leads_a_team(user)):
        reach |= Q(team_id=user.team_id)
    if user.data_scope == DataScope.REGION and user.region_id:
        reach |= Q(region_id=user.region_id) | Q(team__region_id=user.region_id)
    return staff.filter(reach)


def claimable_by(ticket: Ticket, user: User) -> bool:
    """Whether ``user`` may take ``ticket`` now: nobody has it, or a member of their team has
    it (or it belongs to their team), and it is not already theirs."""
    if ticket.assignee_id is None:
        return True
    if ticket.assignee_id == user.pk or not user.team_id:
        return False
    if ticket.team_id == user.team_id:
        return True
    return ticket.assignee is not None and ticket.assignee.team_id == user.team_id


# --- The people on the forms ---------------------------------------------------------------------


class _CappedCount(Subquery):
    """``(SELECT COUNT(*) FROM (<subquery LIMIT n>))``: the rows of a sliced subquery, counted."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()


def open_tickets_count(cap: int) -> _CappedCount:
    """Annotation of a user's open tickets, counted up to ``cap`` (an index range scan on
    ``ticket_assignee_status_idx`` that stops after ``cap`` entries)."""
    return _CappedCount(
        Ticket.objects.filter(assignee_id=OuterRef("pk"), status__in=OPEN_STATUS_LIST).order_by().values("assignee_id")[:cap]
    )


def _absent_until(now: dt.datetime) -> Subquery:
    return Subquery(
        StaffAbsence.objects.filter(user_id=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now)
        .order_by("-ends_at")
        .values("ends_at")[:1]
    )


@dataclass(frozen=True)
class AssigneeOption:
    """A person on an assignment form, e.g. "王芳 · 坐席 · 华东一组 · 在办 3"."""

    pk: int
    name: str
    role: str
    team: str
    open_tickets: int
    absent_until: dt.datetime | None

    @property
    def label(self) -> str:
        parts = [self.name, self.role]
        if self.team:
            parts.append(self.team)
        if self.open_tickets > LOAD_SHOWN_UP_TO:
            parts.append(gettext("%(count)s+ open") % {"count": LOAD_SHOWN_UP_TO})
        else:
            parts.append(
                ngettext("%(count)s open ticket", "%(count)s open tickets", self.open_tickets) % {"count": self.open_tickets}
            )
        if self.absent_until is not None:
            parts.append(gettext("away until %(date)s") % {"date": clock.local_date(self.absent_until).strftime("%m-%d")})
        return " · ".join(parts)


def assignee_options(*, actor: User) -> list[AssigneeOption]:
    """Everybody ``actor`` may assign a ticket to, by team and name, with their role, team, open
    tickets and any absence now: one query."""
    now = clock.now()
    rows = (
        staff_assignable_by(actor)
        .annotate(open_tickets=open_tickets_count(LOAD_SHOWN_UP_TO + 1), away_until=_absent_until(now))
        .order_by("team__name", "display_name", "username")
        .values("pk", "display_name", "first_name", "last_name", "username", "role", "team__name", "open_tickets", "away_until")
    )
    roles = dict(Role.choices)
    return [
        AssigneeOption(
            pk=row["pk"],
            name=User.label(row["display_name"], row["first_name"], row["last_name"], row["username"]),
            role=str(roles.get(row["role"], row["role"])),
            team=row["team__name"] or "",
            open_tickets=row["open_tickets"] or 0,
            absent_until=row["away_until"],
        )
        for row in rows
    ]


# --- The rules ----------------------------------------------------------------------------------

RULES_CACHE_KEY = "tickets:assignment-rules:v1"
# How long another process may keep the rules it read (with the per-process default cache; a
# shared cache, Redis, sees a change at once). The periodic sweep catches what that delays.
RULES_CACHE_SECONDS = 60


@dataclass(frozen=True)
class RuleConditions:
    """An active rule's conditions as plain data (what the cache holds)."""

    pk: int
    region_ids: frozenset[int] | None  # the rule's region and the regions within it; None: any
    category_id: int | None
    channel: str
    request_type: str

    def matches(self, ticket: Ticket) -> bool:
        return (
            (self.region_ids is None or ticket.region_id in self.region_ids)
            and (self.category_id is None or ticket.category_id == self.category_id)
            and (not self.channel or ticket.channel == self.channel)
            and (not self.request_type or ticket.request_type == self.request_type)
        )


def _regions_within(region_id: int, children: dict[int, list[int]]) -> frozenset[int]:
    found = {region_id}
    pending = [region_id]
    while pending:
        for child in children.get(pending.pop(), []):
            if child not in found:
                found.add(child)
                pending.append(child)
    return frozenset(found)


def _load_rule_conditions(rules: list[AssignmentRule] | None = None) -> tuple[RuleConditions, ...]:
    if rules is None:
        rules = list(AssignmentRule.objects.filter(active=True).order_by("position", "id"))
    if not rules:
        return ()
    children: dict[int, list[int]] = {}
    if any(rule.region_id for rule in rules):
        for pk, parent_id in Region.objects.filter(parent__isnull=False).values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
    return tuple(
        RuleConditions(
            pk=rule.pk,
            region_ids=_regions_within(rule.region_id, children) if rule.region_id else None,
            category_id=rule.category_id,
            channel=rule.channel,
            request_type=rule.request_type,
        )
        for rule in rules
    )


def active_rule_conditions() -> tuple[RuleConditions, ...]:
    """The active rules' conditions in order, from the cache (no query in steady state; an
    empty tuple when no rule is active)."""
    cached = cache.get(RULES_CACHE_KEY)
    if isinstance(cached, tuple):
        return cached
    loaded = _load_rule_conditions()
    cache.set(RULES_CACHE_KEY, loaded, RULES_CACHE_SECONDS)
    return loaded


def rules_cache_clear() -> None:
    cache.delete(RULES_CACHE_KEY)


def _rules_changed(**_kwargs: Any) -> None:
    # Now (this transaction's own reads see the change) and after the commit (a process that
    # read the old rules meanwhile cached them again).
    rules_cache_clear()
    transaction.on_commit(rules_cache_clear)


post_save.connect(_rules_changed, sender=AssignmentRule, dispatch_uid="tickets-assignment-rules-save")
post_delete.connect(_rules_changed, sender=AssignmentRule, dispatch_uid="tickets-assignment-rules-delete")


def rules_matching(ticket: Ticket) -> list[AssignmentRule]:
    """The active rules whose conditions ``ticket`` meets, in order, read fresh (the job's read,
    not intake's)."""
    rules = list(AssignmentRule.objects.filter(active=True).order_by("position", "id"))
    conditions = _load_rule_conditions(rules)
    return [rule for rule, condition in zip(rules, conditions, strict=True) if condition.matches(ticket)]


# --- A rule's pool --------------------------------------------------------------------------------


@dataclass(frozen=True)
class PoolMember:
    user: User
    open_tickets: int


def _prefer_skilled(members: list[PoolMember], skills: dict[int, set[int]], wanted: int | None) -> list[PoolMember]:
    """Those skilled for ``wanted`` when anybody in the pool declared skills of this kind, else
    (nobody has that skill) those who declared none; everybody when nobody declared any."""
    if wanted is None or not any(skills.get(m.user.pk) for m in members):
        return members
    skilled = [m for m in members if wanted in skills.get(m.user.pk, set())]
    return skilled or [m for m in members if not skills.get(m.user.pk)]


def assignment_pool(*, rule: AssignmentRule, ticket: Ticket, now: dt.datetime | None = None) -> list[PoolMember]:
    """Whom ``rule`` may give ``ticket`` to, by id: the active agents of its team (of the
    ticket's region if the rule says so) who accept new tickets, are below their limit of open
    tickets and not absent now, narrowed by skills (the ticket's category, then its product
    line). Each with their open tickets (counted up to ``LOAD_COMPARED_UP_TO``)."""
    now = now or clock.now()
    people = User.objects.filter(is_active=True, role=Role.AGENT, team_id=rule.team_id)
    if rule.members_of_ticket_region:
        if ticket.region_id is None:
            return []
        people = people.filter(region_id=ticket.region_id)
    people = (
        people.exclude(Exists(StaffAbsence.objects.filter(user_id=OuterRef("pk"), starts_at__lte=now, ends_at__gt=now)))
        .exclude(Exists(StaffAvailability.objects.filter(user_id=OuterRef("pk"), accepts_new_tickets=False)))
        .annotate(
            open_tickets=open_tickets_count(LOAD_COMPARED_UP_TO),
            open_limit=Subquery(StaffAvailability.objects.filter(user_id=OuterRef("pk")).values("max_open_tickets")[:1]),
        )
        .order_by("pk")
    )
    members = []
    for user in people:
        load, limit = getattr(user, "open_tickets", 0) or 0, getattr(user, "open_limit", None)
        if limit is None or load < limit:
            members.append(PoolMember(user=user, open_tickets=load))
    if not members:
        return members
    categories: dict[int, set[int]] = {}
    products: dict[int, set[int]] = {}
    for user_id, category_id, product_category_id in StaffSkill.objects.filter(
        user_id__in=[m.user.pk for m in members]
    ).values_list("user_id", "category_id", "product_category_id"):
        if category_id is not None:
            categories.setdefault(user_id, set()).add(category_id)
        if product_category_id is not None:
            products.setdefault(user_id, set()).add(product_category_id)
    members = _prefer_skilled(members, categories, ticket.category_id)
    if products and ticket.product_model_id is not None:
        product_line = ProductModel.objects.filter(pk=ticket.product_model_id).values_list("category_id", flat=True).first()
        members = _prefer_skilled(members, products, product_line)
    return members
