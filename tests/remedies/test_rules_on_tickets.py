"""The 三包 rules on real tickets: the facts ``remedies.selectors.ticket_proposal`` gathers from the
database — the day counted from the purchase date, the warranty's last day, repeat repairs per
component, the appraisal's conclusion, a repair over thirty days, the category's policy, an online
sale, the restart after an exchange. The rule table itself is tests/remedies/test_rules.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from aftersales.appraisal.choices import FaultType
from aftersales.remedies.choices import RuleCode
from tests.remedies.test_rules import EXCHANGE_OR_REFUND, SALE, day, texts

# --- The same rules on real tickets: the facts gathered from the database --------------------------

db = pytest.mark.django_db


def _proposal(ticket: Any, today: dt.date) -> Any:
    from aftersales.remedies.selectors import ticket_proposal

    return ticket_proposal(ticket=ticket, today=today)


@db
@pytest.mark.parametrize(
    ("registered_day", "rule"),
    [(7, RuleCode.RETURN_PERIOD), (8, RuleCode.EXCHANGE_PERIOD), (15, RuleCode.EXCHANGE_PERIOD), (16, RuleCode.WARRANTY_REPAIR)],
)
def test_ticket_day_counts_from_the_purchase_date(registered_day: int, rule: RuleCode) -> None:
    from tests.remedies.helpers import ticket_on, unit_sold

    ticket = ticket_on(unit_sold(SALE), day(registered_day))
    proposal = _proposal(ticket, day(registered_day + 3))  # days later: the rights are those of the request
    assert proposal.rule == rule
    assert proposal.day == registered_day


@db
def test_ticket_warranty_last_day_and_the_day_after() -> None:
    from tests.remedies.helpers import ticket_on, unit_sold

    unit = unit_sold(SALE)  # the factory's warranty policy: 12 months from purchase
    assert _proposal(ticket_on(unit, dt.date(2027, 1, 9)), dt.date(2027, 1, 9)).rule == RuleCode.WARRANTY_REPAIR
    assert _proposal(ticket_on(unit, dt.date(2027, 1, 10)), dt.date(2027, 1, 10)).rule == RuleCode.OUT_OF_WARRANTY


@db
def test_ticket_without_purchase_date_falls_back_as_the_warranty_does() -> None:
    from tests.remedies.helpers import ticket_on, unit_sold

    unit = unit_sold(None, production_date=dt.date(2025, 10, 10))  # + 3 grace months = 2026-01-10
    proposal = _proposal(ticket_on(unit, day(5)), day(5))
    assert proposal.sale_date == SALE
    assert proposal.rule == RuleCode.RETURN_PERIOD
    assert any("The purchase date is unknown" in text for text in texts(proposal, "en"))


@db
def test_ticket_without_any_date_is_unknown() -> None:
    from aftersales.catalog.models import WarrantyPolicy
    from tests.remedies.helpers import ticket_on, unit_sold

    unit = unit_sold(None, production_date=None)
    WarrantyPolicy.objects.filter(pk=unit.model.warranty_policy_id).update(fallback_to_production=False)
    assert _proposal(ticket_on(unit, day(5)), day(5)).rule == RuleCode.SALE_DATE_UNKNOWN


@db
def test_repeat_repairs_are_counted_per_earlier_ticket_of_the_same_unit() -> None:
    from aftersales.fieldservice.models import WorkOrderKind, WorkOrderStatus
    from tests.remedies.helpers import repaired, ticket_on, unit_sold

    unit = unit_sold(SALE)
    first = ticket_on(unit, day(40))
    repaired(first, on=day(41))
    repaired(first, on=day(42), kind=WorkOrderKind.DEPOT_REPAIR)  # two visits: one repair
    cancelled = ticket_on(unit, day(60))
    repaired(cancelled, on=day(61), status=WorkOrderStatus.CANCELLED)  # no repair done
    inspection = ticket_on(unit, day(70))
    repaired(inspection, on=day(71), kind=WorkOrderKind.INSPECTION)  # no repair either
    other_unit = ticket_on(unit_sold(SALE), day(75))
    repaired(other_unit, on=day(76))  # another serial
    current = ticket_on(unit, day(100))
    assert _proposal(current, day(100)).rule == RuleCode.WARRANTY_REPAIR  # one repair so far

    second = ticket_on(unit, day(80))
    repaired(second, on=day(81))
    current.refresh_from_db()
    proposal = _proposal(current, day(100))
    assert proposal.rule == RuleCode.REPEATED_REPAIRS
    assert proposal.remedies == EXCHANGE_OR_REFUND
    assert (
        "Repaired 2 times for the same fault (limit 2) and failing again: exchange, or return with a refund less depreciation."
        in texts(proposal, "en")
    )
    later = ticket_on(unit, day(120))
    repaired(later, on=day(121))
    assert _proposal(first, day(100)).rule != RuleCode.REPEATED_REPAIRS  # only earlier tickets count


@db
def test_repairs_of_another_component_are_another_fault() -> None:
    from tests.remedies.helpers import appraised, repaired, ticket_on, unit_sold

    unit = unit_sold(SALE)
    for registered in (40, 60):
        earlier = ticket_on(unit, day(registered))
        repaired(earlier, on=day(registered + 1))
        appraised(earlier, fault_type=FaultType.PERFORMANCE, component="门封条")
    current = ticket_on(unit, day(100))
    appraised(current, fault_type=FaultType.PERFORMANCE, component="压缩机")
    assert _proposal(current, day(100)).rule == RuleCode.WARRANTY_REPAIR
    other = ticket_on(unit, day(101))
    appraised(other, fault_type=FaultType.PERFORMANCE, component="门封条")
    assert _proposal(other, day(101)).rule == RuleCode.REPEATED_REPAIRS


@db
def test_appraisal_conclusion_is_read() -> None:
    from tests.remedies.helpers import appraised, ticket_on, unit_sold

    man_made = ticket_on(unit_sold(SALE), day(3))
    appraised(man_made, fault_type=FaultType.MAN_MADE)
    assert _proposal(man_made, day(3)).rule == RuleCode.MAN_MADE
    no_fault = ticket_on(unit_sold(SALE), day(3))
    appraised(no_fault, fault_type=FaultType.NO_FAULT)
    assert _proposal(no_fault, day(3)).rule == RuleCode.NO_FAULT
    unappraised = _proposal(ticket_on(unit_sold(SALE), day(3)), day(3))
    assert unappraised.rule == RuleCode.RETURN_PERIOD
    assert any("No appraisal conclusion yet" in text for text in texts(unappraised, "en"))


@db
def test_repair_over_thirty_days_and_parts_awaited() -> None:
    from aftersales.fieldservice.models import WorkOrderStatus
    from tests.remedies.helpers import repaired, ticket_on, unit_sold

    ticket = ticket_on(unit_sold(SALE), day(100))
    repaired(ticket, on=day(100), status=WorkOrderStatus.DISPATCHED)
    assert _proposal(ticket, day(130)).rule == RuleCode.WARRANTY_REPAIR  # 30 days
    overdue = _proposal(ticket, day(131))
    assert overdue.rule == RuleCode.REPAIR_OVERDUE
    assert (
        "The repair has taken 31 days, over the limit of 30 days: exchange, or return with a refund less depreciation."
        in texts(overdue, "en")
    )


@db
def test_category_policy_component_periods_and_parent() -> None:
    from aftersales.catalog.models import ProductCategory
    from aftersales.remedies.models import ComponentPeriod, RemedyPolicy
    from tests.factories import ProductModelFactory
    from tests.remedies.helpers import appraised, ticket_on, unit_sold

    default = RemedyPolicy.objects.get(category__isnull=True)  # from the data migration
    assert (
        default.return_days,
        default.exchange_days,
        default.repair_days_limit,
        default.parts_wait_days_limit,
        default.max_repairs,
    ) == (7, 15, 30, 90, 2)
    parent = ProductCategory.objects.create(code="cooling", name="制冷电器")
    fridges = ProductCategory.objects.create(code="fridge", name="冰箱", parent=parent)
    policy = RemedyPolicy.objects.create(category=parent)
    ComponentPeriod.objects.create(policy=policy, component="压缩机", months=36)
    unit = unit_sold(SALE, model=ProductModelFactory(category=fridges))
    ticket = ticket_on(unit, dt.date(2027, 6, 1))
    appraised(ticket, fault_type=FaultType.PERFORMANCE, component="压缩机")
    proposal = _proposal(ticket, dt.date(2027, 6, 1))
    assert proposal.rule == RuleCode.COMPONENT_WARRANTY
    assert proposal.component_ends_on == dt.date(2029, 1, 9)
    RemedyPolicy.objects.create(category=fridges, online_return_excluded=True)  # the category's own wins
    assert _proposal(ticket, dt.date(2027, 6, 1)).rule == RuleCode.OUT_OF_WARRANTY


@db
def test_online_sale_and_excluded_category() -> None:
    from aftersales.catalog.models import SalesChannel
    from aftersales.remedies.models import RemedyPolicy
    from tests.remedies.helpers import appraised, ticket_on, unit_sold

    unit = unit_sold(SALE, sales_channel=SalesChannel.ONLINE)
    ticket = ticket_on(unit, day(6))
    appraised(ticket, fault_type=FaultType.NO_FAULT)
    assert _proposal(ticket, day(6)).rule == RuleCode.ONLINE_RETURN
    RemedyPolicy.objects.create(category=unit.model.category, online_return_excluded=True)
    assert _proposal(ticket, day(6)).rule == RuleCode.NO_FAULT


@db
def test_replacement_restarts_on_the_exchange_date() -> None:
    from tests.remedies.helpers import repaired, ticket_on, unit_sold

    old = unit_sold(SALE)
    for registered in (40, 60):
        repaired(ticket_on(old, day(registered)), on=day(registered + 1))
    exchanged_on = dt.date(2026, 9, 1)
    new = unit_sold(exchanged_on)
    type(new).objects.filter(pk=new.pk).update(replaces=old)
    ticket = ticket_on(new, dt.date(2026, 9, 6))
    proposal = _proposal(ticket, dt.date(2026, 9, 6))
    assert proposal.rule == RuleCode.RETURN_PERIOD  # day 5 after the exchange, the old repairs do not count
    assert proposal.day == 5
    assert any(old.serial_number in text for text in texts(proposal, "en"))
    late = ticket_on(new, dt.date(2027, 8, 31))
    assert _proposal(late, dt.date(2027, 8, 31)).rule == RuleCode.WARRANTY_REPAIR  # the old unit's warranty ended 2027-01-09
