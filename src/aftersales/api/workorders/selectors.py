"""Reads of work orders for the API, scoped to the caller: the field-service app's own rule (a
technician their own jobs, other staff by data scope), narrowed by the key's region; a job's
files and expense claims; the moves the caller may make (``fieldservice.actions``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.fieldservice.actions import work_order_available_actions
from aftersales.fieldservice.models import ExpenseClaim, WorkOrder, WorkOrderFile, WorkOrderFileKind
from aftersales.fieldservice.permissions import work_orders_visible_to
from aftersales.tickets.models import Ticket

from ..caller import Caller
from ..paging import page_by_id
from ..selectors import Page


def api_work_orders_visible(*, caller: Caller) -> QuerySet[WorkOrder]:
    """The app's rule (a technician their own jobs, other staff by data scope), and a regional
    key only its region's work orders (the job's service region, else its ticket's)."""
    qs = work_orders_visible_to(caller.user)
    if caller.region_id is not None:
        qs = qs.filter(Q(region_id=caller.region_id) | Q(region__isnull=True, ticket__region_id=caller.region_id))
    return qs


def region_allows(caller: Caller, work_order: WorkOrder) -> bool:
    """A regional key reaches its region's work orders (the job's service region, else its ticket's)."""
    if caller.region_id is None:
        return True
    region_id = work_order.region_id if work_order.region_id is not None else work_order.ticket.region_id
    return bool(region_id == caller.region_id)


def api_work_order_get(*, caller: Caller, number: str) -> WorkOrder:
    work_order = (
        api_work_orders_visible(caller=caller)
        .select_related("ticket__customer", "ticket__product_unit__model", "measure", "technician", "region")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if work_order is None:
        raise NotFound(_("No work order with this number is visible to you."), code="work_order_not_found")
    return work_order


def api_work_order_page(
    *, caller: Caller, statuses: tuple[str, ...] = (), ticket: str = "", cursor: str | None = None, limit: int = 25
) -> Page[WorkOrder]:
    qs = api_work_orders_visible(caller=caller).select_related("ticket", "technician", "region")
    if statuses:
        qs = qs.filter(status__in=statuses)
    if ticket:
        qs = qs.filter(ticket__number=ticket.strip().upper())
    return page_by_id(qs, cursor=cursor, limit=limit)


def work_order_actions(*, user: User, work_order: WorkOrder) -> list[str]:
    """The moves ``user`` may make on ``work_order`` now through ``POST …/actions/<name>`` (the
    services decide in the end)."""
    return [a.name for a in work_order_available_actions(user, work_order) if a.schema is not None]


def work_order_file_get(*, work_order: WorkOrder, file_id: int) -> WorkOrderFile:
    item = work_order.files.filter(pk=file_id).first()
    if item is None:
        raise NotFound(_("This work order has no file with this id."), code="file_not_found")
    return item


def work_order_permits(*, work_order: WorkOrder) -> QuerySet[WorkOrderFile]:
    return work_order.files.filter(kind=WorkOrderFileKind.PERMIT).order_by("created_at", "id")


def expense_claims_of(*, work_order: WorkOrder) -> QuerySet[ExpenseClaim]:
    return ExpenseClaim.objects.filter(work_order=work_order).select_related("technician", "decided_by").order_by("id")


def expense_claim_get(*, work_order: WorkOrder, claim_id: int) -> ExpenseClaim:
    claim = expense_claims_of(work_order=work_order).filter(pk=claim_id).first()
    if claim is None:
        raise NotFound(_("This work order has no expense claim with this id."), code="expense_not_found")
    return claim


# --- The quotes of a ticket's jobs, for the customer's app --------------------------------------


def api_ticket_quotes(*, caller: Caller, ticket: Ticket) -> QuerySet[WorkOrder]:
    """The work orders of ``ticket`` (already read through ``api_ticket_get``, so visible to the
    caller) that were quoted to the customer, oldest first: for the ticket's customer all of
    them (the quote was sent to them), for staff those work orders they may see."""
    qs = WorkOrder.objects.all() if caller.user.is_customer else api_work_orders_visible(caller=caller)
    return qs.filter(ticket=ticket, chargeable=True, quote_sent_at__isnull=False).select_related("ticket").order_by("pk")


def api_ticket_quote_get(*, caller: Caller, ticket: Ticket, number: str) -> WorkOrder:
    """The quoted work order ``number`` of ``ticket``; ``NotFound`` for any other."""
    work_order = api_ticket_quotes(caller=caller, ticket=ticket).filter(number=(number or "").strip().upper()).first()
    if work_order is None:
        raise NotFound(_("No quote of this work order is on this ticket."), code="quote_not_found")
    return work_order
