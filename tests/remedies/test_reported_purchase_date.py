"""The 三包 sale date when the ticket reports a purchase date (``Ticket.reported_purchase_date``,
typed at intake or in "Correct details"): the unit's registered purchase date first, else the
ticket's reported date, else the unit's warranty start — the reasons say which was used, and
when a reported date was set aside. The rule table is tests/remedies/test_rules.py."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest

from aftersales.catalog.models import ProductUnit, WarrantyPolicy
from aftersales.core import clock
from aftersales.remedies.choices import RuleCode
from aftersales.remedies.facts import SaleDateSource, sale_date_of, ticket_facts
from aftersales.remedies.selectors import ticket_proposal
from aftersales.tickets.services import ticket_add_attachment
from aftersales.tickets.services.details import ticket_correct_details
from tests.factories import ProductModelFactory, make_ticket
from tests.remedies.helpers import agent, ticket_on, unit_sold
from tests.remedies.test_rules import SALE, day, texts
from tests.tickets.media import PDF_BYTES

pytestmark = pytest.mark.django_db

UNIT_DATE = "Sold on 2026-01-10 (purchase date)."
REPORTED = "Sold on {date}, the purchase date reported on this ticket (the unit has no registered purchase date)."
NOT_THE_UNITS = (
    "The purchase date reported on this ticket ({date}) is not the unit's registered purchase date: the unit's is used;"
    " check it against the proof of purchase."
)
CANNOT_BE_RIGHT = (
    "The purchase date reported on this ticket ({date}) cannot be right (before the unit was made, or after the ticket"
    " was registered): it is not used; check it against the proof of purchase."
)
CONFIRM = (
    "No invoice or proof of purchase is attached to this ticket to confirm the reported purchase date: ask the customer for one."
)
CHECKED = "An invoice or a proof of purchase is attached to this ticket: the purchase date can be checked against it."
WARRANTY_START = "The purchase date is unknown: the periods count from"
NO_UNIT = "The ticket has no registered unit: register its serial number to count the periods."
NO_UNIT_REPORTED = (
    "The ticket has no registered unit: the periods count from {date}, the purchase date reported on this ticket;"
    " register its serial number to count the unit's earlier repairs."
)


def undated_unit(**fields: Any) -> ProductUnit:
    """A unit without a purchase date, made 2025-10-10: its warranty starts three grace months
    later, on ``SALE``."""
    return unit_sold(None, production_date=dt.date(2025, 10, 10), **fields)


def attach_invoice(ticket: Any) -> None:
    invoice = io.BytesIO(PDF_BYTES)
    invoice.name = "fapiao.pdf"
    ticket_add_attachment(ticket=ticket, actor=agent(), fileobj=invoice, filename="fapiao.pdf", public=False, kind="invoice")


# --- 1. The unit's registered date comes first --------------------------------------------------


def test_the_units_date_wins_over_a_different_reported_date_and_the_reasons_say_to_check_it():
    ticket = ticket_on(unit_sold(SALE), day(20), purchase_date=day(12))
    proposal = ticket_proposal(ticket=ticket, today=day(20))
    assert proposal.sale_date == SALE and proposal.day == 20
    assert proposal.rule == RuleCode.WARRANTY_REPAIR  # day 8 from the reported date would be an exchange
    english = texts(proposal, "en")
    assert english[:2] == [UNIT_DATE, NOT_THE_UNITS.format(date="2026-01-22")]
    assert "本工单所报购买日期（2026-01-22）与产品登记的购买日期不同：以产品登记的日期为准；请与购买凭证核对。" in texts(
        proposal, "zh-hans"
    )


def test_the_same_date_reported_on_the_ticket_says_nothing_more():
    ticket = ticket_on(unit_sold(SALE), day(5), purchase_date=SALE)
    sale = sale_date_of(ticket=ticket, claimed_on=day(5), today=day(5))
    assert (sale.on, sale.source) == (SALE, SaleDateSource.UNIT)
    assert [(text["m"], text["p"]) for text in sale.context] == [("Sold on %(date)s (purchase date).", {"date": "2026-01-10"})]
    assert not any("reported" in text for text in texts(ticket_proposal(ticket=ticket, today=day(5)), "en"))


# --- 2. Else the date reported on the ticket ----------------------------------------------------


def test_a_unit_without_a_date_counts_from_the_reported_date_not_the_warranty_start():
    ticket = ticket_on(undated_unit(), day(20), purchase_date=day(12))
    proposal = ticket_proposal(ticket=ticket, today=day(20))
    assert proposal.sale_date == day(12) and proposal.day == 8
    assert proposal.rule == RuleCode.EXCHANGE_PERIOD
    english = texts(proposal, "en")
    assert english[:2] == [REPORTED.format(date="2026-01-22"), CONFIRM]
    assert not any(text.startswith(WARRANTY_START) for text in english)
    chinese = texts(proposal, "zh-hans")
    assert chinese[:2] == [
        "售出日期 2026-01-22（本工单所报购买日期；产品未登记购买日期）。",
        "本工单未附发票或购买凭证，无法核实所报购买日期：请向客户索取。",
    ]


def test_with_an_invoice_attached_the_reported_date_can_be_checked_against_it():
    ticket = ticket_on(undated_unit(), day(20), purchase_date=day(12))
    attach_invoice(ticket)
    english = texts(ticket_proposal(ticket=ticket, today=day(20)), "en")
    assert english[:2] == [REPORTED.format(date="2026-01-22"), CHECKED]
    assert CONFIRM not in english


def test_a_reported_date_before_the_unit_was_made_is_set_aside_for_the_warranty_start():
    ticket = ticket_on(undated_unit(), day(5), purchase_date=dt.date(2016, 1, 10))  # a slip of the year
    proposal = ticket_proposal(ticket=ticket, today=day(5))
    assert proposal.sale_date == SALE and proposal.rule == RuleCode.RETURN_PERIOD
    english = texts(proposal, "en")
    assert english[0] == CANNOT_BE_RIGHT.format(date="2016-01-10")
    assert english[1].startswith(WARRANTY_START)
    assert "本工单所报购买日期（2016-01-10）不可能正确（早于产品生产日期，或晚于工单登记日期）：未予采用；请与购买凭证核对。" in (
        texts(proposal, "zh-hans")
    )


def test_a_reported_date_after_the_ticket_was_registered_is_set_aside():
    ticket = ticket_on(undated_unit(), day(5), purchase_date=day(9))  # registered on day 5
    sale = sale_date_of(ticket=ticket, claimed_on=day(5), today=day(30))
    assert (sale.on, sale.source) == (SALE, SaleDateSource.WARRANTY_START)
    assert sale.context[0]["m"] == CANNOT_BE_RIGHT.format(date="%(date)s")
    assert sale.context[0]["p"] == {"date": "2026-01-19"}


def test_without_a_warranty_start_the_reported_date_is_all_there_is():
    unit = unit_sold(None, production_date=None)
    WarrantyPolicy.objects.filter(pk=unit.model.warranty_policy_id).update(fallback_to_production=False)
    assert ticket_proposal(ticket=ticket_on(unit, day(5)), today=day(5)).rule == RuleCode.SALE_DATE_UNKNOWN
    proposal = ticket_proposal(ticket=ticket_on(unit, day(5), purchase_date=day(1)), today=day(5))
    assert (proposal.rule, proposal.sale_date, proposal.day) == (RuleCode.RETURN_PERIOD, day(1), 4)


def test_a_replacement_counts_from_the_exchange_whatever_the_ticket_reports():
    old = unit_sold(SALE)
    new = unit_sold(dt.date(2026, 9, 1))
    ProductUnit.objects.filter(pk=new.pk).update(replaces=old)
    ticket = ticket_on(new, dt.date(2026, 9, 6), purchase_date=SALE)  # the original purchase
    facts = ticket_facts(ticket=ticket, today=dt.date(2026, 9, 6))
    assert facts.sale_date == dt.date(2026, 9, 1)
    assert facts.context == ()  # the engine says the exchange; no note on the original's date


# --- Without a registered unit --------------------------------------------------------------------


def test_a_ticket_without_a_unit_counts_from_the_reported_date_with_the_models_warranty():
    model = ProductModelFactory()
    WarrantyPolicy.objects.filter(pk=model.warranty_policy_id).update(months=24)
    ticket = make_ticket(product_model_code=model.code, purchase_date=dt.date(2025, 1, 10))
    assert ticket.product_unit_id is None and ticket.product_model_id == model.pk
    today = clock.local_today()
    facts = ticket_facts(ticket=ticket, today=today)
    assert (facts.sale_date, facts.catalog_months, facts.prior_repairs) == (dt.date(2025, 1, 10), 24, 0)
    assert facts.context[0]["m"] == NO_UNIT_REPORTED.format(date="%(date)s")
    english = texts(ticket_proposal(ticket=ticket, today=today), "en")
    assert english[:2] == [NO_UNIT_REPORTED.format(date="2025-01-10"), CONFIRM]
    assert NO_UNIT not in english


def test_a_ticket_without_a_unit_or_a_date_still_asks_for_the_serial_number():
    ticket = make_ticket()
    proposal = ticket_proposal(ticket=ticket)
    assert proposal.rule == RuleCode.SALE_DATE_UNKNOWN
    assert texts(proposal, "en")[0] == NO_UNIT


# --- A correction reaches the proposal at once ----------------------------------------------------


def test_a_purchase_date_corrected_on_the_ticket_moves_the_proposal_and_leaves_the_unit_alone():
    unit = undated_unit()
    ticket = ticket_on(unit, day(20))
    before = ticket_proposal(ticket=ticket, today=day(20))
    assert (before.sale_date, before.rule) == (SALE, RuleCode.WARRANTY_REPAIR)  # day 20 from the warranty start
    handler = agent()
    corrected = ticket_correct_details(ticket=ticket, actor=handler, expected_version=ticket.version, purchase_date=day(16))
    after = ticket_proposal(ticket=corrected, today=day(20))
    assert (after.sale_date, after.day, after.rule) == (day(16), 4, RuleCode.RETURN_PERIOD)
    assert texts(after, "en")[0] == REPORTED.format(date="2026-01-26")
    unit.refresh_from_db()
    assert unit.purchase_date is None  # the catalog keeps what was registered (docs/remedies.md)
