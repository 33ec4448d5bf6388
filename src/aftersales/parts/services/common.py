"""What the parts services share: the checks of lines, warehouses and work orders, the entry on
the work order's ticket timeline, and the locks of a job.

Lock order (``tickets.locking``): a service that concerns a work order locks its ticket, then the
work order (``lock_job``), then its own document, then the stock rows in primary-key order
(``stock.lock_stock``). Field service takes the ticket and the work order in the same order, so a
parts document and a field-service step on the same job wait for each other instead of
deadlocking (a row inserted with a foreign key to the work order or the ticket — a movement, a
timeline entry — takes a share lock on that row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import Deferred
from aftersales.tickets.choices import EventKind, Priority
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.process.common import timeline

from ..models import Part, Warehouse, WarehouseKind

MAX_LINES = 50
MAX_QUANTITY = 10_000
# Work order statuses after which no parts are requested or recorded any more.
CLOSED_WORK_ORDER_STATUSES = frozenset({"cancelled", "failed", "customer_accepted"})


def work_order_model() -> Any:
    """Field service's work order (parts is below field service: looked up, never imported)."""
    return apps.get_model("fieldservice", "WorkOrder")


def lock_job(*, work_order_id: int, ticket_id: int | None = None) -> Any:
    """Lock the work order's ticket, then the work order; returns the locked work order with its
    locked ticket. Call it before locking the parts document or any stock row."""
    model = work_order_model()
    if ticket_id is None:
        ticket_id = model.objects.filter(pk=work_order_id).values_list("ticket_id", flat=True).get()
    ticket = lock_ticket(ticket_id)
    work_order = model.objects.select_for_update().get(pk=work_order_id)
    work_order.ticket = ticket
    return work_order


def ticket_of(work_order: Any) -> Any:
    return work_order.ticket if work_order is not None else None


def is_urgent(work_order: Any) -> bool:
    ticket = ticket_of(work_order)
    return bool(ticket is not None and ticket.priority == Priority.URGENT)


def add_timeline(*, work_order: Any, actor: User | None, body: Deferred, data: dict[str, Any]) -> None:
    """An internal entry on the work order's ticket (parts are not the customer's business).
    ``body``: the system's words (``core.i18n.deferred``), read in the reader's language."""
    ticket = ticket_of(work_order)
    if ticket is None:
        return
    timeline(ticket=ticket, actor=actor, text=body, public=False, kind=EventKind.NOTE, data={"parts": True, **data})


def lines_text(lines: Sequence[tuple[Part, int]]) -> list[str]:
    """The lines for a deferred text's list parameter: joined by the reader's separator
    ("电脑板×1、门封条×2" / "电脑板×1, 门封条×2")."""
    return [f"{part.name}×{quantity}" for part, quantity in lines]


def clean_lines(lines: Sequence[tuple[Part, int]], *, field: str = "lines", allow_empty: bool = False) -> list[tuple[Part, int]]:
    """Merge repeated parts, refuse non-positive quantities, inactive parts and too many lines."""
    merged: dict[int, tuple[Part, int]] = {}
    for part, quantity in lines:
        if not isinstance(quantity, int) or quantity <= 0 or quantity > MAX_QUANTITY:
            raise ValidationFailed(
                {field: [_("Each quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY}]},
                code="quantity_invalid",
            )
        if not part.active:
            raise ValidationFailed({field: [_("%(part)s is no longer in the catalogue.") % {"part": part}]}, code="part_inactive")
        previous = merged.get(part.pk)
        merged[part.pk] = (part, quantity + (previous[1] if previous else 0))
    if not merged and not allow_empty:
        raise ValidationFailed({field: [_("Add at least one part.")]}, code="lines_required")
    if len(merged) > MAX_LINES:
        raise ValidationFailed({field: [_("At most %(max)d parts per document.") % {"max": MAX_LINES}]}, code="too_many_lines")
    return list(merged.values())


def require_open_work_order(work_order: Any) -> None:
    if work_order.technician_id is None:
        raise DomainError(_("Dispatch the work order to a technician first."), code="no_technician", field="work_order")
    if work_order.status in CLOSED_WORK_ORDER_STATUSES:
        raise DomainError(_("This work order is closed."), code="work_order_closed", field="work_order")


def require_stock_warehouse(warehouse: Warehouse, *, field: str = "warehouse") -> None:
    if not warehouse.active:
        raise DomainError(_("This warehouse is closed."), code="warehouse_inactive", field=field)
    if warehouse.kind == WarehouseKind.VAN:
        raise DomainError(_("Choose a central or regional warehouse, not a van."), code="van_not_allowed", field=field)
