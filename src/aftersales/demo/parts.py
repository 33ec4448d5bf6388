"""Demo spare parts and stock: about 30 parts for the demo product models, a central warehouse,
one regional warehouse per demo region, a van for every demo technician with some stock, approval
rules, and a few movements — all through the parts services, so the ledger balances.

Idempotent: when the central warehouse already exists it says so and changes nothing.
Needs the demo base (regions, technicians, product models): call it after ``demo_data``'s load.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.catalog.models import ProductModel
from aftersales.parts import services
from aftersales.parts.models import Part, RequisitionApprovalRule, Warehouse, WarehouseKind
from aftersales.parts.services import FaultyInput

from . import data
from .builders import DEMO_LOGINS, WAREHOUSE_USERNAME

WAREHOUSE_LOGIN = next(login for login in DEMO_LOGINS if login.username == WAREHOUSE_USERNAME)

# Category code → part number prefix.
PREFIX = {
    "air-conditioner": "AC",
    "refrigerator": "RF",
    "washing-machine": "WM",
    "water-heater": "WH",
    "range-hood": "RH",
    "gas-hob": "GH",
    "water-purifier": "WP",
    "dishwasher": "DW",
}

# Part name → (unit cost, out-of-warranty price, part warranty months). Prices in CNY.
PRICES: dict[str, tuple[str, str, int]] = {
    "室外机电容": ("18.00", "60.00", 6),
    "电脑板": ("210.00", "380.00", 6),
    "温度传感器": ("9.50", "45.00", 3),
    "排水管": ("6.00", "30.00", 3),
    "压缩机": ("780.00", "1480.00", 12),
    "门封条": ("35.00", "120.00", 6),
    "化霜加热器": ("42.00", "150.00", 6),
    "温控器": ("28.00", "95.00", 6),
    "排水泵": ("65.00", "180.00", 6),
    "门锁": ("32.00", "90.00", 6),
    "减震器": ("24.00", "80.00", 6),
    "镁棒": ("15.00", "68.00", 3),
    "加热管": ("55.00", "160.00", 6),
    "比例阀": ("88.00", "230.00", 6),
    "电机": ("160.00", "360.00", 12),
    "止回阀": ("12.00", "45.00", 3),
    "油杯": ("4.00", "20.00", 3),
    "点火针": ("6.00", "35.00", 3),
    "熄火保护器": ("14.00", "55.00", 6),
    "面板玻璃": ("120.00", "320.00", 6),
    "RO膜滤芯": ("95.00", "299.00", 6),
    "增压泵": ("130.00", "320.00", 12),
    "进水电磁阀": ("22.00", "75.00", 6),
    "进水阀": ("30.00", "85.00", 6),
    "喷淋臂": ("26.00", "80.00", 6),
}


@transaction.atomic
def load_parts_demo(stdout: Any) -> None:
    if Warehouse.objects.filter(code="central").exists():
        stdout.write(_("The demo spare parts are already loaded; nothing was changed."))
        return
    admin = User.objects.filter(role=Role.ADMINISTRATOR).order_by("pk").first()
    if admin is None:
        stdout.write(_("No administrator yet: load the demo data first."))
        return
    parts = _catalogue()
    regions = {r.code: r for r in Region.objects.filter(code__in=[code for code, *_rest in data.REGIONS])}
    keeper = _warehouse_login(regions.get("east"))

    central = Warehouse.objects.create(code="central", name="中央备件库（佛山）", kind=WarehouseKind.CENTRAL)
    regional: dict[str, Warehouse] = {}
    for code, name, _en, _provinces in data.REGIONS:
        if code in regions:
            regional[code] = Warehouse.objects.create(
                code=f"rdc-{code}", name=f"{name}备件库", kind=WarehouseKind.REGIONAL, region=regions[code]
            )

    services.stock_receive(
        warehouse=central, lines=[(p, 60 if p.unit_cost < 100 else 20) for p in parts], actor=admin, reference="PO-2026-0001"
    )
    for index, warehouse in enumerate(regional.values()):
        lines = [(p, 8 if p.unit_cost < 100 else 3) for i, p in enumerate(parts) if (i + index) % 3 != 0]
        services.stock_receive(warehouse=warehouse, lines=lines, actor=admin, reference=f"PO-2026-{index + 2:04d}")
        for part, quantity in lines:
            services.stock_set_levels(
                warehouse=warehouse,
                part=part,
                min_level=max(quantity // 2, 2),
                emergency_reserve=1 if part.name == "压缩机" else 0,
                actor=admin,
            )
    # The east warehouse is short of boards (a low-stock alert for the keeper to see).
    east = regional.get("east")
    board = next((p for p in parts if p.number == "AC-02"), None)
    if east is not None and board is not None:
        services.stock_adjust(warehouse=east, part=board, quantity=-2, actor=admin, reason="盘点：两块电脑板受潮报废")

    vans = 0
    for technician in User.objects.filter(role=Role.TECHNICIAN, is_active=True).select_related("region").order_by("pk"):
        source = regional.get(technician.region.code) if technician.region else None
        van = services.warehouse_for_technician(technician=technician)
        vans += 1
        if source is None:
            continue
        carried = [
            (p, 2)
            for p in parts
            if p.name in ("温度传感器", "室外机电容", "排水管", "门封条", "点火针", "镁棒")
            and source.stocks.filter(part=p, on_hand__gte=6).exists()
        ]
        if carried:
            services.transfer_create(from_warehouse=source, to_warehouse=van, lines=carried, actor=admin, note="车载常备件")

    _documents(central=central, east=east, parts=parts, admin=admin, keeper=keeper)

    RequisitionApprovalRule.objects.get_or_create(
        name="千元以上领料需主管审批", defaults={"min_total": Decimal("1000.00"), "approver_role": "supervisor"}
    )
    RequisitionApprovalRule.objects.get_or_create(
        name="中央仓领料需仓管审批", defaults={"warehouse_kind": WarehouseKind.CENTRAL, "approver_role": "warehouse"}
    )
    stdout.write(
        _("Loaded the demo spare parts: %(parts)d parts, %(warehouses)d warehouses, %(vans)d vans.")
        % {"parts": len(parts), "warehouses": 1 + len(regional), "vans": vans}
    )


def _documents(*, central: Warehouse, east: Warehouse | None, parts: list[Part], admin: User, keeper: User | None) -> None:
    """A transfer on its way, a return to receive and a faulty part awaiting appraisal."""
    if east is None:
        return
    by_number = {p.number: p for p in parts}
    services.transfer_create(
        from_warehouse=central,
        to_warehouse=east,
        lines=[(by_number["AC-05"], 2), (by_number["AC-02"], 4)],
        actor=admin,
        note="补充华东库电脑板、压缩机",
        in_transit=True,
    )
    east_technicians = list(User.objects.filter(role=Role.TECHNICIAN, region=east.region, is_active=True).order_by("pk")[:2])
    for index, technician in enumerate(east_technicians):
        van = services.warehouse_for_technician(technician=technician)
        sensor = by_number["AC-03"]
        unused = [(sensor, 1)] if van.stocks.filter(part=sensor, on_hand__gte=1).exists() else []
        part_return = services.return_create(
            work_order=None,
            technician=technician,
            warehouse=east,
            unused=unused,
            faulty=[
                FaultyInput(
                    part=by_number["AC-01"] if index == 0 else by_number["AC-02"],
                    serial=f"FP-2026-{771 + index:04d}",
                    condition="电容鼓包漏液" if index == 0 else "电脑板烧蚀，继电器触点粘连",
                )
            ],
            actor=technician,
        )
        if index == 1:
            services.return_receive(part_return=part_return, actor=keeper or admin)


def _catalogue() -> list[Part]:
    parts = []
    models_by_category: dict[str, list[ProductModel]] = {}
    for model in ProductModel.objects.select_related("category"):
        models_by_category.setdefault(model.category.code, []).append(model)
    for category, names in data.PARTS.items():
        prefix = PREFIX.get(category, category[:2].upper())
        for index, name in enumerate(names, start=1):
            cost, price, months = PRICES.get(name, ("20.00", "60.00", 3))
            if name == "压缩机" and category == "refrigerator":
                cost, price = "420.00", "880.00"
            if name == "电脑板" and category == "washing-machine":
                cost, price = "150.00", "290.00"
            part, _created = Part.objects.get_or_create(
                number=f"{prefix}-{index:02d}",
                defaults={"name": name, "unit_cost": Decimal(cost), "unit_price": Decimal(price), "warranty_months": months},
            )
            part.compatible_models.add(*models_by_category.get(category, []))
            parts.append(part)
    return parts


def _warehouse_login(region: Region | None) -> User | None:
    username, password, name = WAREHOUSE_LOGIN.username, WAREHOUSE_LOGIN.password, WAREHOUSE_LOGIN.display_name
    if User.objects.filter(username=username).exists():
        return None  # never change an existing account
    user = User(
        username=username,
        display_name=name,
        email=f"{username}@example.com",
        role=Role.WAREHOUSE,
        data_scope=DataScope.ALL,
        region=region,
    )
    user.set_password(password)
    user.save()
    return user
