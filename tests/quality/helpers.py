"""Builders for the quality tests: units, shipments and fault tickets opened on a given day (through
the intake service, as a real channel would), and the rollup brought up to date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.catalog.models import ProductModel, ProductUnit, ShipmentVolume
from aftersales.core import clock
from aftersales.quality.rollup import fault_rollup_refresh
from aftersales.tickets.models import Ticket
from tests.factories import ProductModelFactory, ProductUnitFactory, UserFactory, make_ticket


def engineer(**kwargs: Any) -> User:
    return UserFactory(role=Role.QUALITY_ENGINEER, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def model(code: str = "KFR-35GW") -> ProductModel:
    return ProductModelFactory(code=code)


def ship(product_model: ProductModel, batch: str, units: int, month: dt.date, region: Region | None = None) -> ShipmentVolume:
    return ShipmentVolume.objects.create(model=product_model, batch=batch, units=units, month=month, region=region)


def unit(product_model: ProductModel, batch: str, **kwargs: Any) -> ProductUnit:
    return ProductUnitFactory(model=product_model, batch=batch, **kwargs)


def fault(
    product_unit: ProductUnit | None,
    *,
    on: dt.date,
    request_type: str = "repair",
    region: Region | None = None,
    cause: str = "",
    **overrides: Any,
) -> Ticket:
    """A fault ticket on ``product_unit`` opened on ``on`` (noon, local time)."""
    if product_unit is not None:
        overrides.setdefault("serial_number", product_unit.serial_number)
    ticket = make_ticket(request_type=request_type, region=region, **overrides)
    at = timezone.make_aware(dt.datetime.combine(on, dt.time(12, 0)), timezone.get_default_timezone())
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at, updated_at=clock.now(), cause=cause)
    ticket.refresh_from_db()
    return ticket


def refresh() -> int:
    return fault_rollup_refresh()
