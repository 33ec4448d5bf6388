"""One warranty answer per ticket (``tickets.warranty.ticket_warranty_status``): the unit's
purchase date, else the date reported on the ticket, else the policy's production-date fallback.
The plan's charges, the work order's chargeability, quote and charge lines, the ticket page's
badge, the case file and the 三包 facts all read it — so a ticket in the 三包 periods by its
reported date is never "out of warranty, chargeable" for the repair."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.casefile.selectors import case_file_for
from aftersales.catalog.models import ProductUnit
from aftersales.catalog.warranty import WarrantyState, warranty_status
from aftersales.core import clock
from aftersales.core.i18n import rendered
from aftersales.fieldservice import charging
from aftersales.fieldservice.models import ChargePolicy
from aftersales.remedies.facts import ticket_facts
from aftersales.tickets.models import PlanMeasure, Ticket
from aftersales.tickets.process import measure_is_chargeable, ticket_plan_warranty, ticket_record_agreement, ticket_submit_plan
from aftersales.tickets.services import ticket_add_attachment
from aftersales.tickets.warranty import ticket_warranty_status
from tests.factories import ProductModelFactory, ProductUnitFactory, RegionFactory, make_ticket
from tests.fieldservice.helpers import agent, new_job
from tests.tickets.media import PDF_BYTES
from tests.tickets.process_helpers import analysed, repair_plan

pytestmark = pytest.mark.django_db

TODAY = clock.local_today()
RECENT = TODAY - dt.timedelta(days=30)  # inside a 12-month warranty
LONG_AGO = TODAY - dt.timedelta(days=800)  # outside it
AS_REPORTED = "from the purchase date as reported on the ticket"
ASK_PROOF = "No invoice or proof of purchase is attached to this ticket to confirm the reported purchase date"


def undated_unit(**fields: Any) -> ProductUnit:
    """No registered purchase date; made three years ago, so the production-date fallback (plus
    three grace months, twelve months long) is long over."""
    values = {"purchase_date": None, "production_date": TODAY - dt.timedelta(days=3 * 365)}
    return ProductUnitFactory(**{**values, **fields})


def ticket_with(unit: ProductUnit | None, *, reported: dt.date | None, **extra: Any) -> Ticket:
    place = {"province": "上海市", "city": "上海市", "district": "徐汇区", "address": "漕溪北路88号3栋502室"}
    if unit is not None:
        extra["serial_number"] = unit.serial_number
    return make_ticket(actor=agent(), region=RegionFactory(), purchase_date=reported, **place, **extra)


def agreed_job(ticket: Ticket) -> Any:
    """The ticket's plan (one on-site repair) agreed, and its work order created."""
    handler = agent()
    analysed(ticket, handler)
    repair_plan(Ticket.objects.get(pk=ticket.pk), handler)
    ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    ticket_record_agreement(
        ticket=Ticket.objects.get(pk=ticket.pk), actor=handler, accepted=True, method="phone", agreed_at=clock.now()
    )
    measure = PlanMeasure.objects.get(plan__ticket=ticket, plan__is_current=True)
    return new_job(handler=handler, measure=measure)


@pytest.fixture
def rates() -> None:
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )


def test_a_reported_date_inside_the_period_makes_the_repair_free_and_the_三包_facts_agree(rates):
    unit = undated_unit()
    assert warranty_status(unit, TODAY).state == WarrantyState.OUT_OF_WARRANTY  # the unit alone: out (fallback)
    ticket = ticket_with(unit, reported=RECENT)

    status = ticket_warranty_status(ticket, TODAY)
    assert status.state == WarrantyState.IN_WARRANTY and status.covers_repair
    assert status.starts_on == RECENT
    with translation.override("en"):
        assert AS_REPORTED in status.reason and RECENT.isoformat() in status.reason
        assert ASK_PROOF in status.reason  # no proof attached: ask for one
    # The plan, the work order and its quote read the same answer ...
    assert ticket_plan_warranty(ticket=ticket) == status
    assert not measure_is_chargeable("onsite_repair", ticket_plan_warranty(ticket=ticket))
    job = agreed_job(ticket)
    assert not job.chargeable  # before: chargeable, the unit's fallback was out of warranty
    assert not charging.is_chargeable(job)
    lines = charging.quote_lines(job, estimated_hours=Decimal("2"), parts_estimate=Decimal("0"))
    assert all(line.free for line in lines)
    # ... and so do the 三包 facts: the periods count from the same reported date.
    assert ticket_facts(ticket=ticket).sale_date == RECENT == status.starts_on


