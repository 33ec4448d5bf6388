"""The spike detector's arithmetic and its alerts on a small synthetic history (fast); the
acceptance replay over the demo's history is test_replay_demo.py."""

import datetime as dt
import math

import pytest

from aftersales.crisis.models import Alert, AlertKind, Dimension
from aftersales.crisis.services import alert_dismiss, alerts_detect_spikes
from aftersales.crisis.spikes import poisson_upper_tail, scan
from tests.clock import freeze_time
from tests.factories import ProductModelFactory, make_ticket

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


def test_poisson_upper_tail() -> None:
    assert poisson_upper_tail(0, 3.0) == 1.0
    # P(X >= 1) = 1 - e^-λ
    assert poisson_upper_tail(1, 0.5) == pytest.approx(1 - math.exp(-0.5))
    # P(X >= 3 | 2) = 1 - e^-2 (1 + 2 + 2)
    assert poisson_upper_tail(3, 2.0) == pytest.approx(1 - math.exp(-2) * 5)
    assert poisson_upper_tail(40, 0.1) < 1e-60


def _ticket(at: dt.datetime, n: int, **kw: object):  # type: ignore[no-untyped-def]
    with freeze_time(at):
        return make_ticket(phone=f"139{n:08d}", **kw)


@pytest.mark.django_db
def test_a_burst_on_one_batch_is_one_alert_and_a_steady_flow_is_none() -> None:
    heater, other = ProductModelFactory(code="WH-60"), ProductModelFactory(code="AC-35")
    # A steady history: one ticket a day on the other model for four weeks.
    for day in range(28):
        _ticket(T0 - dt.timedelta(days=28 - day), day, description="空调不制冷", product_model_code=other.code, batch="AC-1")
    with freeze_time(T0):
        assert scan(now=T0) == []
    # Then eight tickets in 80 minutes on one heater batch.
    for i in range(8):
        moment = T0 + dt.timedelta(minutes=10 * (i + 1))
        _ticket(moment, 100 + i, description="热水器漏水", product_model_code=heater.code, batch="WH-B7")
        with freeze_time(moment):
            alerts_detect_spikes()
    alerts = list(Alert.objects.filter(kind=AlertKind.SPIKE))
    assert len(alerts) == 1  # the model's spike (the same tickets) merged into the batch's alert
    alert = alerts[0]
    assert (alert.dimension, alert.key) == (Dimension.BATCH, "WH-B7")
    assert alert.ticket_count == 8
    assert alert.opened_at <= T0 + dt.timedelta(minutes=50)
    assert alert.merged_count >= 1
    assert alert.p_value is not None and alert.p_value < 1e-6
    assert sum(point["count"] for point in alert.curve) == 8


@pytest.mark.django_db
@pytest.mark.usefixtures("scan_at_once")
def test_a_dismissed_cluster_stays_quiet_for_a_day(supervisor) -> None:  # type: ignore[no-untyped-def]
    heater, other = ProductModelFactory(code="WH-61"), ProductModelFactory(code="AC-36")
    for day in range(28):  # a quiet history: one ticket a day on another model
        _ticket(
            T0 - dt.timedelta(days=28 - day), 400 + day, description="空调不制冷", product_model_code=other.code, batch="AC-2"
        )
    for i in range(6):
        _ticket(
            T0 + dt.timedelta(minutes=5 * i), 200 + i, description="热水器漏水", product_model_code=heater.code, batch="WH-B9"
        )
    alert = Alert.objects.get(kind=AlertKind.SPIKE)
    with freeze_time(T0 + dt.timedelta(minutes=40)):
        alert_dismiss(alert=alert, actor=supervisor, reason="检修活动集中登记")
    for i in range(3):
        moment = T0 + dt.timedelta(minutes=50 + 5 * i)
        _ticket(moment, 300 + i, description="热水器漏水", product_model_code=heater.code, batch="WH-B9")
        with freeze_time(moment):
            alerts_detect_spikes()
    assert Alert.objects.filter(kind=AlertKind.SPIKE).count() == 1
    alert.refresh_from_db()
    assert alert.ticket_count == 9 and alert.status == "dismissed"
