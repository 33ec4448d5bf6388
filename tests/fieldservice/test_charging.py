"""Cost and charge on completion: an in-warranty unit, an out-of-warranty unit, a part replaced
recently (its own warranty), the labour and travel policy, and each line saying why."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps

from aftersales.accounts.models import Region
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.fieldservice import services
from aftersales.fieldservice.models import ChargePolicy, TravelMode, TravelRate

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    photo,
    technician,
    unit_in_warranty,
    unit_out_of_warranty,
    walk_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates():
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.PER_KM, cost=Decimal("1.50"), price=Decimal("3.00"))


@pytest.fixture
def people():
    return {"handler": agent(), "boss": dispatcher(), "tech": technician()}


def _lines(work_order):  # type: ignore[no-untyped-def]
    return {line.kind: line for line in work_order.charge_lines.all()}


def test_in_warranty_everything_is_free_but_costed(rates, people):
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_in_warranty())
    job = walk_to(
        new_job(handler=people["handler"], measure=measure), "done", boss=people["boss"], tech=people["tech"], hours="1.5"
    )
    lines = _lines(job)
    assert lines["labour"].cost_amount == Decimal("90.00") and lines["labour"].free and lines["labour"].charge_amount == 0
    assert lines["travel"].cost_amount == Decimal("18.00") and lines["travel"].free  # 12 km × 1.50
    assert "In warranty until" in lines["labour"].reason
    assert job.cost_total == Decimal("108.00") and job.charge_total == Decimal("0.00")
    assert not job.chargeable and job.quote_confirmed_at is None


def test_out_of_warranty_is_charged_after_the_customer_confirmed_the_quote(rates, people):
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_out_of_warranty())
    job = walk_to(new_job(handler=people["handler"], measure=measure), "on_site", boss=people["boss"], tech=people["tech"])
    assert job.chargeable
    tech = people["tech"]
    services.work_order_record_work(work_order=job, actor=tech, diagnosis="d", work_done="w", labour_hours="2", travel_km="10")
    services.work_order_add_photo(work_order=fresh(job), actor=tech, kind="before", file=photo())
    services.work_order_add_photo(work_order=fresh(job), actor=tech, kind="after", file=photo())
    with pytest.raises(ValidationFailed) as exc:
        services.work_order_check_out(work_order=fresh(job), actor=tech)
    assert set(exc.value.errors) == {"quote"}
    with pytest.raises(DomainError):
        services.work_order_confirm_quote(work_order=fresh(job), actor=tech)  # nothing quoted yet
    quoted = services.work_order_prepare_quote(
        work_order=fresh(job), actor=tech, estimated_hours="2", parts_estimate="50", estimated_km="10"
    )
    assert quoted.quote_total == Decimal("320.00")  # parts 50 + labour 2 × 120 + travel 10 × 3
    services.work_order_confirm_quote(work_order=fresh(job), actor=tech)
    done = services.work_order_check_out(work_order=fresh(job), actor=tech)
    lines = _lines(done)
    assert not lines["labour"].free and lines["labour"].charge_amount == Decimal("240.00")
    assert not lines["travel"].free and lines["travel"].charge_amount == Decimal("30.00")
    assert "Out of warranty since" in lines["labour"].reason
    assert done.charge_total == Decimal("270.00") and done.cost_total == Decimal("135.00")


def test_the_policy_can_make_labour_and_travel_free_out_of_warranty(people):
    ChargePolicy.objects.create(
        name="goodwill",
        labour_cost_per_hour=Decimal("60"),
        labour_price_per_hour=Decimal("120"),
        charge_labour_out_of_warranty=False,
        charge_travel_out_of_warranty=False,
        valid_from=dt.date(2020, 1, 1),
    )
    region = Region.objects.create(code="east", name="华东")
    TravelRate.objects.create(region=region, mode=TravelMode.FLAT, cost=Decimal("40"), price=Decimal("80"))
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_out_of_warranty(), region=region)
    job = walk_to(new_job(handler=people["handler"], measure=measure), "done", boss=people["boss"], tech=people["tech"])
    lines = _lines(job)
    assert lines["labour"].free and "policy" in lines["labour"].reason
    assert lines["travel"].free and lines["travel"].cost_amount == Decimal("40.00")  # flat per region
    assert job.charge_total == 0


@pytest.mark.skipif(not apps.is_installed("aftersales.parts"), reason="the parts app is not installed yet")
def test_parts_priced_from_the_price_list_and_a_recently_replaced_part_is_free(rates, people):
    from aftersales.parts.models import Part, PartUsage, Warehouse

    unit = unit_out_of_warranty()
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit)
    _earlier_ticket, earlier_measure = in_progress_ticket(actor=people["handler"], unit=unit)
    pump = Part.objects.create(
        number="P-PUMP", name="排水泵", unit_cost=Decimal("80"), unit_price=Decimal("150"), warranty_months=6
    )
    board = Part.objects.create(
        number="P-PCB", name="主控板", unit_cost=Decimal("200"), unit_price=Decimal("380"), warranty_months=12
    )
    van = Warehouse.objects.create(code="van-t", name="车载库", kind="van", technician=people["tech"])
    earlier = new_job(handler=people["handler"], measure=earlier_measure)
    today = clock.local_today()
    PartUsage.objects.create(
        work_order=earlier,
        part=pump,
        quantity=1,
        van=van,
        product_unit=unit,
        unit_cost=pump.unit_cost,
        unit_price=pump.unit_price,
        warranty_months=6,
        installed_on=today - dt.timedelta(days=30),
        recorded_by=people["tech"],
        created_at=clock.now(),
    )
    job = walk_to(new_job(handler=people["handler"], measure=measure), "on_site", boss=people["boss"], tech=people["tech"])
    for part in (pump, board):
        PartUsage.objects.create(
            work_order=job,
            part=part,
            quantity=1,
            van=van,
            product_unit=unit,
            unit_cost=part.unit_cost,
            unit_price=part.unit_price,
            warranty_months=part.warranty_months,
            installed_on=today,
            recorded_by=people["tech"],
            created_at=clock.now(),
        )
    tech = people["tech"]
    services.work_order_record_work(
        work_order=fresh(job), actor=tech, diagnosis="d", work_done="w", labour_hours="1", travel_km="0"
    )
    services.work_order_add_photo(work_order=fresh(job), actor=tech, kind="before", file=photo())
    services.work_order_add_photo(work_order=fresh(job), actor=tech, kind="after", file=photo())
    services.work_order_prepare_quote(work_order=fresh(job), actor=tech, estimated_hours="1", parts_estimate="380")
    services.work_order_confirm_quote(work_order=fresh(job), actor=tech)
    done = services.work_order_check_out(work_order=fresh(job), actor=tech)
    parts = {line.part_ref: line for line in done.charge_lines.filter(kind="part")}
    assert parts[pump.pk].free and "its own warranty" in parts[pump.pk].reason
    assert not parts[board.pk].free and parts[board.pk].charge_amount == Decimal("380.00")
    assert "price list" in parts[board.pk].reason
    assert done.cost_parts == Decimal("280.00")
    assert done.charge_total == Decimal("380.00") + Decimal("120.00")  # board + 1 h labour; 0 km travel