def test_a_reported_date_outside_the_period_is_chargeable_for_both(rates):
    ticket = ticket_with(undated_unit(), reported=LONG_AGO)
    status = ticket_warranty_status(ticket, TODAY)
    assert status.state == WarrantyState.OUT_OF_WARRANTY and status.starts_on == LONG_AGO
    with translation.override("en"):
        assert AS_REPORTED in status.reason
    job = agreed_job(ticket)
    assert job.chargeable and charging.is_chargeable(job)
    lines = charging.quote_lines(job, estimated_hours=Decimal("2"), parts_estimate=Decimal("0"))
    assert not any(line.free for line in lines) and sum(line.charge_amount for line in lines) > 0
    assert ticket_facts(ticket=ticket).sale_date == LONG_AGO


def test_the_units_registered_date_wins_over_the_reported_one(rates):
    out_unit = ProductUnitFactory(purchase_date=LONG_AGO, production_date=LONG_AGO - dt.timedelta(days=30))
    ticket = ticket_with(out_unit, reported=RECENT)  # the customer says "a month ago"
    status = ticket_warranty_status(ticket, TODAY)
    assert status.state == WarrantyState.OUT_OF_WARRANTY and status.starts_on == LONG_AGO
    with translation.override("en"):
        assert AS_REPORTED not in status.reason
    assert status == warranty_status(out_unit, TODAY)
    assert agreed_job(ticket).chargeable
    assert ticket_facts(ticket=ticket).sale_date == LONG_AGO

    in_unit = ProductUnitFactory(purchase_date=RECENT, production_date=RECENT - dt.timedelta(days=30))
    assert ticket_warranty_status(ticket_with(in_unit, reported=LONG_AGO), TODAY).state == WarrantyState.IN_WARRANTY


def test_an_attached_proof_is_said_in_the_reason_in_both_languages():
    ticket = ticket_with(undated_unit(), reported=RECENT)
    invoice = io.BytesIO(PDF_BYTES)
    invoice.name = "fapiao.pdf"
    ticket_add_attachment(ticket=ticket, actor=agent(), fileobj=invoice, filename="fapiao.pdf", public=False, kind="invoice")
    status = ticket_warranty_status(Ticket.objects.get(pk=ticket.pk), TODAY)
    with translation.override("en"):
        reason = str(status.label) + " " + status.reason
    assert "the purchase date can be checked against it" in reason and ASK_PROOF not in reason
    assert status.reason_text is not None
    with translation.override("zh-hans"):
        chinese = rendered(status.reason_text)
    assert RECENT.isoformat() in chinese and "as reported" not in chinese and "发票" in chinese


def test_a_reported_date_that_cannot_be_right_leaves_the_production_date_fallback():
    unit = undated_unit()
    ticket = ticket_with(unit, reported=unit.production_date - dt.timedelta(days=10))  # before it was made
    assert ticket_warranty_status(ticket, TODAY) == warranty_status(unit, TODAY)


def test_a_replacement_unit_ignores_the_reported_date():
    original = ProductUnitFactory(purchase_date=LONG_AGO)
    replacement = undated_unit(replaces=original)
    ticket = ticket_with(replacement, reported=RECENT)
    assert ticket_warranty_status(ticket, TODAY) == warranty_status(replacement, TODAY)


def test_without_a_registered_unit_the_reported_model_and_date_give_the_warranty():
    model = ProductModelFactory()
    ticket = ticket_with(None, reported=RECENT, product_model_code=model.code)
    assert ticket.product_unit_id is None
    status = ticket_warranty_status(ticket, TODAY)
    assert status.state == WarrantyState.IN_WARRANTY and status.starts_on == RECENT
    assert ticket_warranty_status(ticket_with(None, reported=None), TODAY).state == WarrantyState.UNKNOWN


def test_the_ticket_page_and_the_case_file_show_the_same_answer():
    ticket = ticket_with(undated_unit(), reported=RECENT)
    viewer = agent()
    client = Client()
    client.cookies["django_language"] = "en"
    client.force_login(viewer)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-test-id="warranty-state">In warranty<' in page
    assert AS_REPORTED in page
    case = case_file_for(ticket=Ticket.objects.get(pk=ticket.pk), viewer=viewer)
    assert case.warranty is not None and case.warranty.state == WarrantyState.IN_WARRANTY

    model = ProductModelFactory()
    unregistered = ticket_with(None, reported=RECENT, product_model_code=model.code)
    page = client.get(reverse("tickets:detail", args=[unregistered.number])).content.decode()
    assert 'data-test-id="warranty-state">In warranty<' in page
