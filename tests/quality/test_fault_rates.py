"""Fault rates per factory, supplier and production month (``quality.rates``): the arithmetic over
the production register's batches, batches without a shipment volume or a register row (no rate,
never a guess), the supplier's faults by the component at fault, the register inferred from the
serial units where it holds nothing (the register wins), the tickets behind a rate, the page in
both languages, the API and the Excel export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.catalog.models import BatchSource, ProductionBatch
from aftersales.catalog.services import production_batches_infer
from aftersales.quality import rates
from aftersales.quality.statistics import StatFilters
from tests.factories import UserFactory

from .factories_rates import fit, part, register
from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date
FOSHAN, HEFEI = "佛山工厂", "合肥工厂"
HUADE, LINGDA = "宁波华德", "凌达压缩机"


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    """B1, B2 registered in Foshan (January, February) with a capacitor from Huade; B3 known only
    from its units (Hefei, February), B4 registered in Hefei without shipments, B5 placed nowhere."""
    m = model("KFR-72LW")
    register(m, "B1", factory=FOSHAN, month=D(2026, 1, 1), components={"C-470": HUADE, "压缩机": LINGDA})
    register(m, "B2", factory=FOSHAN, month=D(2026, 2, 1), components={"启动电容": HUADE})
    register(m, "B4", factory=HEFEI)
    for batch, units in (("B1", 1000), ("B2", 500), ("B3", 2000), ("B5", 300)):
        ship(m, batch, units, D(2026, 3, 1))
    capacitor = part("C-470", "启动电容")
    on = D(2026, 6, 2)
    for _ in range(2):
        fit(fault(unit(m, "B1"), on=on), capacitor)
    fault(unit(m, "B1"), on=on)  # no component recorded
    fit(fault(unit(m, "B2"), on=on), capacitor)
    for _ in range(2):
        fault(unit(m, "B3", factory=HEFEI, production_date=D(2026, 2, 10)), on=on)
    fault(unit(m, "B4"), on=on)
    fault(unit(m, "B5", factory="", production_date=None), on=on)
    refresh()
    return m


def _by(rows: list[rates.GroupRate]) -> dict[object, rates.GroupRate]:
    return {r.key: r for r in rows}


def test_rate_per_factory_counts_the_batches_the_register_places(world):  # type: ignore[no-untyped-def]
    found = rates.group_rates("factory", StatFilters())
    rows = _by(found.rows)
    assert (rows[FOSHAN].batches, rows[FOSHAN].shipped, rows[FOSHAN].faulty_units) == (2, 1500, 4)
    assert rows[FOSHAN].per_thousand == pytest.approx(4000 / 1500)
    # B3 is placed by its units (inferred); B4 has faults but no shipments: in no rate, counted apart.
    assert (rows[HEFEI].shipped, rows[HEFEI].faulty_units, rows[HEFEI].unshipped_units) == (2000, 2, 1)
    assert rows[HEFEI].per_thousand == pytest.approx(1.0)
    assert found.rows[0].key == FOSHAN  # highest rate first
    assert found.unknown is not None and found.unknown.key is None
    assert (found.unknown.shipped, found.unknown.faulty_units, found.unknown.rate) == (300, 1, None)
    assert found.unshipped_units == 1


def test_rate_per_production_month(world):  # type: ignore[no-untyped-def]
    found = rates.group_rates("production_month", StatFilters())
    assert [r.key for r in found.rows] == [D(2026, 1, 1), D(2026, 2, 1)]  # oldest first
    january, february = found.rows
    assert january.per_thousand == pytest.approx(3.0)
    assert (february.shipped, february.faulty_units) == (2500, 3)  # B2 registered, B3 from its units
    assert february.label == "2026-02"
    assert found.unknown is not None and found.unknown.unshipped_units == 1 and found.unknown.shipped == 300


def test_rate_per_supplier_counts_the_faults_of_its_components(world):  # type: ignore[no-untyped-def]
    found = rates.group_rates("supplier", StatFilters())
    rows = _by(found.rows)
    # Huade made the capacitor of B1 (by part number) and of B2 (by part name): 3 faults ÷ 1,500.
    assert (rows[HUADE].batches, rows[HUADE].shipped, rows[HUADE].faulty_units) == (2, 1500, 3)
    assert rows[HUADE].per_thousand == pytest.approx(2.0)
    # Lingda's compressor of B1: no fault, a known zero rate.
    assert (rows[LINGDA].shipped, rows[LINGDA].faulty_units, rows[LINGDA].per_thousand) == (1000, 0, 0.0)
    assert found.unattributed_units == 1  # B1's fault without a component
    assert found.unknown is not None and found.unknown.shipped == 2300  # B3, B5 (B4: no shipments)


def test_an_unknown_denominator_gives_no_rate():  # type: ignore[no-untyped-def]
    m = model("KFR-26GW")
    register(m, "X1", factory=FOSHAN, month=D(2026, 1, 1), components={"C-470": HUADE})
    fault(unit(m, "X1"), on=D(2026, 6, 2))
    refresh()
    (row,) = rates.group_rates("factory", StatFilters()).rows
    assert (row.shipped, row.rate, row.per_thousand, row.unshipped_units, row.unshipped_batches) == (0, None, None, 1, 1)
    assert rates.group_rates("supplier", StatFilters()).rows[0].rate is None


def test_filters_narrow_both_sides(world):  # type: ignore[no-untyped-def]
    other = model("KFR-26GW")
    register(other, "B1", factory=FOSHAN, month=D(2026, 1, 1))
    ship(other, "B1", 9000, D(2026, 3, 1))
    refresh()
    everything = _by(rates.group_rates("factory", StatFilters()).rows)[FOSHAN]
    assert (everything.shipped, everything.faulty_units) == (10500, 4)
    one_model = _by(rates.group_rates("factory", StatFilters(model_id=world.pk)).rows)[FOSHAN]
    assert (one_model.shipped, one_model.faulty_units) == (1500, 4)
    later = rates.group_rates("factory", StatFilters(since=D(2026, 7, 1)))
    assert _by(later.rows)[FOSHAN].faulty_units == 0 and _by(later.rows)[FOSHAN].shipped == 10500


def test_the_register_wins_over_the_units_and_inference_is_audited():  # type: ignore[no-untyped-def]
    m = model("KFR-35GW")
    unit(m, "R1", factory=HEFEI, production_date=D(2026, 2, 3))
    unit(m, "R2", factory=HEFEI, production_date=D(2026, 2, 3))
    unit(m, "R2", factory=FOSHAN, production_date=D(2026, 2, 20))  # a mixed batch: no factory guessed
    register(m, "R3", factory=FOSHAN)
    unit(m, "R3", factory=HEFEI)
    assert production_batches_infer() == 2
    inferred = {b.batch: b for b in ProductionBatch.objects.filter(source=BatchSource.UNITS)}
    assert (inferred["R1"].factory, inferred["R1"].production_month) == (HEFEI, D(2026, 2, 1))
    assert (inferred["R2"].factory, inferred["R2"].production_month) == ("", D(2026, 2, 1))
    assert ProductionBatch.objects.get(batch="R3").factory == FOSHAN  # the register's, untouched
    assert AuditEvent.objects.filter(action="production_batch.inferred").count() == 2
    assert production_batches_infer() == 0  # nothing new


def _client(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def test_tickets_behind_a_rate(world):  # type: ignore[no-untyped-def]
    client = _client(engineer())

    def listed(**params: str) -> int:
        page = client.get(reverse("quality:tickets"), params)
        assert page.status_code == 200
        return page.content.decode().count('data-test-id="quality-ticket-row"')

    assert listed(pfactory=FOSHAN) == 4
    assert listed(pfactory=HEFEI) == 3  # B3 (inferred) and B4
    assert listed(pmonth="2026-01-01") == 3
    assert listed(psupplier=HUADE) == 3
    assert listed(psupplier=LINGDA) == 0


def test_the_page_in_both_languages(world):  # type: ignore[no-untyped-def]
    en = _client(engineer(language="en")).get(reverse("quality:rates"))
    assert en.status_code == 200
    html = en.content.decode()
    for text in ("Fault rate per factory", "Fault rate per supplier", "Fault rate per production month", "factory unknown"):
        assert text in html
    assert "data:image/svg+xml;base64," in html
    assert reverse("quality:tickets") + "?pfactory=" in html
    assert "2.67" in html  # Foshan, per 1,000
    assert 'data-test-id="quality-rates-unshipped"' in html
    zh = _client(engineer(language="zh-hans"), "zh-hans").get(reverse("quality:rates")).content.decode()
    assert "各工厂故障率" in zh and "Fault rate per factory" not in zh and "工厂未知" in zh
    overview = _client(engineer()).get(reverse("quality:overview")).content.decode()
    assert reverse("quality:rates") in overview


def test_who_may_open_the_page(world):  # type: ignore[no-untyped-def]
    for role, status in ((Role.QUALITY_ENGINEER, 200), (Role.AGENT, 403)):
        assert _client(UserFactory(role=role, data_scope=DataScope.ALL)).get(reverse("quality:rates")).status_code == status


def test_api_rates_by_factory_supplier_and_month(world):  # type: ignore[no-untyped-def]
    from tests.api.conftest import api_client

    client = api_client(engineer())
    base = "/api/v1/quality/fault-rates/groups"
    factories = client.get(base, {"by": "factory"})
    assert factories.status_code == 200, factories.content
    body = factories.json()
    rows = {r["key"]: r for r in body["rows"]}
    assert rows[FOSHAN]["shipped"] == 1500 and rows[FOSHAN]["faulty_units"] == 4
    assert rows[FOSHAN]["rate"] == pytest.approx(4 / 1500)
    assert rows[HEFEI]["unshipped_units"] == 1
    assert body["unknown"]["key"] is None and body["unknown"]["rate"] is None and body["unknown"]["shipped"] == 300
    months = client.get(base, {"by": "production_month"}).json()
    assert [r["key"] for r in months["rows"]] == ["2026-01", "2026-02"]
    suppliers = client.get(base, {"by": "supplier"}).json()
    assert {r["key"]: r["faulty_units"] for r in suppliers["rows"]} == {HUADE: 3, LINGDA: 0}
    assert suppliers["unattributed_units"] == 1
    assert client.get(base, {"by": "colour"}).status_code == 422
    agent = api_client(UserFactory(role=Role.AGENT, data_scope=DataScope.ALL))
    assert agent.get(base).status_code == 403


def test_excel_export_of_the_rates(world):  # type: ignore[no-untyped-def]
    from tests.exports.helpers import column, export_sheet

    sheet, count = export_sheet("quality_group_rates", engineer(language="en"))
    assert count == 9  # 2 factories + unknown, 2 suppliers + unknown, 2 months + unknown
    assert column(sheet, "Grouped by").count("Factory") == 3
    names = column(sheet, "Name")
    assert FOSHAN in names and HUADE in names and "2026-01" in names and "Unknown" in names
    assert round(column(sheet, "Per 1,000 units")[names.index(FOSHAN)], 2) == 2.67
