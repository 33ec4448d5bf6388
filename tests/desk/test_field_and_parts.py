"""The technician's day and the warehouse keeper's home: the jobs in visit order with their next
step, and counts that equal what the pages they link to list."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.desk.selectors import technician_today, warehouse_home
from aftersales.fieldservice.models import WorkOrderStatus as W
from aftersales.parts import services
from aftersales.parts.models import RequisitionApprovalRule, Warehouse, WarehouseKind
from aftersales.parts.services import FaultyInput
from tests.clients import client_for
from tests.factories import ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.parts.factories import PartFactory, WarehouseFactory, make_work_order

from .conftest import phone

pytestmark = pytest.mark.django_db


def at(days: int, hour: int) -> dt.datetime:
    day = clock.local_today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_default_timezone())


def job(tech, status: str, *, days: int = 0, hour: int = 9, **fields):  # type: ignore[no-untyped-def]
    ticket = make_ticket(phone=phone(), serial_number=ProductUnitFactory().serial_number)
    return make_work_order(
        ticket=ticket,
        technician=tech,
        status=status,
        appointment_start=at(days, hour),
        appointment_end=at(days, hour + 2),
        province="上海市",
        district="徐汇区",
        address=f"漕溪北路{hour}号",
        contact_name="张伟",
        contact_phone="+8613812345678",
        **fields,
    )


def test_today_lists_the_jobs_in_visit_order_with_their_next_step():
    tech = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN)
    late = job(tech, W.DISPATCHED, hour=15)
    early = job(tech, W.ON_THE_WAY, hour=8)
    middle = job(tech, W.ACCEPTED, hour=11)
    done = job(tech, W.CUSTOMER_ACCEPTED, hour=7)
    on_site = job(tech, W.ON_SITE, hour=13)
    job(tech, W.CANCELLED, hour=10)
    tomorrow = {job(tech, W.DISPATCHED, days=1, hour=9), job(tech, W.DISPATCHED, days=1, hour=14)}
    job(tech, W.DISPATCHED, days=2, hour=9)
    job(UserFactory(role=Role.TECHNICIAN), W.DISPATCHED, hour=9)  # somebody else's

    day = technician_today(user=tech)
    assert [j.work_order.number for j in day.jobs] == [done.number, early.number, middle.number, on_site.number, late.number]
    steps = {j.work_order.number: j.next_step for j in day.jobs}
    assert steps == {
        done.number: "",
        early.number: "check_in",
        middle.number: "depart",
        on_site.number: "check_out",
        late.number: "accept",
    }
    first = day.jobs[1]
    assert first.phone_href == "tel:+8613812345678" and first.phone == "138 1234 5678"
    assert "uri.amap.com" in first.navigate_url and "%E6%BC%95%E6%BA%AA%E5%8C%97%E8%B7%AF8%E5%8F%B7" in first.navigate_url
    assert day.tomorrow_count == 2

    # The jobs page it links to lists them (after the jobs still open from today).
    page = client_for(tech).get(reverse("fieldservice:my_jobs"), {"day": day.tomorrow.isoformat()}).content.decode()
    assert all(f'data-number="{wo.number}"' in page for wo in tomorrow)


def test_today_counts_the_technicians_waiting_requisitions_and_van():
    region = RegionFactory()
    keeper = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=region)
    tech = UserFactory(role=Role.TECHNICIAN, region=region)
    store = WarehouseFactory(kind=WarehouseKind.REGIONAL, region=region)
    part = PartFactory(unit_cost=Decimal("100.00"))
    services.stock_receive(warehouse=store, lines=[(part, 10)], actor=keeper)
    RequisitionApprovalRule.objects.create(name="全部审批", approver_role="warehouse")
    work_order = job(tech, W.ON_SITE)
    for quantity in (1, 2):
        services.requisition_submit(
            requisition=services.requisition_create(work_order=work_order, warehouse=store, lines=[(part, quantity)], actor=tech),
            actor=tech,
        )
    services.requisition_create(work_order=work_order, warehouse=store, lines=[(part, 1)], actor=tech)  # a draft
    van = services.warehouse_for_technician(technician=tech)
    services.transfer_create(from_warehouse=store, to_warehouse=van, lines=[(part, 3)], actor=keeper)

    day = technician_today(user=tech)
    assert day.requisitions_waiting == 2
    page = client_for(tech).get(reverse("parts:requisitions")).content.decode()
    assert page.count('data-test-id="requisition-row"') == 2
    assert day.van == van and day.van_lines == 1


def test_today_reads_in_few_statements(django_assert_max_num_queries):
    tech = UserFactory(role=Role.TECHNICIAN)
    for hour in range(7, 17):
        job(tech, W.DISPATCHED, hour=hour)
    with django_assert_max_num_queries(6):  # jobs, tomorrow's, requisitions, van, van stock
        day = technician_today(user=tech)
    assert len(day.jobs) == 10


@pytest.fixture
def store():  # type: ignore[no-untyped-def]
    region = RegionFactory(code="east", name="华东")
    keeper = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=region)
    regional = WarehouseFactory(code="east", name="华东仓", kind=WarehouseKind.REGIONAL, region=region)
    central = WarehouseFactory(code="central", name="中央仓", kind=WarehouseKind.CENTRAL, region=None)
    part = PartFactory(unit_cost=Decimal("100.00"))
    services.stock_receive(warehouse=regional, lines=[(part, 10)], actor=keeper)
    services.stock_receive(warehouse=central, lines=[(part, 10)], actor=keeper)
    return region, keeper, regional, central, part


def test_the_warehouse_counts_equal_the_parts_pages(store):
    region, keeper, regional, central, part = store
    tech = UserFactory(role=Role.TECHNICIAN, region=region)
    RequisitionApprovalRule.objects.create(name="中央仓领料", warehouse_kind=WarehouseKind.CENTRAL, approver_role="warehouse")
    work_order = job(tech, W.ON_SITE)

    def requisition(warehouse: Warehouse, quantity: int = 1):  # type: ignore[no-untyped-def]
        return services.requisition_submit(
            requisition=services.requisition_create(
                work_order=work_order, warehouse=warehouse, lines=[(part, quantity)], actor=tech
            ),
            actor=tech,
        )

    requisition(central)
    requisition(central)  # two to approve
    requisition(regional)  # approved at once (no rule): to issue
    van = services.warehouse_for_technician(technician=tech)
    services.transfer_create(from_warehouse=regional, to_warehouse=van, lines=[(part, 2)], actor=keeper)
    services.return_create(
        work_order=None, technician=tech, warehouse=regional, unused=[(part, 1)], faulty=[FaultyInput(part=part)], actor=tech
    )
    services.transfer_create(from_warehouse=central, to_warehouse=regional, lines=[(part, 1)], actor=keeper, in_transit=True)
    services.stock_set_levels(warehouse=regional, part=part, min_level=50, emergency_reserve=0, actor=keeper)
    # Another region's warehouse is not the keeper's.
    south = WarehouseFactory(code="south", kind=WarehouseKind.REGIONAL, region=RegionFactory(code="south"))
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    other = PartFactory()
    services.stock_receive(warehouse=south, lines=[(other, 1)], actor=admin)
    services.stock_set_levels(warehouse=south, part=other, min_level=50, emergency_reserve=0, actor=admin)

    counts = {c.key: c.total for c in warehouse_home(user=keeper).counts}
    assert counts == {"to_approve": 2, "to_issue": 1, "returns": 1, "transfers": 1, "low_stock": 1, "faulty": 0, "gifts": 0}
    client = client_for(keeper)

    def rows(url: str, test_id: str) -> int:
        return client.get(url).content.decode().count(f'data-test-id="{test_id}"')

    assert rows(reverse("parts:requisitions") + "?status=submitted", "requisition-row") == counts["to_approve"]
    assert rows(reverse("parts:requisitions") + "?status=approved", "requisition-row") == counts["to_issue"]
    assert rows(reverse("parts:returns"), "return-card") == counts["returns"]
    assert rows(reverse("parts:low_stock"), "low-row") == counts["low_stock"]
    home = client.get(reverse("desk:warehouse")).content.decode()
    assert re.search(r'data-test-id="count-to_approve" data-total="2"', home)
    assert f'href="{reverse("parts:requisitions")}?status=submitted"' in home


def test_the_warehouse_home_reads_in_few_statements(store, django_assert_max_num_queries):
    _region, keeper, _regional, _central, _part = store
    with django_assert_max_num_queries(8):  # seven counts (the gifts to ship too) and the next requisitions
        home = warehouse_home(user=keeper)
    assert len(home.counts) == 7
