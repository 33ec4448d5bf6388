"""Chargeback statements: the cost of each resolved ticket attributed to the party responsible
for it (decided at verification or appraisal: ``Ticket.responsibility`` and the register entry
``responsible_party_ref``), per party and period. Read from ``TicketFact``: a ticket linked to
the register counts for its entry (``party_key``, one statement per party whatever the spelling
or the responsibility it was charged under); one without (a text-only party, or none) for its
responsibility and text as before. Scope: finance, supervisors, quality managers and
administrators with data scope "all" (every region) or "region" (their region's tickets)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, Sum

from aftersales.accounts.models import User
from aftersales.core.errors import ValidationFailed
from aftersales.parties.kinds import KIND_RESPONSIBILITY, kinds_for
from aftersales.parties.models import ResponsibleParty, party_name_key
from aftersales.tickets.choices import Responsibility

from ..models import TicketFact
from ..services.rollups import COST_FIELDS
from .common import CHARGEBACK_ROLES, Period, money, ticket_reach

ZERO = Decimal("0")


@dataclass(frozen=True)
class PartyTotal:
    responsibility: str
    responsibility_label: str
    party: str  # the register entry's name (in the reader's language), else the text recorded
    tickets: int
    amounts: dict[str, Decimal]
    total: Decimal
    party_code: str = ""  # the register entry's code; "" for a text-only party
    party_kind: str = ""


@dataclass(frozen=True)
class Statement:
    period: Period
    responsibility: str
    responsibility_label: str
    party: str
    lines: list[TicketFact]
    amounts: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO
    party_code: str = ""
    party_kind: str = ""


def _base(user: User, period: Period) -> Q:
    return (
        ticket_reach(user, roles=CHARGEBACK_ROLES)
        & Q(resolved_day__gte=period.start, resolved_day__lte=period.end, cost_total__gt=0)
        & ~Q(responsibility="")
    )


def _labels() -> dict[str, str]:
    return {value: str(label) for value, label in Responsibility.choices}


def chargeback_parties_for_user(*, user: User, period: Period, region: int | None = None) -> list[PartyTotal]:
    """Per responsible party: the resolved tickets with a cost in the period and their amounts
    (a register entry's tickets in one row, "美的供应商" and "美的 供应商" alike)."""
    labels = _labels()
    qs = TicketFact.objects.filter(_base(user, period))
    if region is not None:
        qs = qs.filter(region_key=region)
    sums = {"n": Count("pk"), **{f"s_{name}": Sum(name) for name in COST_FIELDS}, "t": Sum("cost_total")}
    linked = list(qs.filter(party_key__gt=0).order_by().values("party_key").annotate(**sums))
    texts = qs.filter(party_key=0).order_by().values("responsibility", "responsible_party").annotate(**sums)
    parties = ResponsibleParty.objects.in_bulk([r["party_key"] for r in linked])
    out = []
    for r in linked:
        entry = parties.get(r["party_key"])
        if entry is None:  # removed from the register since the refresh: counted as unknown
            continue
        responsibility = KIND_RESPONSIBILITY.get(entry.kind, "")
        out.append(
            PartyTotal(
                responsibility=responsibility,
                responsibility_label=labels.get(responsibility, responsibility),
                party=entry.label,
                tickets=r["n"],
                amounts={name: money(r[f"s_{name}"]) for name in COST_FIELDS},
                total=money(r["t"]),
                party_code=entry.code,
                party_kind=entry.kind,
            )
        )
    out.extend(
        PartyTotal(
            responsibility=r["responsibility"],
            responsibility_label=labels.get(r["responsibility"], r["responsibility"]),
            party=r["responsible_party"],
            tickets=r["n"],
            amounts={name: money(r[f"s_{name}"]) for name in COST_FIELDS},
            total=money(r["t"]),
        )
        for r in texts
    )
    return sorted(out, key=lambda p: (-p.total, p.responsibility, p.party))


def party_entries(responsibility: str, party: str) -> list[ResponsibleParty]:
    """The register entries a statement's or a drill-down's ``party`` names: a code (any kind),
    else a name as compared among the kinds ``responsibility`` allows (all kinds without one)."""
    text = (party or "").strip()
    if not text:
        return []
    by_code = list(ResponsibleParty.objects.filter(code=text.lower()))
    if by_code:
        return by_code
    qs = ResponsibleParty.objects.filter(name_key=party_name_key(text))
    if responsibility:
        qs = qs.filter(kind__in=kinds_for(responsibility))
    return list(qs.order_by("kind", "pk"))


def party_q(responsibility: str, party: str) -> tuple[Q, list[ResponsibleParty]]:
    """The facts charged to ``party`` (see ``party_entries``) and the entries found: a register
    entry's facts whatever their responsibility; without an entry, the facts of that
    responsibility recorded with exactly that text and no entry."""
    entries = party_entries(responsibility, party)
    if entries:
        return Q(party_key__in=[e.pk for e in entries]), entries
    q = Q(party_key=0, responsible_party=party)
    return (q & Q(responsibility=responsibility) if responsibility else q), []


def chargeback_statement_for_user(
    *, user: User, period: Period, responsibility: str, party: str, region: int | None = None
) -> Statement:
    """One party's statement: every ticket charged to it in the period, with its amounts.
    ``party``: the register entry's code or name, or the text recorded on tickets without an
    entry; ``responsibility`` may be empty when ``party`` is a code."""
    if responsibility and responsibility not in Responsibility.values:
        raise ValidationFailed({"responsibility": ["unknown responsibility"]}, code="invalid_responsibility")
    q, entries = party_q(responsibility, party)
    if not entries and not responsibility:
        raise ValidationFailed({"responsibility": ["unknown responsibility"]}, code="invalid_responsibility")
    qs = TicketFact.objects.filter(_base(user, period)).filter(q)
    if region is not None:
        qs = qs.filter(region_key=region)
    lines = list(qs.order_by("resolved_day", "number"))
    amounts = {name: money(sum((getattr(line, name) for line in lines), ZERO)) for name in COST_FIELDS}
    entry = entries[0] if len(entries) == 1 else None
    if entry is not None:
        responsibility = KIND_RESPONSIBILITY.get(entry.kind, responsibility)
    return Statement(
        period=period,
        responsibility=responsibility,
        responsibility_label=_labels().get(responsibility, responsibility),
        party=entry.label if entry is not None else party,
        lines=lines,
        amounts=amounts,
        total=money(sum((line.cost_total for line in lines), ZERO)),
        party_code=entry.code if entry is not None else "",
        party_kind=entry.kind if entry is not None else "",
    )
