"""Chargeback statements: the cost of each resolved ticket attributed to the party responsible
for it (decided at verification or appraisal: ``Ticket.responsibility`` and
``responsible_party``), per party and period. Read from ``TicketFact`` (its index on
responsibility × resolution day). Scope: finance, supervisors, quality managers and
administrators with data scope "all" (every region) or "region" (their region's tickets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from aftersales.accounts.models import User
from aftersales.core.errors import ValidationFailed
from aftersales.tickets.choices import Responsibility

from ..models import TicketFact
from ..services.rollups import COST_FIELDS
from .common import CHARGEBACK_ROLES, Period, money, ticket_reach

ZERO = Decimal("0")


@dataclass(frozen=True)
class PartyTotal:
    responsibility: str
    responsibility_label: str
    party: str
    tickets: int
    amounts: dict[str, Decimal]
    total: Decimal


@dataclass(frozen=True)
class Statement:
    period: Period
    responsibility: str
    responsibility_label: str
    party: str
    lines: list[TicketFact]
    amounts: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO


def _base(user: User, period: Period) -> Q:
    return (
        ticket_reach(user, roles=CHARGEBACK_ROLES)
        & Q(resolved_day__gte=period.start, resolved_day__lte=period.end, cost_total__gt=0)
        & ~Q(responsibility="")
    )


def chargeback_parties_for_user(*, user: User, period: Period, region: int | None = None) -> list[PartyTotal]:
    """Per responsible party: the resolved tickets with a cost in the period and their amounts."""
    labels = dict(Responsibility.choices)
    qs = TicketFact.objects.filter(_base(user, period))
    if region is not None:
        qs = qs.filter(region_key=region)
    rows = (
        qs.order_by()
        .values("responsibility", "responsible_party")
        .annotate(n=Count("pk"), **{f"s_{name}": Sum(name) for name in COST_FIELDS}, t=Sum("cost_total"))
    )
    out = [
        PartyTotal(
            responsibility=r["responsibility"],
            responsibility_label=str(labels.get(r["responsibility"], r["responsibility"])),
            party=r["responsible_party"],
            tickets=r["n"],
            amounts={name: money(r[f"s_{name}"]) for name in COST_FIELDS},
            total=money(r["t"]),
        )
        for r in rows
    ]
    return sorted(out, key=lambda p: (-p.total, p.responsibility, p.party))


def chargeback_statement_for_user(
    *, user: User, period: Period, responsibility: str, party: str, region: int | None = None
) -> Statement:
    """One party's statement: every ticket charged to it in the period, with its amounts."""
    if responsibility not in Responsibility.values:
        raise ValidationFailed({"responsibility": ["unknown responsibility"]}, code="invalid_responsibility")
    qs = TicketFact.objects.filter(_base(user, period), responsibility=responsibility, responsible_party=party)
    if region is not None:
        qs = qs.filter(region_key=region)
    lines = list(qs.order_by("resolved_day", "number"))
    amounts = {name: money(sum((getattr(line, name) for line in lines), ZERO)) for name in COST_FIELDS}
    return Statement(
        period=period,
        responsibility=responsibility,
        responsibility_label=str(dict(Responsibility.choices)[responsibility]),
        party=party,
        lines=lines,
        amounts=amounts,
        total=money(sum((line.cost_total for line in lines), ZERO)),
    )
