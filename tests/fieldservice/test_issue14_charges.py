"""Issue 14, honest charges: the plan and the work order follow one warranty rule, the plan says
what the customer pays, and the work order never charges more than the customer accepted
without a new quote the customer confirms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.catalog.warranty import WarrantyState, add_months
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.fieldservice import services
from aftersales.fieldservice.actions import work_order_available_actions
from aftersales.fieldservice.models import ChargePolicy, TravelMode, TravelRate, WorkOrderStatus
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.process import (
    FIELD_MEASURE_KINDS,
    MeasureInput,
    ticket_plan_warranty,
    ticket_propose_plan,
    ticket_record_agreement,
    ticket_submit_plan,
)
from tests.factories import ProductModelFactory, ProductUnitFactory, RegionFactory, WarrantyPolicyFactory, make_ticket
from tests.tickets.process_helpers import analysed

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    photo,
    signature_data,
    technician,
    unit_in_warranty,
    unit_out_of_warranty,
    walk_to,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates():
    # 120 CNY an hour, 3 CNY a km: 2 h and 10 km charge 270 CNY out of warranty.
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    TravelRate.objects.create(region=None, mode=TravelMode.PER_KM, cost=Decimal("1.50"), price=Decimal("3.00"))


@pytest.fixture
def people():
    return {"handler": agent(), "boss": dispatcher(), "tech": technician()}


def _analysed_ticket(handler, unit=None):  # type: ignore[no-untyped-def]
    extra = {"serial_number": unit.serial_number} if unit is not None else {}
    return analysed(make_ticket(actor=handler, region=RegionFactory(), **extra), handler)


def _plan(ticket, handler, *, charge: str, kind: str = MeasureKind.ONSITE_REPAIR):  # type: ignore[no-untyped-def]
    return ticket_propose_plan(
        ticket=Ticket.objects.get(pk=ticket.pk),
        actor=handler,
        diagnosis="压缩机不启动",
        measures=[MeasureInput(kind=kind, owner=handler, customer_charge=Decimal(charge), description="上门维修")],
    )


def _agreed(ticket, handler, *, charge: str):  # type: ignore[no-untyped-def]
    _plan(ticket, handler, charge=charge)
    ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=handler, accepted=True, method="phone", agreed_at=clock.now()
    )
    return PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)


def _record_work(job, tech, *, hours: str = "2", km: str = "10"):  # type: ignore[no-untyped-def]
    services.work_order_record_work(
        work_order=fresh(job), actor=tech, diagnosis="压缩机", work_done="更换电容", labour_hours=hours, travel_km=km
    )
    services.work_order_add_photo(work_order=fresh(job), actor=tech, kind="before", file=photo())
    services.work_order_add_photo(work_order=fresh(job), actor=tech, kind="after", file=photo())


# --- The plan ---------------------------------------------------------------------------------


@pytest.mark.parametrize("unit_maker", [unit_out_of_warranty, None], ids=["out of warranty", "no unit registered"])
def test_a_plan_cannot_call_an_on_site_repair_free_when_the_warranty_does_not_cover_it(people, unit_maker):
    handler = people["handler"]
    ticket = _analysed_ticket(handler, unit_maker() if unit_maker else None)
    with pytest.raises(ValidationFailed) as refused:
        _plan(ticket, handler, charge="0")
    assert refused.value.code == "measure_charge_required"
    assert set(refused.value.errors) == {"measures.0.customer_charge"}
    plan = _plan(ticket, handler, charge="285")
    assert plan.measures.get().customer_charge == Decimal("285.00")


def test_in_warranty_the_plan_may_say_free_and_a_refund_is_never_charged(people):
    handler = people["handler"]
    ticket = _analysed_ticket(handler, unit_in_warranty())
    assert ticket_plan_warranty(ticket=Ticket.objects.get(pk=ticket.pk)).state == WarrantyState.IN_WARRANTY
    assert _plan(ticket, handler, charge="0").measures.get().customer_charge == 0
    # A consultation or a refund sends nobody out: no estimate needed even out of warranty.
    other = _analysed_ticket(handler, unit_out_of_warranty())
    assert _plan(other, handler, charge="0", kind=MeasureKind.CONSULTATION).measures.get().customer_charge == 0
    assert {"onsite_repair", "depot_repair", "installation", "inspection", "remote_support"} == set(FIELD_MEASURE_KINDS)


def test_a_warranty_without_labour_is_chargeable_for_the_plan_and_the_work_order_alike(people, rates):
    handler = people["handler"]
    parts_only = WarrantyPolicyFactory(name="只保零件", months=12, covers_labour=False)
    today = clock.local_today()
    unit = ProductUnitFactory(model=ProductModelFactory(warranty_policy=parts_only), purchase_date=today - dt.timedelta(days=30))
    ticket = _analysed_ticket(handler, unit)
    with pytest.raises(ValidationFailed):
        _plan(ticket, handler, charge="0")
    measure = _agreed(ticket, handler, charge="300")
    job = new_job(handler=handler, measure=measure)
    # Old rule: "in warranty" = free of quote, yet the labour was charged; now both say chargeable.
    assert job.chargeable


# --- The work order: never more than the customer accepted ------------------------------------


def test_within_the_plans_estimate_the_job_is_charged_without_a_separate_quote(people, rates):
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_out_of_warranty())
    PlanMeasure.objects.filter(pk=measure.pk).update(customer_charge=Decimal("300"))
    job = walk_to(new_job(handler=people["handler"], measure=measure), "on_site", boss=people["boss"], tech=people["tech"])
    assert job.chargeable
    _record_work(job, people["tech"])
    done = services.work_order_check_out(work_order=fresh(job), actor=people["tech"])
    assert done.status == WorkOrderStatus.DONE and done.charge_total == Decimal("270.00")


def test_more_than_the_plan_said_needs_a_new_quote_the_customer_confirms(people, rates):
    # The plan told the customer 200 CNY; the job comes to 270 CNY.
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_out_of_warranty())
    PlanMeasure.objects.filter(pk=measure.pk).update(customer_charge=Decimal("200"))
    tech = people["tech"]
    job = walk_to(new_job(handler=people["handler"], measure=measure), "on_site", boss=people["boss"], tech=tech)
    _record_work(job, tech)
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_check_out(work_order=fresh(job), actor=tech)
    assert refused.value.code == "charge_exceeds_accepted" and set(refused.value.errors) == {"quote"}
    message = str(refused.value.errors["quote"][0])
    assert "270.00" in message and "200.00" in message
    assert fresh(job).status == WorkOrderStatus.ON_SITE and not fresh(job).charge_lines.exists()
    services.work_order_prepare_quote(work_order=fresh(job), actor=tech, estimated_hours="2", estimated_km="10")
    services.work_order_confirm_quote(work_order=fresh(job), actor=tech)
    assert services.work_order_check_out(work_order=fresh(job), actor=tech).charge_total == Decimal("270.00")


def test_an_overrun_of_a_confirmed_quote_needs_a_new_confirmed_quote(people, rates):
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_out_of_warranty())
    PlanMeasure.objects.filter(pk=measure.pk).update(customer_charge=Decimal("100"))
    tech = people["tech"]
    job = walk_to(new_job(handler=people["handler"], measure=measure), "on_site", boss=people["boss"], tech=tech)
    services.work_order_prepare_quote(work_order=fresh(job), actor=tech, estimated_hours="1", estimated_km="10")
    services.work_order_confirm_quote(work_order=fresh(job), actor=tech)  # 150 CNY confirmed
    _record_work(job, tech, hours="2")  # 270 CNY
    with pytest.raises(ValidationFailed):
        services.work_order_check_out(work_order=fresh(job), actor=tech)
    # A new quote is offered although one was confirmed; it waits for its own confirmation.
    assert "prepare_quote" in {a.name for a in work_order_available_actions(tech, fresh(job))}
    requoted = services.work_order_prepare_quote(work_order=fresh(job), actor=tech, estimated_hours="2", estimated_km="10")
    assert requoted.quote_total == Decimal("270.00") and requoted.quote_confirmed_at is None
    with pytest.raises(ValidationFailed):
        services.work_order_check_out(work_order=fresh(job), actor=tech)
    services.work_order_confirm_quote(work_order=fresh(job), actor=tech)
    assert services.work_order_check_out(work_order=fresh(job), actor=tech).charge_total == Decimal("270.00")


def test_the_plans_estimate_covers_all_the_jobs_of_its_measure_together(people, rates):
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_out_of_warranty())
    PlanMeasure.objects.filter(pk=measure.pk).update(customer_charge=Decimal("300"))
    tech = people["tech"]
    first = walk_to(new_job(handler=people["handler"], measure=measure), "on_site", boss=people["boss"], tech=tech)
    _record_work(first, tech)
    services.work_order_check_out(work_order=fresh(first), actor=tech)  # 270 of the 300
    second = walk_to(new_job(handler=people["handler"], measure=measure), "on_site", boss=people["boss"], tech=tech)
    _record_work(second, tech, hours="1", km="0")  # 120 more
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_check_out(work_order=fresh(second), actor=tech)
    assert "30.00" in str(refused.value.errors["quote"][0])


def test_accepting_the_work_later_charges_what_the_warranty_said_on_the_day_of_the_work(people, rates, monkeypatch):
    # The warranty's last day is today: the work done today is free, even if accepted tomorrow.
    today = clock.local_today()
    unit = ProductUnitFactory(purchase_date=add_months(today, -12) + dt.timedelta(days=1))
    ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit)
    assert ticket_plan_warranty(ticket=ticket).ends_on == today
    tech = people["tech"]
    job = walk_to(new_job(handler=people["handler"], measure=measure), "done", boss=people["boss"], tech=tech)
    assert job.charge_total == 0
    tomorrow = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    services.work_order_customer_accept(
        work_order=fresh(job), actor=tech, method="signature", signer_name="张伟", signature=signature_data()
    )
    accepted = fresh(job)
    assert accepted.status == WorkOrderStatus.CUSTOMER_ACCEPTED and accepted.charge_total == 0


# --- The plan form shows the warranty and asks for the estimate --------------------------------


def test_the_plan_form_shows_the_warranty_and_asks_for_the_estimate(people):
    handler = people["handler"]
    client = Client()
    client.force_login(handler)
    out = _analysed_ticket(handler, unit_out_of_warranty())
    html = client.get(reverse("tickets:detail", args=[out.number])).content.decode()
    assert 'data-test-id="plan-warranty" data-state="out" data-chargeable="yes"' in html
    assert 'data-test-id="plan-chargeable"' in html
    covered = _analysed_ticket(handler, unit_in_warranty())
    html = client.get(reverse("tickets:detail", args=[covered.number])).content.decode()
    assert 'data-test-id="plan-warranty" data-state="in" data-chargeable="no"' in html
    assert 'data-test-id="plan-free"' in html


def test_the_api_plan_carries_the_customers_estimate_and_refuses_a_free_out_of_warranty_repair(people):
    from tests.api.conftest import api_client

    handler = people["handler"]
    ticket = _analysed_ticket(handler, unit_out_of_warranty())
    client = api_client(handler)
    path = f"/api/v1/tickets/{ticket.number}"
    measure = {"kind": "onsite_repair", "owner": handler.username, "amount": "0"}
    refused = client.post(
        f"{path}/actions/propose-plan",
        {"diagnosis": "压缩机故障", "measures": [measure]},
        headers={"If-Match": client.get(path)["ETag"]},
    )
    assert refused.status_code == 422, refused.content
    assert "measures.0.customer_charge" in refused.content.decode()
    accepted = client.post(
        f"{path}/actions/propose-plan",
        {"diagnosis": "压缩机故障", "measures": [{**measure, "customer_charge": "285"}]},
        headers={"If-Match": client.get(path)["ETag"]},
    )
    assert accepted.status_code == 200, accepted.content
    assert PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True).customer_charge == Decimal("285.00")


def test_the_job_page_says_how_much_the_customer_accepted(people, rates):
    _ticket, measure = in_progress_ticket(actor=people["handler"], unit=unit_out_of_warranty())
    PlanMeasure.objects.filter(pk=measure.pk).update(customer_charge=Decimal("300"))
    tech = people["tech"]
    job = walk_to(new_job(handler=people["handler"], measure=measure), "dispatched", boss=people["boss"], tech=tech)
    client = Client()
    client.force_login(tech)
    page = client.get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    assert 'data-test-id="wo-accepted" data-amount="300.00"' in page
