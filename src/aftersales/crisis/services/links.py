"""Tickets linked to a crisis: by the alert, by hand (numbers), and new matching tickets on intake."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.core.i18n import ACTOR_SYSTEM, deferred
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.common import timeline

from ..audit_actions import CrisisAudit
from ..models import Crisis
from ..permissions import check_manage
from ..states import OPEN_STATUSES
from .shared import lock_crisis


def crisis_link_tickets(*, crisis: Crisis, tickets: Iterable[Ticket], actor: User | None) -> int:
    """Link tickets to the crisis (each once), with a timeline entry on each; keeps the first ticket's time."""
    tickets = list(tickets)
    if not tickets:
        return 0
    have = set(crisis.tickets.filter(pk__in=[t.pk for t in tickets]).values_list("pk", flat=True))
    new = [t for t in tickets if t.pk not in have]
    if not new:
        return 0
    crisis.tickets.add(*new)
    first = min(t.created_at for t in new)
    changes: dict[str, Any] = {}
    if crisis.first_ticket_at is None or first < crisis.first_ticket_at:
        changes["first_ticket_at"] = first
    Crisis.objects.filter(pk=crisis.pk).update(**changes, updated_at=clock.now())
    for ticket in new:
        timeline(
            ticket=ticket,
            actor=actor,
            kind=EventKind.NOTE,
            data={"action": "crisis_linked", "crisis": crisis.pk},
            text=deferred(_("Linked to crisis %(code)s."), code=crisis.code),
        )
    audit_record(
        action=CrisisAudit.TICKETS_LINKED,
        obj=crisis,
        actor=actor,
        actor_label="" if actor else ACTOR_SYSTEM,
        changes={"tickets": [t.number for t in new]},
    )
    return len(new)


def crises_link_new_ticket(*, ticket: Ticket) -> list[Crisis]:
    """A new ticket joins every open crisis whose scope it matches (its model, batch or region
    as the crisis names them: every named kind must match)."""
    linked = []
    for crisis in Crisis.objects.filter(status__in=OPEN_STATUSES).prefetch_related("scope_models", "scope_regions"):
        models_ = {m.pk for m in crisis.scope_models.all()}
        regions = {r.pk for r in crisis.scope_regions.all()}
        batches = set(crisis.scope_batches or [])
        if not (models_ or batches):
            continue  # a crisis without a product scope takes tickets by hand only
        if models_ and ticket.product_model_id not in models_:
            continue
        if batches and ticket.reported_batch not in batches:
            continue
        if regions and ticket.region_id not in regions:
            continue
        if crisis_link_tickets(crisis=crisis, tickets=[ticket], actor=None):
            linked.append(crisis)
    return linked


@transaction.atomic
def crisis_link_ticket_numbers(*, crisis: Crisis, actor: User, numbers: Iterable[str]) -> int:
    check_manage(actor)
    locked = lock_crisis(crisis.pk, None)
    wanted = [n.strip() for n in numbers if n.strip()]
    found = list(Ticket.objects.filter(number__in=wanted))
    missing = sorted(set(wanted) - {t.number for t in found})
    if missing:
        raise ValidationFailed(
            {"tickets": [_("No ticket has the number %(number)s.") % {"number": missing[0]}]}, code="ticket_unknown"
        )
    return crisis_link_tickets(crisis=locked, tickets=found, actor=actor)
