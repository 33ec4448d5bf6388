"""Which region serves an address: the lookup over the region table (``RegionArea``), cached.

``region_for(province=…, city=…)`` answers the region of an address, or None when no row
matches: a row for the city wins over the row for its whole province; names are compared
normalised (``accounts.provinces``: 江苏 = 江苏省 = Jiangsu, 苏州 = 苏州市), and a city typed
with its district (苏州市吴中区) still finds the city's row. ``region_by_id`` gives a region from
the same table (a customer's or an API key's region without a query).

Intake calls this for every ticket, so the table (a few hundred rows at most) is read once and
kept in Django's cache (``CACHES["default"]``): no query per intake in steady state. Saving or
deleting a region or one of its areas clears it when the transaction **commits**
(``transaction.on_commit``), so the next lookup reads the new table. Until then the shared cache
keeps the committed table: the changing transaction's own lookups read its uncommitted table
from the database and keep it to themselves (per thread, while the change is pending), so no
other request is answered from data that may still be rolled back, and a rollback (of the
transaction or of the savepoint holding the change) leaves nothing to clear. With a shared cache
(Redis) every process sees a committed change immediately; with the per-process default
(locmem) the other processes within ``CACHE_SECONDS``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from .models import Region, RegionArea
from .provinces import city_key, province_key, province_name

CACHE_KEY = "accounts:region-table:v1"
# How long another process may keep answering from the table it read (per-process caches only).
CACHE_SECONDS = 60


@dataclass(frozen=True)
class RegionTable:
    """The region table as plain data (what the cache holds)."""

    regions: dict[int, tuple[str, str, int | None]]  # id → (code, name, parent id)
    provinces: dict[str, int]  # province → region id, for the whole province
    cities: dict[str, dict[str, int]]  # province → {city → region id}
    # City → region id when the city's rows agree on one region (an address with no province).
    lone_cities: dict[str, int]

    @classmethod
    def load(cls) -> RegionTable:
        regions: dict[int, tuple[str, str, int | None]] = {
            pk: (code, name, parent_id)
            for pk, code, name, parent_id in Region.objects.values_list("pk", "code", "name", "parent_id")
        }
        provinces: dict[str, int] = {}
        cities: dict[str, dict[str, int]] = {}
        by_city: dict[str, set[int]] = {}
        for region_id, province, city in RegionArea.objects.values_list("region_id", "province", "city"):
            if city:
                cities.setdefault(province, {})[city] = region_id
                by_city.setdefault(city, set()).add(region_id)
            else:
                provinces[province] = region_id
        lone_cities = {city: next(iter(ids)) for city, ids in by_city.items() if len(ids) == 1}
        return cls(regions=regions, provinces=provinces, cities=cities, lone_cities=lone_cities)

    def region_id_for(self, province: str, city: str) -> int | None:
        province_k = province_key(province) if (province or "").strip() else ""
        city_k = city_key(city)
        if not province_k and city_k:
            # A municipality typed as the city only (上海市).
            province_k = province_name(city)
        if province_k:
            found = self._in_province(province_k, city_k)
            if found is not None:
                return found
        return self._lone_city(city_k) if city_k else None

    def _in_province(self, province: str, city: str) -> int | None:
        cities = self.cities.get(province, {})
        if city and cities:
            if city in cities:
                return cities[city]
            if not city.isascii():
                # 苏州吴中区 → the row for 苏州 (the longest city name it starts with).
                for name in sorted(cities, key=len, reverse=True):
                    if len(name) >= 2 and city.startswith(name):
                        return cities[name]
        return self.provinces.get(province)

    def _lone_city(self, city: str) -> int | None:
        if city in self.lone_cities:
            return self.lone_cities[city]
        if not city.isascii():
            for name in sorted(self.lone_cities, key=len, reverse=True):
                if len(name) >= 2 and city.startswith(name):
                    return self.lone_cities[name]
        return None

    def region(self, region_id: int | None) -> Region | None:
        """A fresh ``Region`` instance for ``region_id`` (as if read from the database)."""
        if region_id is None or region_id not in self.regions:
            return None
        code, name, parent_id = self.regions[region_id]
        region = Region(id=region_id, code=code, name=name, parent_id=parent_id)
        region._state.adding = False
        region._state.db = "default"
        return region


class _ClearOnCommit:
    """The on-commit callback of one change to the table (one object per change): clears the
    cache when the change commits. Django drops it when the change is rolled back."""

    def __call__(self) -> None:
        region_cache_clear()


# This thread's table as its own open transaction changed it: (the pending change, the table).
_own = threading.local()


def _pending_change() -> _ClearOnCommit | None:
    """The latest change to the table made in this connection's open transaction and neither
    committed nor rolled back (its callback still waits in Django's on-commit list), or None."""
    if not connection.in_atomic_block:
        return None
    for entry in reversed(connection.run_on_commit):  # (savepoint ids, callback, robust)
        callback = entry[1]
        if isinstance(callback, _ClearOnCommit):
            return callback
    return None


def region_table() -> RegionTable:
    """The region table, from the cache or (on a miss) read with two queries and cached. A
    transaction that changed the table reads its own (uncommitted) table, once per change, and
    keeps it out of the shared cache."""
    pending = _pending_change()
    if pending is not None:
        held = getattr(_own, "table", None)
        if held is not None and held[0] is pending:
            return held[1]
        own = RegionTable.load()
        _own.table = (pending, own)
        return own
    table = cache.get(CACHE_KEY)
    if not isinstance(table, RegionTable):
        table = RegionTable.load()
        cache.set(CACHE_KEY, table, CACHE_SECONDS)
    return table


def region_for(*, province: str = "", city: str = "") -> Region | None:
    """The region serving ``province``/``city`` (the city's row first, then the province's), or
    None when the address is empty or no row matches."""
    if not (province or "").strip() and not (city or "").strip():
        return None
    table = region_table()
    return table.region(table.region_id_for(province, city))


def region_by_id(region_id: int | None) -> Region | None:
    """The region with this id, from the cached table (None for None). A region created in
    another process since this one read the table is read from the database."""
    if region_id is None:
        return None
    return region_table().region(region_id) or Region.objects.filter(pk=region_id).first()


def region_cache_clear() -> None:
    """Forget the cached table: the next lookup reads the database."""
    _own.table = None
    cache.delete(CACHE_KEY)


def _table_changed(**_kwargs: Any) -> None:
    # Cleared when the change commits, never before: clearing now would let another request read
    # the table again meanwhile (the old one) and, worse, this transaction's own lookup cache its
    # uncommitted table for everyone, kept after a rollback. This transaction's lookups read their
    # own table (``region_table``) until then; outside a transaction the callback runs at once.
    _own.table = None
    transaction.on_commit(_ClearOnCommit())


for _model in (Region, RegionArea):
    post_save.connect(_table_changed, sender=_model, dispatch_uid=f"region-table-{_model.__name__}-save")
    post_delete.connect(_table_changed, sender=_model, dispatch_uid=f"region-table-{_model.__name__}-delete")
