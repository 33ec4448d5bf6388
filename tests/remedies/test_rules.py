"""The 三包 rule table: each rule, each boundary day, repeat repairs, main components, the restart
after an exchange, the online return without reason (and its excluded categories), man-made
damage and no fault found. The engine is pure (``remedies.engine.propose``);
tests/remedies/test_rules_on_tickets.py runs the same rules on real tickets through
``remedies.selectors.ticket_proposal``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from aftersales.appraisal.choices import FaultType
from aftersales.core.i18n import rendered
from aftersales.remedies.choices import Remedy, RuleCode
from aftersales.remedies.engine import Facts, Rules, propose

SALE = dt.date(2026, 1, 10)  # the whole unit's 12 months end on 2027-01-09
R = Remedy
P = FaultType.PERFORMANCE

RETURN_ALL = (R.RETURN, R.EXCHANGE, R.REPAIR_FREE)
EXCHANGE_OR_REPAIR = (R.EXCHANGE, R.REPAIR_FREE)
FREE = (R.REPAIR_FREE,)
PAID = (R.REPAIR_PAID,)
# Exchange or a return less depreciation; a free repair stays the customer's choice within the warranty.
EXCHANGE_OR_REFUND = (R.REFUND_DEPRECIATED, R.EXCHANGE, R.REPAIR_FREE)


def day(n: int) -> dt.date:
    return SALE + dt.timedelta(days=n)


def facts(**overrides: Any) -> Facts:
    on = overrides.pop("on", day(5))
    values: dict[str, Any] = {
        "sale_date": SALE,
        "fault_on": on,
        "claimed_on": on,
        "today": on,
        "fault_type": P,
        "catalog_months": 12,
    }
    values.update(overrides)
    return Facts(**values)


COMPRESSOR = {"压缩机": 36, "compressor": 36}

# (case, facts, rules, rule that fires, remedies allowed)
TABLE: list[tuple[str, dict[str, Any], dict[str, Any], RuleCode, tuple[Remedy, ...]]] = [
    # 7 days: return, exchange or repair
    ("sale day", {"on": day(0)}, {}, RuleCode.RETURN_PERIOD, RETURN_ALL),
    ("day 5", {"on": day(5)}, {}, RuleCode.RETURN_PERIOD, RETURN_ALL),
    ("day 7 last day of return", {"on": day(7)}, {}, RuleCode.RETURN_PERIOD, RETURN_ALL),
    ("day 8 first day after return", {"on": day(8)}, {}, RuleCode.EXCHANGE_PERIOD, EXCHANGE_OR_REPAIR),
    # 15 days: exchange or repair
    ("day 15 last day of exchange", {"on": day(15)}, {}, RuleCode.EXCHANGE_PERIOD, EXCHANGE_OR_REPAIR),
    ("day 16 first day after exchange", {"on": day(16)}, {}, RuleCode.WARRANTY_REPAIR, FREE),
    # the whole-unit warranty (12 months from the model's warranty policy)
    ("last day of warranty", {"on": dt.date(2027, 1, 9)}, {}, RuleCode.WARRANTY_REPAIR, FREE),
    ("day after warranty", {"on": dt.date(2027, 1, 10)}, {}, RuleCode.OUT_OF_WARRANTY, PAID),
    (
        "policy months win over the model's",
        {"on": dt.date(2027, 1, 10)},
        {"whole_unit_months": 24},
        RuleCode.WARRANTY_REPAIR,
        FREE,
    ),
    ("policy 24 months: last day", {"on": dt.date(2028, 1, 9)}, {"whole_unit_months": 24}, RuleCode.WARRANTY_REPAIR, FREE),
    ("policy 24 months: day after", {"on": dt.date(2028, 1, 10)}, {"whole_unit_months": 24}, RuleCode.OUT_OF_WARRANTY, PAID),
    (
        "no months anywhere: the regulation's 12",
        {"on": dt.date(2027, 1, 10), "catalog_months": None},
        {},
        RuleCode.OUT_OF_WARRANTY,
        PAID,
    ),
    ("model's 6 months: last day", {"on": dt.date(2026, 7, 9), "catalog_months": 6}, {}, RuleCode.WARRANTY_REPAIR, FREE),
    ("model's 6 months: day after", {"on": dt.date(2026, 7, 10), "catalog_months": 6}, {}, RuleCode.OUT_OF_WARRANTY, PAID),
    # the policy's own day limits
    (
        "policy return 10 days: day 10",
        {"on": day(10)},
        {"return_days": 10, "exchange_days": 20},
        RuleCode.RETURN_PERIOD,
        RETURN_ALL,
    ),
    (
        "policy exchange 20 days: day 20",
        {"on": day(20)},
        {"return_days": 10, "exchange_days": 20},
        RuleCode.EXCHANGE_PERIOD,
        EXCHANGE_OR_REPAIR,
    ),
    (
        "policy exchange 20 days: day 21",
        {"on": day(21)},
        {"return_days": 10, "exchange_days": 20},
        RuleCode.WARRANTY_REPAIR,
        FREE,
    ),
    # main components with their own period (compressor 36 months)
    (
        "compressor after the unit's warranty",
        {"on": dt.date(2027, 3, 1), "component": "压缩机"},
        {"component_months": COMPRESSOR},
        RuleCode.COMPONENT_WARRANTY,
        FREE,
    ),
    (
        "compressor named with its part number",
        {"on": dt.date(2027, 3, 1), "component": "P-0001 压缩机"},
        {"component_months": COMPRESSOR},
        RuleCode.COMPONENT_WARRANTY,
        FREE,
    ),
    (
        "compressor in English, other case",
        {"on": dt.date(2027, 3, 1), "component": " Compressor "},
        {"component_months": COMPRESSOR},
        RuleCode.COMPONENT_WARRANTY,
        FREE,
    ),
    (
        "compressor: last day",
        {"on": dt.date(2029, 1, 9), "component": "压缩机"},
        {"component_months": COMPRESSOR},
        RuleCode.COMPONENT_WARRANTY,
        FREE,
    ),
    (
        "compressor: day after",
        {"on": dt.date(2029, 1, 10), "component": "压缩机"},
        {"component_months": COMPRESSOR},
        RuleCode.OUT_OF_WARRANTY,
        PAID,
    ),
    (
        "not a main component",
        {"on": dt.date(2027, 3, 1), "component": "门封条"},
        {"component_months": COMPRESSOR},
        RuleCode.OUT_OF_WARRANTY,
        PAID,
    ),
    (
        "main component within the unit's warranty",
        {"on": day(100), "component": "压缩机"},
        {"component_months": COMPRESSOR},
        RuleCode.WARRANTY_REPAIR,
        FREE,
    ),
    # repeated repairs of the same fault
    ("one earlier repair", {"on": day(100), "prior_repairs": 1}, {}, RuleCode.WARRANTY_REPAIR, FREE),
    ("two earlier repairs", {"on": day(100), "prior_repairs": 2}, {}, RuleCode.REPEATED_REPAIRS, EXCHANGE_OR_REFUND),
    ("three earlier repairs", {"on": day(100), "prior_repairs": 3}, {}, RuleCode.REPEATED_REPAIRS, EXCHANGE_OR_REFUND),
    ("policy allows three repairs", {"on": day(100), "prior_repairs": 2}, {"max_repairs": 3}, RuleCode.WARRANTY_REPAIR, FREE),
    ("two repairs but out of warranty", {"on": dt.date(2027, 2, 1), "prior_repairs": 2}, {}, RuleCode.OUT_OF_WARRANTY, PAID),
    (
        "two compressor repairs in its own period",
        {"on": dt.date(2027, 3, 1), "component": "压缩机", "prior_repairs": 2},
        {"component_months": COMPRESSOR},
        RuleCode.REPEATED_REPAIRS,
        EXCHANGE_OR_REFUND,
    ),
    ("two repairs within 7 days: full return too", {"on": day(3), "prior_repairs": 2}, {}, RuleCode.RETURN_PERIOD, RETURN_ALL),
    ("two repairs within 15 days", {"on": day(12), "prior_repairs": 2}, {}, RuleCode.REPEATED_REPAIRS, EXCHANGE_OR_REFUND),
    # repair time limit (30 days) and parts unavailable (90 days)
    ("repair 30 days", {"on": day(100), "repair_days": 30}, {}, RuleCode.WARRANTY_REPAIR, FREE),
    ("repair 31 days", {"on": day(100), "repair_days": 31}, {}, RuleCode.REPAIR_OVERDUE, EXCHANGE_OR_REFUND),
    (
        "policy repair limit 45: 31 days",
        {"on": day(100), "repair_days": 31},
        {"repair_days_limit": 45},
        RuleCode.WARRANTY_REPAIR,
        FREE,
    ),
    ("parts awaited 90 days", {"on": day(100), "parts_wait_days": 90}, {}, RuleCode.WARRANTY_REPAIR, FREE),
    (
        "parts awaited 91 days",
        {"on": day(100), "parts_wait_days": 91, "repair_days": 91},
        {},
        RuleCode.REPAIR_OVERDUE,
        EXCHANGE_OR_REFUND,
    ),
    (
        "parts awaited 91 days, limit 120 on repairs",
        {"on": day(100), "parts_wait_days": 91, "repair_days": 91},
        {"repair_days_limit": 120},
        RuleCode.PARTS_UNAVAILABLE,
        EXCHANGE_OR_REFUND,
    ),
    # man-made damage, no fault found, non-performance fault
    ("man-made on day 3", {"on": day(3), "fault_type": FaultType.MAN_MADE}, {}, RuleCode.MAN_MADE, PAID),
    (
        "man-made after two repairs",
        {"on": day(100), "fault_type": FaultType.MAN_MADE, "prior_repairs": 2},
        {},
        RuleCode.MAN_MADE,
        PAID,
    ),
    ("no fault on day 3", {"on": day(3), "fault_type": FaultType.NO_FAULT}, {}, RuleCode.NO_FAULT, PAID),
    ("non-performance on day 3", {"on": day(3), "fault_type": FaultType.NON_PERFORMANCE}, {}, RuleCode.NON_PERFORMANCE, FREE),
    (
        "non-performance out of warranty",
        {"on": dt.date(2027, 1, 10), "fault_type": FaultType.NON_PERFORMANCE},
        {},
        RuleCode.OUT_OF_WARRANTY,
        PAID,
    ),
    (
        "no appraisal yet: the customer's performance fault",
        {"on": day(5), "fault_type": None},
        {},
        RuleCode.RETURN_PERIOD,
        RETURN_ALL,
    ),
    # online sales: 7 days without reason unless the category is excluded
    (
        "online, no fault, day 7",
        {"on": day(7), "fault_type": FaultType.NO_FAULT, "online": True},
        {},
        RuleCode.ONLINE_RETURN,
        (R.RETURN, R.REPAIR_PAID),
    ),
    ("online, no fault, day 8", {"on": day(8), "fault_type": FaultType.NO_FAULT, "online": True}, {}, RuleCode.NO_FAULT, PAID),
    (
        "online, excluded category",
        {"on": day(3), "fault_type": FaultType.NO_FAULT, "online": True},
        {"online_return_excluded": True},
        RuleCode.NO_FAULT,
        PAID,
    ),
    (
        "online, non-performance day 3",
        {"on": day(3), "fault_type": FaultType.NON_PERFORMANCE, "online": True},
        {},
        RuleCode.ONLINE_RETURN,
        (R.RETURN, R.REPAIR_FREE),
    ),
    (
        "online, man-made: no return",
        {"on": day(3), "fault_type": FaultType.MAN_MADE, "online": True},
        {},
        RuleCode.MAN_MADE,
        PAID,
    ),
    ("online, performance day 3", {"on": day(3), "online": True}, {}, RuleCode.RETURN_PERIOD, RETURN_ALL),
    ("online, performance day 10", {"on": day(10), "online": True}, {}, RuleCode.EXCHANGE_PERIOD, EXCHANGE_OR_REPAIR),
    (
        "online return counts from the request",
        {"on": day(9), "fault_type": FaultType.NO_FAULT, "online": True, "claimed_on": day(6)},
        {},
        RuleCode.ONLINE_RETURN,
        (R.RETURN, R.REPAIR_PAID),
    ),
    (
        "online return of 10 days: day 10",
        {"on": day(10), "fault_type": FaultType.NO_FAULT, "online": True},
        {"online_return_days": 10},
        RuleCode.ONLINE_RETURN,
        (R.RETURN, R.REPAIR_PAID),
    ),
    # a replacement: the periods restart on the exchange date
    (
        "replacement on day 5 after exchange",
        {"sale_date": dt.date(2026, 9, 1), "on": dt.date(2026, 9, 6), "replacement_of": "SN-OLD"},
        {},
        RuleCode.RETURN_PERIOD,
        RETURN_ALL,
    ),
    (
        "replacement day 15 after exchange",
        {"sale_date": dt.date(2026, 9, 1), "on": dt.date(2026, 9, 16), "replacement_of": "SN-OLD"},
        {},
        RuleCode.EXCHANGE_PERIOD,
        EXCHANGE_OR_REPAIR,
    ),
    (
        "replacement: warranty to exchange + 12 months",
        {"sale_date": dt.date(2026, 9, 1), "on": dt.date(2027, 8, 31), "replacement_of": "SN-OLD"},
        {},
        RuleCode.WARRANTY_REPAIR,
        FREE,
    ),
    (
        "replacement: warranty over",
        {"sale_date": dt.date(2026, 9, 1), "on": dt.date(2027, 9, 1), "replacement_of": "SN-OLD"},
        {},
        RuleCode.OUT_OF_WARRANTY,
        PAID,
    ),
    (
        "replacement: no online return",
        {
            "sale_date": dt.date(2026, 9, 1),
            "on": dt.date(2026, 9, 3),
            "fault_type": FaultType.NO_FAULT,
            "online": True,
            "replacement_of": "SN-OLD",
        },
        {},
        RuleCode.NO_FAULT,
        PAID,
    ),
    # nothing to count from
    ("sale date unknown", {"sale_date": None}, {}, RuleCode.SALE_DATE_UNKNOWN, PAID),
]


@pytest.mark.parametrize(("case", "fact_values", "rule_values", "rule", "remedies"), TABLE, ids=[row[0] for row in TABLE])
def test_rule_table(
    case: str, fact_values: dict[str, Any], rule_values: dict[str, Any], rule: RuleCode, remedies: tuple[Remedy, ...]
) -> None:
    proposal = propose(facts(**fact_values), Rules(**rule_values))
    assert proposal.rule == rule, case
    assert proposal.remedies == remedies, case


def texts(proposal: Any, language: str) -> list[str]:
    with translation.override(language):
        return [rendered(reason) for reason in proposal.reasons]


def test_reason_says_the_day_in_both_languages() -> None:
    proposal = propose(facts(on=day(5)), Rules())
    assert "Performance fault on day 5 after sale (within 7 days): return, exchange or repair at the customer's choice." in texts(
        proposal, "en"
    )
    assert any(text.startswith("售出第 5 天") and "退货、换货或修理" in text for text in texts(proposal, "zh-hans"))


def test_no_appraisal_is_said() -> None:
    proposal = propose(facts(fault_type=None), Rules())
    assert any("No appraisal conclusion yet" in text for text in texts(proposal, "en"))
    assert not any("No appraisal conclusion yet" in text for text in texts(propose(facts(), Rules()), "en"))


def test_replacement_is_said() -> None:
    proposal = propose(facts(sale_date=dt.date(2026, 9, 1), on=dt.date(2026, 9, 6), replacement_of="SN-OLD"), Rules())
    assert any("SN-OLD" in text and "2026-09-01" in text for text in texts(proposal, "en"))


def test_excluded_online_category_is_said() -> None:
    proposal = propose(facts(on=day(3), fault_type=FaultType.NO_FAULT, online=True), Rules(online_return_excluded=True))
    assert any("excluded from the 7-day return without reason" in text for text in texts(proposal, "en"))


def test_refund_after_repairs_names_the_depreciation() -> None:
    proposal = propose(facts(on=day(100), today=day(120), prior_repairs=2), Rules(daily_rate=Decimal("0.0005")))
    assert proposal.depreciation_days == 120
    assert proposal.daily_rate == Decimal("0.0005")
    assert any("0.05% a day for 120 days" in text for text in texts(proposal, "en"))
    assert RuleCode.REPEATED_REPAIRS in proposal.rules_fired


def test_every_rule_fired_is_reported_first_by_precedence() -> None:
    proposal = propose(facts(on=day(100), prior_repairs=2, repair_days=40, parts_wait_days=95), Rules())
    assert proposal.rules_fired == (
        RuleCode.REPEATED_REPAIRS,
        RuleCode.REPAIR_OVERDUE,
        RuleCode.PARTS_UNAVAILABLE,
        RuleCode.WARRANTY_REPAIR,
    )
    assert proposal.remedies == EXCHANGE_OR_REFUND


def test_every_rule_is_in_the_table() -> None:
    assert {row[3] for row in TABLE} == set(RuleCode)


def test_proposal_data_is_json() -> None:
    import json

    data = propose(facts(on=day(100), prior_repairs=2), Rules()).as_data()
    assert json.loads(json.dumps(data))["rule"] == "repeated_repairs"
    assert data["sale_date"] == "2026-01-10"
