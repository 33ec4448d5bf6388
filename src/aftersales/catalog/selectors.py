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


def unit_ids_by_serial(*, serial_number: str) -> list[int]:
    """The id of the unit with this serial number (as the catalogue keeps them: upper case), or
    none: one probe of the serial number's unique index, nothing else read."""
    serial = (serial_number or "").strip().upper()
    if not serial:
        return []
    return list(ProductUnit.objects.filter(serial_number=serial).values_list("id", flat=True)[:1])
