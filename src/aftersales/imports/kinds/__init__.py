"""The kinds of import, by ``ImportKind`` value."""

from __future__ import annotations

from .base import Issue, Kind, Parsed, RowInvalid
from .customers import CustomerKindImport
from .models import ProductModelImport
from .shipments import ShipmentImport
from .units import UnitImport

KINDS: dict[str, type[Kind]] = {k.kind: k for k in (CustomerKindImport, ProductModelImport, UnitImport, ShipmentImport)}

__all__ = ["KINDS", "Issue", "Kind", "Parsed", "RowInvalid"]
