"""Builders for the fault-rate tests: production register rows and a part fitted on a fault ticket
(the component the rollup records for it: "number name")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from aftersales.accounts.models import Role
from aftersales.catalog.models import BatchComponent, ProductionBatch, ProductModel
from aftersales.fieldservice.models import WorkOrder
from aftersales.parts.models import Part, PartUsage, Warehouse
from aftersales.tickets.models import Ticket
from tests.factories import UserFactory


def register(
    product_model: ProductModel,
    batch: str,
    *,
    factory: str = "",
    month: dt.date | None = None,
    components: dict[str, str] | None = None,
) -> ProductionBatch:
    row = ProductionBatch.objects.create(model=product_model, batch=batch, factory=factory, production_month=month)
    for component, supplier in (components or {}).items():
        BatchComponent.objects.create(production_batch=row, component=component, supplier=supplier)
    return row


def part(number: str, name: str) -> Part:
    return Part.objects.create(number=number, name=name, unit_cost=Decimal("10"), unit_price=Decimal("20"), warranty_months=6)


def fit(ticket: Ticket, fitted: Part) -> PartUsage:
    """``fitted`` used on a work order of ``ticket`` (the rollup takes the ticket's component from it)."""
    tech = UserFactory(role=Role.TECHNICIAN)
    van = Warehouse.objects.create(code=f"van-{tech.pk}", name="车载库", kind="van", technician=tech)
    at = timezone.now()
    job = WorkOrder.objects.create(
        number=f"WO-R{ticket.pk:05d}",
        ticket=ticket,
        kind="onsite_repair",
        status="on_site",
        technician=tech,
        created_at=at,
        updated_at=at,
    )
    return PartUsage.objects.create(
        work_order=job,
        part=fitted,
        quantity=1,
        van=van,
        unit_cost=fitted.unit_cost,
        unit_price=fitted.unit_price,
        warranty_months=fitted.warranty_months,
        installed_on=at.date(),
        recorded_by=tech,
        created_at=at,
    )
