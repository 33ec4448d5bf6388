"""Creating the due revisits, exactly once.

``revisits_schedule`` (the periodic job) creates

* a **periodic** revisit for each key or long-term customer (a tier with an active policy) who
  consents to be contacted and has no open periodic revisit, once the day it falls due — the
  policy's months after the customer was last reached (or registered) — is within
  ``REVISIT_LEAD_DAYS`` (default 14);
* an **after-ticket** revisit for each ticket closed in the last ``REVISIT_TICKET_LOOKBACK_DAYS``
  (default 90) whose request type has an active rule, due the rule's days after closing, once
  that day is within the lead days.

Exactly once: each row is inserted in its own transaction against the database's unique
constraints (one per customer and period, one per ticket, one open periodic revisit per
customer); a second run, or a second worker at the same moment, hits the constraint and creates
nothing. The new revisit goes to the least-loaded agent of the customer's region (the ticket's
team first for an after-ticket revisit); with none there it waits unassigned for a supervisor.
Open revisits of customers who withdrew their consent are cancelled by the same run.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.audit.services import audit_record
from aftersales.catalog.warranty import add_months
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.customers.models import Customer
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus

from ..audit_actions import RevisitAudit
from ..models import OPEN_STATUSES, AfterTicketRule, Revisit, RevisitReason, RevisitStatus
from ..selectors import last_reached, policy_months
from ..states import REVISIT_STATES


def lead_days() -> int:
    return int(getattr(settings, "REVISIT_LEAD_DAYS", 14))


def ticket_lookback_days() -> int:
    return int(getattr(settings, "REVISIT_TICKET_LOOKBACK_DAYS", 90))


@dataclass
class ScheduleResult:
    periodic: int = 0
    after_ticket: int = 0
    cancelled: int = 0

    @property
    def created(self) -> int:
        return self.periodic + self.after_ticket


class _Agents:
    """The least-loaded active agent of a region or a team, counted once per run."""

    def __init__(self) -> None:
        agents = list(
            User.objects.filter(role=Role.AGENT, is_active=True)
            .select_related("team")
            .only("pk", "region_id", "team_id", "team__region_id")
        )
        self.by_id = {a.pk: a for a in agents}
        self.load: Counter[int] = Counter(
            dict(
                Revisit.objects.filter(status__in=OPEN_STATUSES, assignee_id__in=list(self.by_id))
                .values("assignee_id")
                .annotate(n=Count("id"))
                .values_list("assignee_id", "n")
            )
        )

    def _pick(self, candidates: list[User]) -> User | None:
        if not candidates:
            return None
        chosen = min(candidates, key=lambda a: (self.load[a.pk], a.pk))
        self.load[chosen.pk] += 1
        return chosen

    def choose(self, *, region_id: int | None, team_id: int | None = None) -> User | None:
        if team_id is not None:
            chosen = self._pick([a for a in self.by_id.values() if a.team_id == team_id])
            if chosen is not None:
                return chosen
        if region_id is None:
            return None

        def region_of(agent: User) -> int | None:
            return agent.region_id or (agent.team.region_id if agent.team is not None else None)

        return self._pick([a for a in self.by_id.values() if region_of(a) == region_id])


def _create(*, values: dict[str, object], agents: _Agents, region_id: int | None, team_id: int | None) -> bool:
    """Insert one revisit unless its natural key exists; True when this call created it."""
    assignee = agents.choose(region_id=region_id, team_id=team_id)
    now = clock.now()
    try:
        with transaction.atomic():
            revisit = Revisit.objects.create(
                **values,
                region_id=region_id,
                team_id=(assignee.team_id if assignee is not None else team_id),
                assignee=assignee,
                status=RevisitStatus.DUE,
                created_at=now,
                updated_at=now,
            )
            audit_record(
                action=RevisitAudit.CREATED,
                obj=revisit,
                actor_label="system",
                changes={"reason": values["reason"], "due_date": str(values["due_date"]), "assignee": str(assignee or "")},
            )
    except IntegrityError:
        if assignee is not None:
            agents.load[assignee.pk] -= 1
        return False
    return True


def _schedule_periodic(*, today: dt.date, agents: _Agents) -> int:
    months = policy_months()
    if not months:
        return 0
    horizon = today + dt.timedelta(days=lead_days())
    open_periodic = Revisit.objects.filter(customer=OuterRef("pk"), reason=RevisitReason.PERIODIC, status__in=OPEN_STATUSES)
    candidates = list(
        Customer.objects.filter(tier__in=list(months), consent_contact=True, erased_at__isnull=True)
        .exclude(Exists(open_periodic))
        .values_list("pk", "tier", "region_id", "created_at")
    )
    reached = last_reached(customer_ids=[c[0] for c in candidates]) if candidates else {}
    created = 0
    for pk, tier, region_id, created_at in candidates:
        since = reached.get(pk) or created_at
        due = add_months(clock.local_date(since), months[tier])
        if due > horizon:
            continue
        if Revisit.objects.filter(customer_id=pk, reason=RevisitReason.PERIODIC, period=due).exists():
            continue  # this period's revisit was done or cancelled already
        values = {"customer_id": pk, "reason": RevisitReason.PERIODIC, "period": due, "due_date": due}
        created += _create(values=values, agents=agents, region_id=region_id, team_id=None)
    return created


def _schedule_after_tickets(*, today: dt.date, agents: _Agents) -> int:
    rules = dict(AfterTicketRule.objects.filter(active=True).values_list("request_type", "days_after_close"))
    if not rules:
        return 0
    now = clock.now()
    since = now - dt.timedelta(days=ticket_lookback_days())
    horizon = today + dt.timedelta(days=lead_days())
    has_revisit = Revisit.objects.filter(ticket=OuterRef("pk"), reason=RevisitReason.AFTER_TICKET)
    tickets = (
        Ticket.objects.filter(
            status=TicketStatus.CLOSED,
            closed_at__gte=since,
            request_type__in=list(rules),
            customer__consent_contact=True,
            customer__erased_at__isnull=True,
        )
        .exclude(Exists(has_revisit))
        .values_list("pk", "customer_id", "request_type", "closed_at", "region_id", "team_id", "customer__region_id")
    )
    created = 0
    for pk, customer_id, request_type, closed_at, region_id, team_id, customer_region in tickets:
        if closed_at is None:  # pragma: no cover - filtered above
            continue
        due = clock.local_date(closed_at) + dt.timedelta(days=rules[request_type])
        if due > horizon:
            continue
        values = {"customer_id": customer_id, "reason": RevisitReason.AFTER_TICKET, "ticket_id": pk, "due_date": due}
        created += _create(values=values, agents=agents, region_id=region_id or customer_region, team_id=team_id)
    return created


def _cancel_without_consent() -> int:
    """Open revisits of customers who withdrew their consent to be contacted (or were erased)."""
    cancelled = 0
    ids = list(
        Revisit.objects.filter(status__in=OPEN_STATUSES)
        .filter(Q(customer__consent_contact=False) | Q(customer__erased_at__isnull=False))
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            revisit = Revisit.objects.select_for_update().filter(pk=pk, status__in=OPEN_STATUSES).first()
            if revisit is None:
                continue
            REVISIT_STATES.check(revisit.status, RevisitStatus.CANCELLED)
            before = revisit.status
            revisit.status = RevisitStatus.CANCELLED
            revisit.version += 1
            revisit.updated_at = clock.now()
            revisit.save(update_fields=["status", "version", "updated_at"])
            audit_record(
                action=RevisitAudit.CANCELLED,
                obj=revisit,
                actor_label="system",
                changes={"status": [before, RevisitStatus.CANCELLED], "reason": "consent_contact"},
            )
            cancelled += 1
    return cancelled


def revisits_schedule(*, today: dt.date | None = None) -> ScheduleResult:
    """Create every due revisit not created yet and cancel those whose customer withdrew
    consent (see the module's doc). Safe to run any number of times, also concurrently."""
    today = today or clock.local_today()
    agents = _Agents()
    result = ScheduleResult(cancelled=_cancel_without_consent())
    result.periodic = _schedule_periodic(today=today, agents=agents)
    result.after_ticket = _schedule_after_tickets(today=today, agents=agents)
    return result


def revisit_create(
    *,
    customer: Customer,
    due_date: dt.date,
    assignee: User | None = None,
    ticket: Ticket | None = None,
    actor: User | None = None,
) -> Revisit:
    """Plan one revisit by hand (a periodic one, or after ``ticket``), for a customer who
    consents to be contacted; an existing revisit of the same natural key is returned as it is."""
    if not customer.consent_contact:
        raise DomainError(
            _("%(customer)s does not consent to service contact (consent_contact); no revisit may be planned.")
            % {"customer": customer.name},
            code="revisit_no_consent",
            field="consent_contact",
        )
    if ticket is not None:
        values: dict[str, object] = {"customer_id": customer.pk, "reason": RevisitReason.AFTER_TICKET, "ticket_id": ticket.pk}
        existing = Revisit.objects.filter(reason=RevisitReason.AFTER_TICKET, ticket=ticket).first()
    else:
        values = {"customer_id": customer.pk, "reason": RevisitReason.PERIODIC, "period": due_date}
        existing = (
            Revisit.objects.filter(reason=RevisitReason.PERIODIC, customer=customer)
            .filter(Q(period=due_date) | Q(status__in=OPEN_STATUSES))
            .first()
        )
    if existing is not None:
        return existing
    now = clock.now()
    with transaction.atomic():
        revisit = Revisit.objects.create(
            **values,
            due_date=due_date,
            region_id=(ticket.region_id if ticket is not None and ticket.region_id else customer.region_id),
            team_id=assignee.team_id if assignee is not None else None,
            assignee=assignee,
            status=RevisitStatus.DUE,
            created_at=now,
            updated_at=now,
        )
        audit_record(
            action=RevisitAudit.CREATED,
            obj=revisit,
            actor=actor,
            actor_label="" if actor else "system",
            changes={"reason": str(values["reason"]), "due_date": str(due_date), "assignee": str(assignee or "")},
        )
    return revisit
