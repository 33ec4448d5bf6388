"""The kinds of import, by ``ImportKind`` value.

The kinds of the apps below ``imports`` (customers, catalogue) live here; a kind of an app built
on ``imports`` (the spare parts of ``parts``) lives in that app and is named here by its dotted
path, like a hook's receivers (``core.hooks``): ``imports`` never imports the apps above it, and
the list of kinds stays in one place. ``tests/imports/test_audit_fixes.py`` checks every path
imports."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.utils.module_loading import import_string

from .base import Issue, Kind, Parsed, RowInvalid
from .batches import ProductionBatchImport
from .customers import CustomerKindImport
from .models import ProductModelImport
from .policies import WarrantyPolicyImport
from .shipments import ShipmentImport
from .units import UnitImport

# Kinds of the apps above ``imports``: ImportKind value → the class's dotted path.
KIND_PATHS: dict[str, str] = {
    "parts": "aftersales.parts.import_kind.PartImport",
}


class KindRegistry(Mapping[str, type[Kind]]):
    """``ImportKind`` value → its ``Kind`` class; a kind named by path is imported on first use."""

    def __init__(self, local: tuple[type[Kind], ...], paths: dict[str, str]) -> None:
        self._loaded: dict[str, type[Kind]] = {k.kind: k for k in local}
        self._paths = dict(paths)

    def __getitem__(self, key: str) -> type[Kind]:
        found = self._loaded.get(key)
        if found is None:
            path = self._paths[key]  # KeyError for an unknown kind, as a dict
            found = import_string(path)
            self._loaded[key] = found
        return found

    def __iter__(self) -> Iterator[str]:
        yield from self._loaded
        yield from (k for k in self._paths if k not in self._loaded)

    def __len__(self) -> int:
        return len(set(self._loaded) | set(self._paths))


KINDS = KindRegistry(
    (CustomerKindImport, ProductModelImport, WarrantyPolicyImport, UnitImport, ShipmentImport, ProductionBatchImport), KIND_PATHS
)

__all__ = ["KINDS", "KIND_PATHS", "Issue", "Kind", "KindRegistry", "Parsed", "RowInvalid"]
