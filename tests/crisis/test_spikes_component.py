"""Component as a spike dimension: a wave of one part fitted (or named by signed appraisals) on
many tickets against that part's own baseline raises exactly one alert; a steady flow of parts
raises none. The component comes from parts and appraisal (below crisis), never from quality's
rollup."""

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.accounts.models import Role
from aftersales.crisis.models import Alert, AlertKind, Dimension
from aftersales.crisis.services import alerts_detect_spikes
from aftersales.crisis.spikes import component_records, curve, scan
from aftersales.fieldservice.models import WorkOrder
from aftersales.parts.models import Part, PartUsage, Warehouse
from aftersales.tickets.models import Ticket
from tests.clock import freeze_time
from tests.factories import ProductModelFactory, UserFactory, make_ticket

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def _ticket(at: dt.datetime, n: int, model_code: str) -> Ticket:
    with freeze_time(at):
        return make_ticket(phone=f"137{n:08d}", description="热水器不加热", product_model_code=model_code, batch=f"B-{n % 7}")


class Fitter:
    def __init__(self) -> None:
        self.tech = UserFactory(role=Role.TECHNICIAN)
        self.van = Warehouse.objects.create(code="van-c", name="车载库", kind="van", technician=self.tech)

    def fit(self, ticket: Ticket, part: Part, at: dt.datetime) -> PartUsage:
        n = WorkOrder.objects.count() + 1
        job = WorkOrder.objects.create(
            number=f"WO-C{n:05d}",
            ticket=ticket,
            kind="onsite_repair",
            status="on_site",
            technician=self.tech,
            created_at=at,
            updated_at=at,
        )
        return PartUsage.objects.create(
            work_order=job,
            part=part,
            quantity=1,
            van=self.van,
            unit_cost=part.unit_cost,
            unit_price=part.unit_price,
            warranty_months=part.warranty_months,
            installed_on=at.date(),
            recorded_by=self.tech,
            created_at=at,
        )


def _part(number: str, name: str) -> Part:
    return Part.objects.create(number=number, name=name, unit_cost=Decimal("10"), unit_price=Decimal("20"), warranty_months=6)


@pytest.fixture
def history():  # type: ignore[no-untyped-def]
    """Four quiet weeks: every day a ticket repaired with six other parts over the day, and the
    capacitor on every fourth day's ticket, on several models; then 12 older tickets waiting."""
    models = [ProductModelFactory(code=f"WH-{i}") for i in range(4)]
    capacitor = _part("C-470", "启动电容")
    others = [_part(f"P-{i}", f"部件{i}") for i in range(6)]
    fitter = Fitter()
    for day in range(28):
        at = T0 - dt.timedelta(days=28 - day)
        ticket = _ticket(at - dt.timedelta(hours=30), day, models[day % 4].code)
        for i, part in enumerate(others):
            fitter.fit(ticket, part, at + dt.timedelta(hours=3 * i))
        if day % 4 == 0:
            fitter.fit(ticket, capacitor, at)
    waiting = [
        _ticket(T0 - dt.timedelta(days=20 - i, hours=i), 100 + i, models[i % 4].code) for i in range(12)
    ]  # registered over three weeks: no ticket spike
    return {"capacitor": capacitor, "board": others[0], "others": others, "fitter": fitter, "waiting": waiting}


def test_a_wave_of_one_component_raises_exactly_one_alert(history):  # type: ignore[no-untyped-def]
    capacitor, fitter = history["capacitor"], history["fitter"]
    with freeze_time(T0):
        assert scan(now=T0) == []  # the steady flow of parts: nothing
    # The capacitor fitted on the 12 waiting tickets within three hours (other repairs go on at
    # their usual pace); the scan after each.
    for i, ticket in enumerate(history["waiting"]):
        moment = T0 + dt.timedelta(minutes=15 * (i + 1))
        fitter.fit(ticket, capacitor, moment)
        if i % 6 == 0:
            fitter.fit(ticket, history["others"][i // 6], moment)
        with freeze_time(moment):
            alerts_detect_spikes(now=moment)
    for extra in range(1, 7):  # later sweeps merge into the same alert
        moment = T0 + dt.timedelta(minutes=180 + 10 * extra)
        with freeze_time(moment):
            alerts_detect_spikes(now=moment)
    alerts = list(Alert.objects.filter(kind=AlertKind.SPIKE))
    assert len(alerts) == 1
    alert = alerts[0]
    assert (alert.dimension, alert.key) == (Dimension.COMPONENT, str(capacitor.pk))
    assert "C-470" in alert.key_label
    assert alert.ticket_count == 12  # the later sweeps' tickets merged in
    assert set(alert.tickets.values_list("pk", flat=True)) == {t.pk for t in history["waiting"]}
    assert alert.p_value is not None and alert.p_value < 1e-6
    assert alert.opened_at <= T0 + dt.timedelta(hours=2)
    assert sum(point["count"] for point in alert.curve) == 12


def test_a_steady_component_flow_and_the_other_parts_raise_nothing(history):  # type: ignore[no-untyped-def]
    board, fitter = history["board"], history["fitter"]
    # Four boards in six hours (one a day in the baseline) stay under the minimum count.
    for i, ticket in enumerate(history["waiting"][:4]):
        fitter.fit(ticket, board, T0 + dt.timedelta(minutes=80 * i))
    now = T0 + dt.timedelta(hours=5)
    assert [s for s in scan(now=now) if s.dimension == Dimension.COMPONENT] == []


def test_component_records_count_each_ticket_once_per_part(history):  # type: ignore[no-untyped-def]
    capacitor, fitter = history["capacitor"], history["fitter"]
    ticket = history["waiting"][0]
    fitter.fit(ticket, capacitor, T0 + dt.timedelta(minutes=5))
    fitter.fit(ticket, capacitor, T0 + dt.timedelta(minutes=25))
    records = component_records(T0, T0 + dt.timedelta(hours=1), part=str(capacitor.pk))
    assert records == {(ticket.pk, str(capacitor.pk)): T0 + dt.timedelta(minutes=25)}
    points = curve(dimension=Dimension.COMPONENT, key=str(capacitor.pk), now=T0 + dt.timedelta(hours=1), hours=2)
    assert sum(p["count"] for p in points) == 1
