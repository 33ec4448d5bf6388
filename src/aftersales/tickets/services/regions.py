"""Filling in the region of tickets that have none, from their address (``manage.py assign_regions``).

Intake derives a ticket's region from its address (``intake._derive_region``); tickets registered
before the region table existed, or before a row for their province was added, have none. This
gives them the region the same way — the ticket's province/city, else the customer's default
address, else the customer's region — in batches, each one transaction: the tickets locked in
key order, the region set, the counts moved, one audit row per ticket. Tickets that already have
a region are never touched, so running it again changes nothing (idempotent); tickets whose
address names no region stay without one (the supervisors' "no region" queue).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from aftersales.accounts.models import Region
from aftersales.accounts.regions import region_by_id, region_for
from aftersales.audit.services import audit_record
from aftersales.customers.models import Address, Customer

from ..audit_actions import TicketAudit
from ..counts import Key, ticket_counts_bulk_add
from ..locking import lock_tickets
from ..models import Ticket

DEFAULT_BATCH_SIZE = 500


@dataclass(frozen=True)
class RegionFill:
    examined: int
    assigned: int


def tickets_assign_regions(*, batch_size: int = DEFAULT_BATCH_SIZE, actor_label: str = "assign_regions") -> RegionFill:
    """Give every ticket without a region the region of its address; returns how many tickets
    were examined and how many got a region."""
    examined = assigned = 0
    after_id = 0
    while True:
        ids = list(
            Ticket.objects.filter(region__isnull=True, pk__gt=after_id).order_by("pk").values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return RegionFill(examined=examined, assigned=assigned)
        after_id = ids[-1]
        examined += len(ids)
        assigned += _assign_batch(ids, actor_label=actor_label)


@transaction.atomic
def _assign_batch(ids: list[int], *, actor_label: str) -> int:
    tickets = [t for t in lock_tickets(*ids).values() if t.region_id is None]  # set meanwhile: left as is
    customer_ids = {t.customer_id for t in tickets}
    homes = {
        customer_id: (province, city)
        for customer_id, province, city in Address.objects.filter(customer_id__in=customer_ids, is_default=True).values_list(
            "customer_id", "province", "city"
        )
    }
    customer_regions = dict(Customer.objects.filter(pk__in=customer_ids).values_list("pk", "region_id"))
    deltas: Counter[Key] = Counter()
    done = 0
    for ticket in tickets:
        region = _region_of(
            ticket, home=homes.get(ticket.customer_id), customer_region_id=customer_regions.get(ticket.customer_id)
        )
        if region is None:
            continue
        Ticket.objects.filter(pk=ticket.pk).update(region=region)
        deltas[(ticket.status, ticket.category_id, None)] -= 1
        deltas[(ticket.status, ticket.category_id, region.pk)] += 1
        audit_record(
            action=TicketAudit.REGION_SET,
            obj=ticket,
            actor_label=actor_label,
            changes={"region": [None, region.code]},
        )
        done += 1
    ticket_counts_bulk_add(deltas)
    return done


def _region_of(ticket: Ticket, *, home: tuple[str, str] | None, customer_region_id: int | None) -> Region | None:
    region = region_for(province=ticket.province, city=ticket.city)
    if region is None and home is not None:
        region = region_for(province=home[0], city=home[1])
    return region or region_by_id(customer_region_id)
