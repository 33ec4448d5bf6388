"""First-time-fix rate and repeat repairs (SPEC §5).

A **repair** is a work order of a repair kind (on-site, depot, remote) that was finished (work done
or accepted by the customer, ``completed_at`` set) on a ticket with a registered product unit. It
counts as **fixed the first time** when the same unit (serial) has no new *fault ticket* opened
within ``QUALITY_FTF_WINDOW_DAYS`` (default 30) after the repair was completed. A fault ticket is
what the quality statistics count too (``is_fault_ticket``): a repair, return, exchange or refund
request, or a ticket classified as a quality or function problem, that was not rejected,
cancelled or merged.

The rates are per technician, product model and outlet (the technician's team: the product has no
outlet record of its own; a third-party outlet's technicians form its team). Every function
computes in the database (one grouped query) and returns typed rows; the caller's data scope
applies (staff who do not see every ticket get the repairs of the tickets they see).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, DateTimeField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from aftersales.accounts.models import User
from aftersales.tickets.choices import Nature, RequestType
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors.scope import sees_every_ticket, tickets_visible_to
from aftersales.tickets.states import TicketStatus

from .models import WorkOrder, WorkOrderKind, WorkOrderStatus

FAULT_REQUEST_TYPES = frozenset({RequestType.REPAIR, RequestType.RETURN, RequestType.EXCHANGE, RequestType.REFUND})
FAULT_NATURES = frozenset({Nature.QUALITY, Nature.FUNCTION})
NOT_A_FAULT_STATUSES = frozenset({TicketStatus.REJECTED, TicketStatus.CANCELLED, TicketStatus.MERGED})
REPAIR_KINDS = frozenset({WorkOrderKind.ONSITE_REPAIR, WorkOrderKind.DEPOT_REPAIR, WorkOrderKind.REMOTE_SUPPORT})
FINISHED = frozenset({WorkOrderStatus.DONE, WorkOrderStatus.CUSTOMER_ACCEPTED})
GROUPS = {
    "technician": (
        "technician_id",
        "technician__display_name",
        "technician__first_name",
        "technician__last_name",
        "technician__username",
    ),
    "model": ("ticket__product_unit__model_id", "ticket__product_unit__model__code", "ticket__product_unit__model__name"),
    "outlet": ("technician__team_id", "technician__team__name", "technician__team__name"),
}


def window_days() -> int:
    return int(getattr(settings, "QUALITY_FTF_WINDOW_DAYS", 30))


def fault_ticket_q(prefix: str = "") -> Q:
    """The fault tickets (``prefix`` = ``"ticket__"`` from a related row)."""
    is_fault = Q(**{f"{prefix}request_type__in": FAULT_REQUEST_TYPES}) | Q(**{f"{prefix}nature__in": FAULT_NATURES})
    return is_fault & ~Q(**{f"{prefix}status__in": NOT_A_FAULT_STATUSES})


def is_fault_ticket(ticket: Ticket) -> bool:
    return (ticket.request_type in FAULT_REQUEST_TYPES or ticket.nature in FAULT_NATURES) and (
        ticket.status not in NOT_A_FAULT_STATUSES
    )


@dataclass(frozen=True)
class FtfRow:
    key: int | None
    label: str
    repairs: int
    first_time_fixed: int

    @property
    def repeats(self) -> int:
        return self.repairs - self.first_time_fixed

    @property
    def rate(self) -> float | None:
        """Share fixed the first time (0–1); None without repairs."""
        return self.first_time_fixed / self.repairs if self.repairs else None


@dataclass(frozen=True)
class RepeatRepair:
    serial: str
    model: str
    repairs: int  # repairs of this unit in the period
    repeats: int  # those followed by a new fault ticket within the window
    tickets: tuple[str, ...]  # the numbers of the unit's repaired tickets, oldest first


def repairs(
    *, user: User | None, since: dt.date | None = None, until: dt.date | None = None, days: int | None = None
) -> QuerySet[WorkOrder]:
    """The repairs of the period (completed on ``since`` … ``until`` inclusive), each annotated with
    ``repeated``: a new fault ticket on the same unit within the window. Scoped to the tickets
    ``user`` sees; ``None`` reads every repair, for a caller that checked its own scope (an
    outlet's page reads all of the outlet's work once the reader may see the outlet)."""
    window = dt.timedelta(days=window_days() if days is None else days)
    qs = WorkOrder.objects.filter(
        kind__in=REPAIR_KINDS, status__in=FINISHED, completed_at__isnull=False, ticket__product_unit__isnull=False
    )
    if since is not None:
        qs = qs.filter(completed_at__date__gte=since)
    if until is not None:
        qs = qs.filter(completed_at__date__lte=until)
    if user is not None and not sees_every_ticket(user):
        qs = qs.filter(ticket__in=tickets_visible_to(user).values("pk"))
    later = Ticket.objects.filter(
        fault_ticket_q(),
        product_unit_id=OuterRef("ticket__product_unit_id"),
        created_at__gt=OuterRef("completed_at"),
        created_at__lte=ExpressionWrapper(OuterRef("completed_at") + window, output_field=DateTimeField()),
    ).exclude(pk=OuterRef("ticket_id"))
    return qs.annotate(repeated=Exists(later))


def ftf_rates(
    *, user: User, by: str, since: dt.date | None = None, until: dt.date | None = None, days: int | None = None
) -> list[FtfRow]:
    """First-time-fix rates per ``by`` (technician, model or outlet), most repairs first."""
    if by not in GROUPS:
        raise ValueError(f"unknown grouping {by!r}")
    key, *labels = GROUPS[by]
    rows = (
        repairs(user=user, since=since, until=until, days=days)
        .order_by()
        .values(key, *labels)
        .annotate(n=Count("id"), fixed=Count("id", filter=Q(repeated=False)))
    )
    result = []
    for row in rows:
        if by == "technician":  # named as on every page (``User.label``)
            label = User.label(*(row[name] or "" for name in labels)) or "—"
        else:
            label = " ".join(dict.fromkeys(str(row[name]) for name in labels if row[name])) or "—"
        result.append(FtfRow(key=row[key], label=label, repairs=row["n"], first_time_fixed=row["fixed"]))
    return sorted(result, key=lambda r: (-r.repairs, r.label))


def ftf_total(*, user: User, since: dt.date | None = None, until: dt.date | None = None, days: int | None = None) -> FtfRow:
    counts = repairs(user=user, since=since, until=until, days=days).aggregate(
        n=Count("id"), fixed=Count("id", filter=Q(repeated=False))
    )
    return FtfRow(key=None, label="", repairs=counts["n"] or 0, first_time_fixed=counts["fixed"] or 0)


def repeat_repairs(
    *,
    user: User,
    since: dt.date | None = None,
    until: dt.date | None = None,
    days: int | None = None,
    limit: int = 100,
) -> list[RepeatRepair]:
    """The units repaired more than once in the period or whose repair was followed by a new fault
    ticket within the window, most repairs first."""
    qs = repairs(user=user, since=since, until=until, days=days)
    per_unit = (
        qs.order_by()
        .values("ticket__product_unit_id")
        .annotate(n=Count("id"), repeats=Count("id", filter=Q(repeated=True)))
        .filter(Q(n__gt=1) | Q(repeats__gt=0))
        .order_by("-n", "-repeats", "ticket__product_unit_id")[:limit]
    )
    wanted = {row["ticket__product_unit_id"]: row for row in per_unit}
    if not wanted:
        return []
    tickets: dict[int, list[str]] = {}
    serials: dict[int, tuple[str, str]] = {}
    for unit_id, number, serial, model in (
        qs.filter(ticket__product_unit_id__in=wanted)
        .order_by("completed_at", "id")
        .values_list(
            "ticket__product_unit_id",
            "ticket__number",
            "ticket__product_unit__serial_number",
            "ticket__product_unit__model__code",
        )
    ):
        numbers = tickets.setdefault(unit_id, [])
        if number not in numbers:
            numbers.append(number)
        serials[unit_id] = (serial, model)
    return [
        RepeatRepair(
            serial=serials[unit_id][0],
            model=serials[unit_id][1],
            repairs=row["n"],
            repeats=row["repeats"],
            tickets=tuple(tickets.get(unit_id, ())),
        )
        for unit_id, row in wanted.items()
    ]
