"""The demo spare parts: realistic, loaded through the services (the ledger balances), once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate

from aftersales.accounts.models import Role
from aftersales.demo.builders import ensure_base
from aftersales.demo.parts import load_parts_demo
from aftersales.parts.models import FaultyPartReturn, Part, PartReturn, Stock, StockMovement, Transfer, Warehouse, WarehouseKind
from tests.parts.conftest import assert_ledger_balances

pytestmark = pytest.mark.django_db


def test_demo_parts_load_once_with_warehouses_vans_and_a_balanced_ledger():
    ensure_base(seed=2026)
    out = StringIO()
    load_parts_demo(out)
    assert 25 <= Part.objects.count() <= 40
    assert Part.objects.filter(compatible_models__isnull=False).distinct().count() == Part.objects.count()
    assert Warehouse.objects.filter(kind=WarehouseKind.CENTRAL).count() == 1
    assert Warehouse.objects.filter(kind=WarehouseKind.REGIONAL).count() == 7
    vans = Warehouse.objects.filter(kind=WarehouseKind.VAN)
    assert vans.count() >= 10 and Stock.objects.filter(warehouse__in=vans, on_hand__gt=0).exists()
    assert Stock.objects.filter(min_level__gt=0).exists()
    assert Transfer.objects.filter(status="in_transit").exists()
    assert PartReturn.objects.filter(status="sent").exists()
    assert FaultyPartReturn.objects.filter(status="received").exists()
    assert_ledger_balances()
    keeper = authenticate(username="warehouse", password="warehouse-demo-2026")
    assert keeper is not None and keeper.role == Role.WAREHOUSE

    counts = (Part.objects.count(), Warehouse.objects.count(), StockMovement.objects.count())
    again = StringIO()
    load_parts_demo(again)
    assert (Part.objects.count(), Warehouse.objects.count(), StockMovement.objects.count()) == counts
