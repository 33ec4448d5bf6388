"""First-time-fix rates against hand-computed fixtures: per technician, model and outlet, the
window setting, repeat repairs per serial, and the caller's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from aftersales.accounts.models import DataScope, Role
from aftersales.fieldservice import ftf
from aftersales.fieldservice.models import WorkOrder
from tests.factories import RegionFactory, TeamFactory, UserFactory

from .helpers import engineer, fault, model, unit

pytestmark = pytest.mark.django_db
D = dt.date


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(15, 0)), timezone.get_default_timezone())


def _repair(ticket, technician, done: dt.date, kind: str = "onsite_repair", status: str = "done") -> WorkOrder:  # type: ignore[no-untyped-def]
    n = WorkOrder.objects.count() + 1
    return WorkOrder.objects.create(
        number=f"WO-T{n:05d}",
        ticket=ticket,
        kind=kind,
        status=status,
        technician=technician,
        completed_at=_at(done),
        created_at=_at(done),
        updated_at=_at(done),
    )


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    outlet_a, outlet_b = TeamFactory(name="南京服务站"), TeamFactory(name="上海服务站")
    tech_a = UserFactory(username="tech-a", role=Role.TECHNICIAN, team=outlet_a)
    tech_b = UserFactory(username="tech-b", role=Role.TECHNICIAN, team=outlet_b)
    m1, m2 = model("M-ONE"), model("M-TWO")
    u1, u2, u3 = unit(m1, "B1"), unit(m1, "B1"), unit(m2, "B9")
    # u1: repaired by A on 1 March, new fault 20 March (within 30 days) → repeat; repaired by B on 25 March, fine.
    t1 = fault(u1, on=D(2026, 2, 27))
    _repair(t1, tech_a, D(2026, 3, 1))
    t2 = fault(u1, on=D(2026, 3, 20))
    _repair(t2, tech_b, D(2026, 3, 25))
    # u2: repaired by A on 1 March; a consultation on 5 March is no fault; a new fault on 15 April (45 days) is outside.
    t3 = fault(u2, on=D(2026, 2, 28))
    _repair(t3, tech_a, D(2026, 3, 1))
    fault(u2, on=D(2026, 3, 5), request_type="consultation")
    fault(u2, on=D(2026, 4, 15))
    # u3: repaired by B, fine. An installation work order and an unfinished repair are not repairs.
    t4 = fault(u3, on=D(2026, 3, 1))
    _repair(t4, tech_b, D(2026, 3, 2))
    _repair(t4, tech_b, D(2026, 3, 3), kind="installation")
    _repair(t4, tech_a, D(2026, 3, 4), status="on_site")
    return {"tech_a": tech_a, "tech_b": tech_b}


def test_rates_per_technician_model_and_outlet(world):  # type: ignore[no-untyped-def]
    reader = engineer()
    total = ftf.ftf_total(user=reader)
    assert (total.repairs, total.first_time_fixed) == (4, 3)
    assert total.rate == pytest.approx(0.75)
    by_tech = {r.key: (r.repairs, r.first_time_fixed) for r in ftf.ftf_rates(user=reader, by="technician")}
    assert by_tech == {world["tech_a"].pk: (2, 1), world["tech_b"].pk: (2, 2)}
    by_model = {r.key: (r.repairs, r.first_time_fixed) for r in ftf.ftf_rates(user=reader, by="model")}
    assert sorted(by_model.values()) == [(1, 1), (3, 2)]
    by_outlet = {r.label: r.rate for r in ftf.ftf_rates(user=reader, by="outlet")}
    assert by_outlet == {"南京服务站": 0.5, "上海服务站": 1.0}


def test_the_window_setting_changes_what_counts_as_a_repeat(world, settings):  # type: ignore[no-untyped-def]
    settings.QUALITY_FTF_WINDOW_DAYS = 60  # u2's fault 45 days later now counts
    assert ftf.ftf_total(user=engineer()).first_time_fixed == 2
    settings.QUALITY_FTF_WINDOW_DAYS = 10  # u1's fault 19 days later no longer counts
    assert ftf.ftf_total(user=engineer()).first_time_fixed == 4


def test_period_filter(world):  # type: ignore[no-untyped-def]
    total = ftf.ftf_total(user=engineer(), since=D(2026, 3, 2), until=D(2026, 3, 31))
    assert (total.repairs, total.first_time_fixed) == (2, 2)


def test_repeat_repairs_per_serial(world):  # type: ignore[no-untyped-def]
    repeats = ftf.repeat_repairs(user=engineer())
    assert len(repeats) == 1
    (row,) = repeats
    assert (row.model, row.repairs, row.repeats, len(row.tickets)) == ("M-ONE", 2, 1, 2)


def test_staff_of_another_region_see_no_repairs(world):  # type: ignore[no-untyped-def]
    outsider = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=RegionFactory())
    assert ftf.ftf_total(user=outsider).repairs == 0
