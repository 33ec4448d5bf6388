"""The export kinds of the parts pages (low stock, catalogue, ledger, returns, faulty parts,
transfers, the van) and of the quality statistics (fault rate per batch, Pareto, time to
failure, the tickets behind a figure, first-time fix, the change archive): the rows are the
page's for that user, another region's absent; one file is opened with openpyxl."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.parts import services
from aftersales.parts.models import WarehouseKind
from aftersales.parts.services import FaultyInput
from aftersales.quality.statistics import StatFilters, batch_fault_rates, filters_for
from tests.factories import RegionFactory, UserFactory
from tests.parts.factories import WarehouseFactory
from tests.parts.test_services import issued_to_van
from tests.quality.helpers import engineer, fault, model, refresh, ship, unit

from .helpers import column, export_sheet, header

pytestmark = pytest.mark.django_db
D = dt.date


def page_has(user, url: str, *kinds: str) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    for kind in kinds:
        assert f'data-kind="{kind}"' in response.content.decode(), (url, kind)


@pytest.fixture
def west_stock(board, sensor):  # type: ignore[no-untyped-def]
    west = WarehouseFactory(code="west", name="华西仓", kind=WarehouseKind.REGIONAL, region=RegionFactory(code="west"))
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    services.stock_receive(warehouse=west, lines=[(board, 3)], actor=admin, reference="PO-WEST")
    services.stock_set_levels(warehouse=west, part=board, min_level=5, emergency_reserve=0, actor=admin)
    return west


def test_low_stock_ledger_and_transfers_are_the_keepers_warehouses_only(stocked, west_stock, central, board, sensor, keeper):  # type: ignore[no-untyped-def]
    keeper.language = "en"
    keeper.save(update_fields=["language"])
    services.stock_set_levels(warehouse=stocked, part=sensor, min_level=25, emergency_reserve=0, actor=keeper)
    sheet, rows = export_sheet("parts_low_stock", keeper)
    assert (column(sheet, "Part number"), column(sheet, "Short by")) == (["P-SENSOR"], [5])  # west's board is not theirs
    sheet, rows = export_sheet("parts_ledger", keeper)
    assert set(column(sheet, "Document")) == {"PO-1"} and rows == 2  # no PO-WEST
    assert sheet.cell(row=2, column=header(sheet).index("Time") + 1).is_date
    sheet, rows = export_sheet("parts_ledger", keeper, {"part": str(board.pk)})
    assert column(sheet, "Part number") == ["P-BOARD"]
    moved = services.transfer_create(from_warehouse=stocked, to_warehouse=central, lines=[(board, 2)], actor=keeper)
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    west_two = WarehouseFactory(code="west2", name="成都仓", kind=WarehouseKind.REGIONAL, region=west_stock.region)
    services.transfer_create(from_warehouse=west_stock, to_warehouse=west_two, lines=[(board, 1)], actor=admin)
    sheet, rows = export_sheet("parts_transfers", keeper)
    assert column(sheet, "Number") == [moved.number]
    assert column(sheet, "Lines") == ["P-BOARD 电脑板 × 2"]
    page_has(keeper, reverse("parts:low_stock"), "parts_low_stock")
    page_has(keeper, reverse("parts:ledger"), "parts_ledger")
    page_has(keeper, reverse("parts:transfers"), "parts_transfers")


def test_catalogue_follows_the_search(board, sensor, keeper):  # type: ignore[no-untyped-def]
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, language="en")
    sheet, _rows = export_sheet("parts_catalogue", agent, {"q": "传感"})
    assert column(sheet, "Part number") == ["P-SENSOR"]
    assert sheet.cell(row=2, column=header(sheet).index("Unit cost") + 1).value == 12.5
    page_has(agent, reverse("parts:catalogue"), "parts_catalogue")


def test_returns_faulty_parts_and_the_van(stocked, board, sensor, work_order, technician, keeper):  # type: ignore[no-untyped-def]
    keeper.language = technician.language = "en"
    keeper.save(update_fields=["language"])
    technician.save(update_fields=["language"])
    issued_to_van(work_order, stocked, [(board, 1), (sensor, 2)], keeper=keeper, actor=technician)
    sheet, rows = export_sheet("parts_van", technician)
    assert rows == 2
    assert dict(zip(column(sheet, "Part number"), column(sheet, "On hand"), strict=True)) == {"P-BOARD": 1, "P-SENSOR": 2}
    part_return = services.return_create(
        work_order=work_order,
        technician=technician,
        warehouse=stocked,
        unused=[(sensor, 1)],
        faulty=[FaultyInput(part=board, serial="OLD-9", condition="烧毁")],
        actor=technician,
    )
    sheet, _rows = export_sheet("parts_returns", keeper)
    assert column(sheet, "Number") == [part_return.number]
    assert column(sheet, "Faulty") == ["P-BOARD 电脑板 OLD-9"]
    other_keeper = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.REGION, region=RegionFactory(code="west"))
    assert export_sheet("parts_returns", other_keeper)[1] == 0
    services.return_receive(part_return=part_return, actor=keeper)
    assert export_sheet("parts_returns", keeper)[1] == 0  # received: no longer to receive
    assert export_sheet("parts_returns", keeper, {"all": "1"})[1] == 1
    sheet, _rows = export_sheet("parts_faulty", keeper)
    assert (column(sheet, "Serial number"), column(sheet, "Condition")) == (["OLD-9"], ["烧毁"])
    assert export_sheet("parts_faulty", other_keeper)[1] == 0
    page_has(keeper, reverse("parts:returns"), "parts_returns")
    page_has(keeper, reverse("parts:faulty"), "parts_faulty")
    page_has(technician, reverse("parts:van"), "parts_van")


@pytest.fixture
def two_regions():  # type: ignore[no-untyped-def]
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    m = model("KFR-50LW")
    ship(m, "B1", 1000, D(2026, 1, 1))
    ship(m, "B2", 500, D(2026, 1, 1))
    for day in (2, 3):
        fault(unit(m, "B1", purchase_date=D(2026, 1, 10)), on=D(2026, 2, day), cause="materials", region=east)
    fault(unit(m, "B2", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 4), cause="design", region=west)
    refresh()
    return east, west, m


def test_fault_rates_pareto_and_time_to_failure_are_the_overviews_in_the_readers_region(two_regions):  # type: ignore[no-untyped-def]
    east, _west, _m = two_regions
    everyone = engineer(language="en")
    sheet, rows = export_sheet("quality_fault_rates", everyone)
    rates = dict(zip(column(sheet, "Batch"), column(sheet, "Faulty units"), strict=True))
    assert rates == {"B1": 2, "B2": 1}
    per_thousand = dict(zip(column(sheet, "Batch"), column(sheet, "Per 1,000 units"), strict=True))
    assert per_thousand == {"B1": 2.0, "B2": 2.0}
    assert rows == len(batch_fault_rates(filters_for(everyone, StatFilters())).rows)
    regional = engineer(language="en", data_scope=DataScope.REGION, region=east)
    sheet, rows = export_sheet("quality_fault_rates", regional)
    assert dict(zip(column(sheet, "Batch"), column(sheet, "Faulty units"), strict=True)).get("B2", 0) == 0
    sheet, rows = export_sheet("quality_pareto_causes", everyone)
    assert column(sheet, "Tickets") == [2, 1] and column(sheet, "Cumulative %") == [66.7, 100.0]
    sheet, rows = export_sheet("quality_pareto_causes", regional)
    assert column(sheet, "Tickets") == [2]
    sheet, rows = export_sheet("quality_time_to_failure", everyone)
    assert sum(column(sheet, "Claims")) == 3
    claims_east = sum(c.value for c in export_sheet("quality_time_to_failure", regional)[0]["B"][1:])
    assert claims_east == 2
    page_has(
        everyone,
        reverse("quality:overview"),
        "quality_fault_rates",
        "quality_pareto_causes",
        "quality_pareto_components",
        "quality_time_to_failure",
    )


def test_tickets_behind_a_figure_ftf_and_the_archive(two_regions):  # type: ignore[no-untyped-def]
    _east, west, m = two_regions
    everyone = engineer(language="en")
    sheet, rows = export_sheet("quality_fault_tickets", everyone, {"model": str(m.pk), "batch": "B1"})
    assert rows == 2 and set(column(sheet, "Batch")) == {"B1"}
    regional = engineer(language="en", data_scope=DataScope.REGION, region=west)
    sheet, rows = export_sheet("quality_fault_tickets", regional)
    assert column(sheet, "Batch") == ["B2"]
    sheet, rows = export_sheet("quality_first_time_fix", everyone)
    assert column(sheet, "Grouped by")[0] == "Total"
    assert export_sheet("quality_repeat_repairs", everyone)[1] == 0
    assert export_sheet("quality_change_archive", everyone)[1] == 0
    page_has(everyone, reverse("quality:tickets"), "quality_fault_tickets")
    page_has(everyone, reverse("quality:ftf"), "quality_first_time_fix", "quality_repeat_repairs")
    page_has(everyone, reverse("quality:archive"), "quality_change_archive")
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    from aftersales.exports.registry import kind_for_user

    assert kind_for_user("quality_fault_rates", agent) is None
