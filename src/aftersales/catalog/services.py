"""Writes for the catalog."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer

from .audit_actions import CatalogAudit
from .models import ProductModel, ProductUnit


@transaction.atomic
def unit_register(
    *,
    serial_number: str,
    model: ProductModel,
    batch: str = "",
    factory: str = "",
    production_date: dt.date | None = None,
    purchase_date: dt.date | None = None,
    sales_channel: str = "",
    store: str = "",
    customer: Customer | None = None,
    actor: User | None = None,
) -> ProductUnit:
    """Register a serial unit. Serial numbers are stored upper-case and must be unique."""
    serial = (serial_number or "").strip().upper()
    if not serial:
        raise ValidationFailed({"serial_number": [_("Enter the serial number.")]}, code="serial_required")
    too_long = {
        name: [_("At most %(limit)d characters.") % {"limit": limit}]
        for name, value, limit in (
            ("serial_number", serial, 64),
            ("batch", batch, 64),
            ("factory", factory, 64),
            ("store", store, 128),
        )
        if len(value or "") > limit
    }
    if too_long:
        raise ValidationFailed(too_long, code="unit_invalid")
    if ProductUnit.objects.filter(serial_number=serial).exists():
        raise ValidationFailed(
            {"serial_number": [_("A unit with this serial number is already registered.")]}, code="serial_taken"
        )
    if production_date and purchase_date and purchase_date < production_date:
        raise ValidationFailed(
            {"purchase_date": [_("The purchase date is before the production date.")]}, code="dates_inconsistent"
        )
    unit = ProductUnit.objects.create(
        serial_number=serial,
        model=model,
        batch=batch,
        factory=factory,
        production_date=production_date,
        purchase_date=purchase_date,
        sales_channel=sales_channel,
        store=store,
        customer=customer,
    )
    audit_record(action=CatalogAudit.UNIT_REGISTERED, obj=unit, actor=actor)
    return unit
