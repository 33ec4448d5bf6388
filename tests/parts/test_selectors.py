"""Reads: what field service gets (parts used, per-part warranty) and who sees which stock."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.parts import selectors, services
from aftersales.parts.services import UsedPartInput
from tests.factories import RegionFactory, UserFactory
from tests.parts.factories import WarehouseFactory, make_work_order


def _fit(work_order, part, *, technician, keeper, stocked, quantity=1, serial=""):  # type: ignore[no-untyped-def]
    requisition = services.requisition_create(
        work_order=work_order, warehouse=stocked, lines=[(part, quantity)], actor=technician
    )
    services.requisition_submit(requisition=requisition, actor=technician)
    services.requisition_issue(requisition=requisition, actor=keeper)
    return services.parts_record_used(
        work_order=work_order, lines=[UsedPartInput(part=part, quantity=quantity, serial=serial)], actor=technician
    )


def test_work_order_parts_used_gives_the_prices_of_the_day(stocked, board, sensor, work_order, technician, keeper):
    _fit(work_order, board, technician=technician, keeper=keeper, stocked=stocked, serial="PCB-1")
    _fit(work_order, sensor, technician=technician, keeper=keeper, stocked=stocked, quantity=2)
    board.unit_price = Decimal("999.00")
    board.save(update_fields=["unit_price"])  # a later price-list change does not alter the job
    lines = selectors.work_order_parts_used(work_order=work_order)
    assert [(line.part, line.quantity, line.unit_cost, line.unit_price, line.warranty_months, line.serial) for line in lines] == [
        (board, 1, Decimal("180.00"), Decimal("320.00"), 6, "PCB-1"),
        (sensor, 2, Decimal("12.50"), Decimal("45.00"), 3, ""),
    ]
    assert sum(line.cost for line in lines) == Decimal("205.00")
    assert sum(line.price for line in lines) == Decimal("410.00")


def test_a_part_fitted_earlier_keeps_its_own_warranty_on_the_unit(stocked, board, sensor, work_order, technician, keeper):
    unit = work_order.ticket.product_unit
    assert selectors.part_warranty_until(unit=unit, part=board) is None
    fitted_on = dt.datetime(2026, 1, 31, 10, 0, tzinfo=dt.UTC)
    with (
        mock.patch.object(clock, "now", return_value=fitted_on),
        mock.patch.object(clock, "local_today", return_value=dt.date(2026, 1, 31)),
    ):
        _fit(work_order, board, technician=technician, keeper=keeper, stocked=stocked)
    # 6 months from 31 Jan: covered up to and including 30 Jul (the day before 31 Jul).
    assert selectors.part_warranty_until(unit=unit, part=board) == dt.date(2026, 7, 30)
    assert selectors.part_warranty_until(unit=unit, part=sensor) is None
    # The job that fitted it does not make its own part free.
    assert selectors.part_warranty_until(unit=unit, part=board, exclude_work_order=work_order) is None
    later = make_work_order(ticket=work_order.ticket, technician=technician)
    assert selectors.part_warranty_until(unit=unit, part=board, exclude_work_order=later) == dt.date(2026, 7, 30)


def test_stock_scope_by_region_and_the_technicians_own_van(stocked, central, board, keeper, technician, region):
    south = RegionFactory(code="south", name="华南")
    south_wh = WarehouseFactory(code="south", name="华南仓", region=south)
    services.stock_receive(warehouse=south_wh, lines=[(board, 1)], actor=UserFactory(role=Role.ADMINISTRATOR))
    services.stock_receive(warehouse=central, lines=[(board, 1)], actor=keeper)
    visible = {row.warehouse.code for row in selectors.stock_for_user(user=keeper)}
    assert visible == {"east", "central"}, "a regional keeper sees their region and the central warehouse"
    everyone = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL, region=region)
    assert {row.warehouse.code for row in selectors.stock_for_user(user=everyone)} == {"east", "central", "south"}

    van = services.warehouse_for_technician(technician=technician)
    services.transfer_create(from_warehouse=stocked, to_warehouse=van, lines=[(board, 2)], actor=keeper)
    other_van = services.warehouse_for_technician(technician=UserFactory(role=Role.TECHNICIAN))
    services.transfer_create(from_warehouse=stocked, to_warehouse=other_van, lines=[(board, 1)], actor=keeper)
    assert [row.warehouse for row in selectors.stock_for_user(user=technician)] == [van]
    assert [row.part for row in selectors.van_stock(technician=technician)] == [board]
    assert not selectors.stock_for_user(user=UserFactory(role=Role.AGENT)).exists()
    assert not selectors.ledger_for_user(user=UserFactory(role=Role.AGENT)).exists()


def test_technicians_see_only_their_own_work_orders_documents(stocked, board, work_order_for, technician, keeper):
    mine = work_order_for()
    theirs_tech = UserFactory(role=Role.TECHNICIAN)
    theirs = work_order_for(tech=theirs_tech)
    services.requisition_create(work_order=mine, warehouse=stocked, lines=[(board, 1)], actor=technician)
    services.requisition_create(work_order=theirs, warehouse=stocked, lines=[(board, 1)], actor=theirs_tech)
    assert [r.work_order for r in selectors.requisitions_for_user(user=technician)] == [mine]
    assert selectors.requisitions_for_user(user=keeper).count() == 2
    assert not selectors.requisitions_for_user(user=UserFactory(role=Role.AGENT)).exists()


def test_shipment_contact_is_name_masked_phone_and_city(work_order):
    contact = selectors.shipment_contact(work_order=work_order)
    assert contact.name == "张伟"
    assert contact.phone == "138****5678"
    assert contact.city == work_order.city


def test_stock_list_query_count_does_not_grow_with_rows(stocked, board, keeper, django_assert_num_queries):
    from tests.parts.factories import PartFactory

    for i in range(15):
        services.stock_receive(warehouse=stocked, lines=[(PartFactory(number=f"X-{i}"), 1)], actor=keeper)
    with django_assert_num_queries(1):
        rows = list(selectors.stock_for_user(user=keeper))
    assert len(rows) == 17 and all(row.part.number and row.warehouse.name for row in rows)


def test_region_scoped_stock_staff_reach_only_their_regions_work_orders(work_order_for, keeper, region):
    from aftersales.core.errors import NotFound
    from aftersales.fieldservice.models import WorkOrder
    from aftersales.parts import permissions

    east_job = work_order_for()
    south = RegionFactory(code="south2", name="华南")
    south_job = work_order_for()
    WorkOrder.objects.filter(pk=east_job.pk).update(region=region)
    WorkOrder.objects.filter(pk=south_job.pk).update(region=south)
    east_job.refresh_from_db()
    south_job.refresh_from_db()

    assert permissions.can_work_on_parts_of(keeper, east_job)
    assert not permissions.can_work_on_parts_of(keeper, south_job)
    assert selectors.work_order_get_for_parts(user=keeper, work_order_id=east_job.pk) == east_job
    with pytest.raises(NotFound):
        selectors.work_order_get_for_parts(user=keeper, work_order_id=south_job.pk)
    everywhere = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL, region=region)
    assert permissions.can_work_on_parts_of(everywhere, south_job)
