"""Reads of returns and exchanges, scoped to the reader: a customer their own; staff the RMAs of
the tickets in their data scope and, for warehouse staff, those of the warehouses in theirs.

``rma_for_measure`` is what the apps above read (``compensation``'s refund waits for the goods
of a return to be received and inspected): a plain fact, no scope (the caller checks its own).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.parts.models import Warehouse, WarehouseKind
from aftersales.parts.permissions import is_stock_staff, warehouses_visible_to
from aftersales.tickets.models import MeasureKind, MeasureStatus, PlanMeasure, PlanStatus, Ticket
from aftersales.tickets.selectors import tickets_visible_to

from .models import ReturnAuthorization, RmaKind, RmaStatus
from .states import EXPECTED_STATUSES

R = RmaStatus
_JOINED = ("ticket", "unit", "unit__model", "warehouse", "customer", "replacement_unit", "replacement_part")


def rmas_visible_to(user: User) -> QuerySet[ReturnAuthorization]:
    qs = ReturnAuthorization.objects.all()
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_customer:
        return qs.filter(ticket__customer__user=user)
    condition = Q(ticket__in=tickets_visible_to(user))
    if is_stock_staff(user):
        condition |= Q(warehouse__in=warehouses_visible_to(user))
    return qs.filter(condition)


def rma_get_for_user(*, user: User, number: str) -> ReturnAuthorization:
    """The RMA ``number`` if ``user`` may see it; ``NotFound`` otherwise (no existence leak)."""
    found = rmas_visible_to(user).select_related(*_JOINED).filter(number=number).first()
    if found is None:
        raise NotFound("return not found")
    return found


def ticket_rmas(*, user: User, ticket: Ticket) -> list[ReturnAuthorization]:
    return list(rmas_visible_to(user).filter(ticket=ticket).select_related(*_JOINED).order_by("created_at", "id"))


def measures_open_for_rma(*, ticket: Ticket) -> list[PlanMeasure]:
    """Return and exchange measures of the current, agreed plan without a live RMA."""
    measures = PlanMeasure.objects.filter(
        plan__ticket=ticket,
        plan__is_current=True,
        plan__status=PlanStatus.AGREED,
        kind__in=[MeasureKind.RETURN, MeasureKind.EXCHANGE],
        status__in=[MeasureStatus.PENDING, MeasureStatus.IN_PROGRESS],
    ).order_by("position", "id")
    live = set(
        ReturnAuthorization.objects.filter(measure__in=measures).exclude(status=R.CANCELLED).values_list("measure_id", flat=True)
    )
    return [m for m in measures if m.pk not in live]


def receiving_warehouses(*, user: User) -> QuerySet[Warehouse]:
    """Warehouses a return may be sent to (central and regional, active)."""
    return Warehouse.objects.filter(active=True).exclude(kind=WarehouseKind.VAN).order_by("kind", "code")


def warehouse_worklist(*, user: User, view: str = "expected", limit: int = 200) -> list[ReturnAuthorization]:
    """The warehouse keeper's list: returns ``expected`` (on their way), ``received`` (to inspect
    or to ship the replacement for) or ``done`` (latest completed and cancelled). The open views
    put urgent tickets first (SPEC §2.4)."""
    qs = rmas_visible_to(user).select_related(*_JOINED)
    if view == "received":
        qs = qs.filter(status__in=[R.RECEIVED, R.INSPECTION_FAILED, R.INSPECTED, R.REPLACEMENT_SHIPPED]).order_by(
            "ticket__priority", "received_at", "id"
        )
    elif view == "done":
        qs = qs.filter(status__in=[R.COMPLETED, R.CANCELLED, R.DELIVERED]).order_by("-updated_at", "-id")
    else:
        qs = qs.filter(status__in=EXPECTED_STATUSES).order_by("ticket__priority", "created_at", "id")
    return list(qs[:limit])


@dataclass(frozen=True)
class RmaFact:
    """What another app may rely on about a measure's return or exchange."""

    number: str
    kind: str
    status: str
    received_at: dt.datetime | None
    inspected_at: dt.datetime | None
    completed_at: dt.datetime | None
    inspection_passed: bool

    @property
    def received_and_inspected(self) -> bool:
        """The goods are back and passed the inspection (or were accepted after it)."""
        return self.inspection_passed


def rma_for_measure(*, measure_id: int) -> RmaFact | None:
    """The live (or, without one, the latest) RMA of a plan measure, as a fact; ``None`` when
    the measure was never authorised as a return."""
    rows = ReturnAuthorization.objects.filter(measure_id=measure_id).order_by("-created_at", "-id")
    rma = rows.exclude(status=R.CANCELLED).first() or rows.first()
    if rma is None:
        return None
    passed = rma.status in {R.INSPECTED, R.REPLACEMENT_SHIPPED, R.DELIVERED, R.COMPLETED}
    return RmaFact(
        number=rma.number,
        kind=rma.kind,
        status=rma.status,
        received_at=rma.received_at,
        inspected_at=rma.inspected_at,
        completed_at=rma.completed_at,
        inspection_passed=passed,
    )


def goods_received_and_inspected(*, measure_id: int) -> bool:
    fact = rma_for_measure(measure_id=measure_id)
    return fact is not None and fact.received_and_inspected


__all__ = [
    "RmaFact",
    "RmaKind",
    "goods_received_and_inspected",
    "measures_open_for_rma",
    "rma_for_measure",
    "rma_get_for_user",
    "rmas_visible_to",
    "ticket_rmas",
    "warehouse_worklist",
]
