from __future__ import annotations

from .models import ProductUnit


def unit_find_by_serial(*, serial_number: str) -> ProductUnit | None:
    serial = (serial_number or "").strip().upper()
    if not serial:
        return None
    return (
        ProductUnit.objects.select_related("model__category", "model__warranty_policy", "customer")
        .filter(serial_number=serial)
        .first()
    )
