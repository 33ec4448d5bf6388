"""The acceptance checklist (seed 001 §4.1.4: the completion acceptance forms, the work orders,
the photos before and after), computed from the data, never ticked by hand: for each ticket,
each item is met (True), not met (False) or does not apply (None: no work order to check)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.fieldservice.models import CompletionAcceptance, WorkOrder, WorkOrderFile, WorkOrderFileKind, WorkOrderStatus

from .acceptance_models import AcceptanceDecision, AcceptanceVia, ResultAcceptance

# The work orders a checklist looks at: every one that was not called off.
NOT_COUNTED = (WorkOrderStatus.CANCELLED, WorkOrderStatus.FAILED)
CONFIRMED_BY_CUSTOMER = frozenset({AcceptanceVia.CUSTOMER, AcceptanceVia.SURVEY})

ITEMS: tuple[tuple[str, Promise], ...] = (
    ("acceptance_form", _("Completion acceptance form")),
    ("photos", _("Photos before and after")),
    ("costs", _("Costs recorded")),
    ("customer_confirmed", _("Customer confirmation")),
)


@dataclass(frozen=True)
class CheckItem:
    key: str
    label: str
    met: bool | None  # None: does not apply


def _states(ticket_ids: list[int]) -> dict[int, dict[str, bool | None]]:
    orders = list(
        WorkOrder.objects.filter(ticket_id__in=ticket_ids)
        .exclude(status__in=NOT_COUNTED)
        .values_list("pk", "ticket_id", "costed_at")
    )
    order_ids = [pk for pk, _ticket, _costed in orders]
    accepted = set(CompletionAcceptance.objects.filter(work_order_id__in=order_ids).values_list("work_order_id", flat=True))
    photos: dict[int, set[str]] = defaultdict(set)
    for work_order_id, kind in WorkOrderFile.objects.filter(
        work_order_id__in=order_ids, kind__in=[WorkOrderFileKind.BEFORE, WorkOrderFileKind.AFTER]
    ).values_list("work_order_id", "kind"):
        photos[work_order_id].add(kind)
    per_ticket: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    for pk, ticket_id, costed_at in orders:
        per_ticket[ticket_id].append((pk, costed_at is not None))
    waits = dict(
        ResultAcceptance.objects.filter(ticket_id__in=ticket_ids, decision=AcceptanceDecision.PENDING).values_list(
            "ticket_id", "requested_via"
        )
    )
    states: dict[int, dict[str, bool | None]] = {}
    both = {WorkOrderFileKind.BEFORE.value, WorkOrderFileKind.AFTER.value}
    for ticket_id in ticket_ids:
        mine = per_ticket.get(ticket_id, [])
        states[ticket_id] = {
            "acceptance_form": all(pk in accepted for pk, _c in mine) if mine else None,
            "photos": all(photos.get(pk, set()) >= both for pk, _c in mine) if mine else None,
            "costs": all(costed for _pk, costed in mine) if mine else None,
            "customer_confirmed": waits.get(ticket_id) in CONFIRMED_BY_CUSTOMER,
        }
    return states


def checklist_states(ticket_ids: Iterable[int]) -> dict[int, dict[str, bool | None]]:
    """Each ticket's checklist as stored on the record: item key → met / not met / None."""
    return _states(list(ticket_ids))


def checklist_items(state: dict[str, bool | None]) -> list[CheckItem]:
    """A stored or computed checklist as the page shows it, in the checklist's order."""
    return [CheckItem(key=key, label=str(label), met=state.get(key)) for key, label in ITEMS]
