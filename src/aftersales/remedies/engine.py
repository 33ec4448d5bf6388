"""The 三包 remedies engine: from the facts of a ticket and the rules of its product category to
what the customer is entitled to. Pure: no database, no clock; ``facts.py`` gathers the facts.

Days are counted as the regulation counts them: the day of the sale is day 0, the next day is
day 1, so "within 7 days" is day 0 to day 7 and day 8 is the first day after it. The whole-unit
warranty of N months ends on the day before the same date N months later (as
``catalog.warranty`` counts it); a main component's own period the same way.

The rules (``RuleCode``; several may apply, the remedies are the union, the rule reported is the
first in ``RULE_PRECEDENCE``):

- **man-made damage** (appraisal): no 三包 remedy, paid repair (and no return without reason).
- **no fault found** (appraisal): no 三包 remedy, a repair would be paid.
- **performance fault** (性能故障; also when the appraisal has not concluded yet — the customer's
  claim, said so in the reasons):
  - day ≤ ``return_days`` (7): return (full refund), exchange or free repair;
  - day ≤ ``exchange_days`` (15): exchange or free repair;
  - within the whole-unit warranty: free repair;
  - within the failing main component's own period (``components``): free repair;
  - within either period, after ``max_repairs`` (2) earlier repairs of the same fault, or when
    the current repair has run more than ``repair_days_limit`` (30) days, or parts have been
    awaited more than ``parts_wait_days_limit`` (90) days: exchange, or return with a refund
    of the price less depreciation (``depreciation.refund_breakdown``);
  - otherwise: paid repair.
- **non-performance fault**: free repair within the whole-unit warranty, else paid repair.
- **online sale**: within ``online_return_days`` (7) of the sale, return without reason, unless
  the category is excluded, the goods are damaged by the customer, or the unit is a
  replacement.
- **replacement unit**: every period counts from the exchange date (``Facts.sale_date`` is it).
- **unknown sale date**: nothing can be counted; paid repair until the purchase proof is shown.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.appraisal.choices import FaultType
from aftersales.catalog.warranty import add_months
from aftersales.core.i18n import Deferred, deferred

from .choices import REMEDY_ORDER, RULE_PRECEDENCE, Remedy, RuleCode

#: The whole-unit warranty when neither the 三包 policy nor the model's warranty policy says one:
#: the regulation's one year for household goods.
DEFAULT_WHOLE_UNIT_MONTHS = 12


def component_key(name: str) -> str:
    """A component name as compared: NFKC, no spaces, case-folded (" Compressor" = "compressor")."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


@dataclass(frozen=True)
class Rules:
    """One category's limits (``RemedyPolicy``), as the engine reads them."""

    return_days: int = 7
    exchange_days: int = 15
    whole_unit_months: int | None = None  # None: the model's warranty policy (``Facts.catalog_months``)
    component_months: dict[str, int] = field(default_factory=dict)  # component_key → months
    repair_days_limit: int = 30
    parts_wait_days_limit: int = 90
    max_repairs: int = 2
    daily_rate: Decimal = Decimal("0.001")  # a fraction: 0.001 = 0.1 % a day
    online_return_days: int = 7
    online_return_excluded: bool = False
    policy_label: str = ""

    def months_for(self, component: str) -> int | None:
        """The months of the main component named ``component``: the period whose name equals it,
        else the longest period name it contains ("P-0001 压缩机" → 压缩机), compared by
        ``component_key``; None when it is no main component."""
        key = component_key(component)
        if not key:
            return None
        if key in self.component_months:
            return self.component_months[key]
        contained = [name for name in self.component_months if name and name in key]
        return self.component_months[max(contained, key=len)] if contained else None


@dataclass(frozen=True)
class Facts:
    """What the engine needs to know about a ticket (gathered by ``facts.ticket_facts``)."""

    sale_date: dt.date | None  # the 三包 start: invoice date, its fallback, or the exchange date
    fault_on: dt.date  # the day the fault appeared (reported)
    claimed_on: dt.date  # the day the customer asked (the ticket's registration)
    today: dt.date
    fault_type: str | None = None  # FaultType value; None = no appraisal conclusion yet
    component: str = ""  # the component at fault, as the appraisal names it
    online: bool = False  # sold through the online channel
    catalog_months: int | None = None  # the model's warranty policy months
    prior_repairs: int = 0  # earlier repairs of the same fault (``facts.prior_repairs``)
    repair_days: int | None = None  # how long the current repair has run (None: no repair)
    parts_wait_days: int | None = None  # how long the current repair has waited for parts
    replacement_of: str = ""  # serial of the unit this one replaced (exchange)
    context: tuple[Deferred, ...] = ()  # how the facts were found (fallback dates…), shown first


@dataclass(frozen=True)
class Proposal:
    rule: RuleCode
    remedies: tuple[Remedy, ...]
    reasons: tuple[Deferred, ...]
    rules_fired: tuple[RuleCode, ...] = ()
    sale_date: dt.date | None = None
    day: int | None = None  # days from the sale to the fault
    warranty_ends_on: dt.date | None = None
    component_ends_on: dt.date | None = None
    daily_rate: Decimal = Decimal("0")
    depreciation_days: int | None = None  # days of use a depreciated refund counts (sale → today)

    def allows(self, remedy: str) -> bool:
        return remedy in self.remedies

    def as_data(self) -> dict[str, Any]:
        """JSON for ``RemedyDecision.proposal`` and the API."""
        return {
            "rule": str(self.rule),
            "remedies": [str(r) for r in self.remedies],
            "rules_fired": [str(r) for r in self.rules_fired],
            "reasons": list(self.reasons),
            "sale_date": self.sale_date.isoformat() if self.sale_date else None,
            "day": self.day,
            "warranty_ends_on": self.warranty_ends_on.isoformat() if self.warranty_ends_on else None,
            "component_ends_on": self.component_ends_on.isoformat() if self.component_ends_on else None,
            "daily_rate": str(self.daily_rate),
            "depreciation_days": self.depreciation_days,
        }


def _end(start: dt.date, months: int) -> dt.date:
    return add_months(start, months) - dt.timedelta(days=1)


def _percent(rate: Decimal) -> str:
    return format((rate * 100).normalize(), "f")


def propose(facts: Facts, rules: Rules) -> Proposal:
    """What ``facts`` entitle the customer to under ``rules``; see the module's docstring."""
    reasons: list[Deferred] = list(facts.context)
    if facts.replacement_of and facts.sale_date is not None:
        reasons.append(
            deferred(
                _("This unit replaced %(serial)s on %(date)s: every period restarts on the exchange date."),
                serial=facts.replacement_of,
                date=facts.sale_date.isoformat(),
            )
        )
    fault = facts.fault_type or FaultType.PERFORMANCE
    if facts.fault_type is None:
        reasons.append(
            deferred(
                _(
                    "No appraisal conclusion yet: treated as the performance fault the customer reports; the appraisal may change this."
                )
            )
        )

    if facts.sale_date is None:
        reasons.append(
            deferred(
                _(
                    "The sale date is unknown: ask for the purchase proof. Until then no return, exchange or free repair can be granted."
                )
            )
        )
        return Proposal(
            rule=RuleCode.SALE_DATE_UNKNOWN,
            remedies=(Remedy.REPAIR_PAID,),
            reasons=tuple(reasons),
            rules_fired=(RuleCode.SALE_DATE_UNKNOWN,),
            daily_rate=rules.daily_rate,
        )

    sale = facts.sale_date
    day = max((facts.fault_on - sale).days, 0)
    claim_day = max((facts.claimed_on - sale).days, 0)
    use_days = max((facts.today - sale).days, 0)
    months = rules.whole_unit_months or facts.catalog_months or DEFAULT_WHOLE_UNIT_MONTHS
    unit_end = _end(sale, months)
    component_months = rules.months_for(facts.component)
    component_end = _end(sale, component_months) if component_months else None
    in_unit = facts.fault_on <= unit_end
    in_component = component_end is not None and facts.fault_on <= component_end

    fired: dict[RuleCode, tuple[Remedy, ...]] = {}
    messages: dict[RuleCode, Deferred] = {}

    def fire(code: RuleCode, remedies: tuple[Remedy, ...], message: Deferred) -> None:
        fired[code] = remedies
        messages[code] = message

    refund_or_exchange = (Remedy.EXCHANGE, Remedy.REFUND_DEPRECIATED)
    if fault == FaultType.MAN_MADE:
        fire(
            RuleCode.MAN_MADE,
            (Remedy.REPAIR_PAID,),
            deferred(_("The appraisal found man-made damage: no three-guarantee remedy; the repair is paid.")),
        )
    elif fault == FaultType.NO_FAULT:
        fire(
            RuleCode.NO_FAULT,
            (Remedy.REPAIR_PAID,),
            deferred(_("The appraisal found no fault: no three-guarantee remedy; any repair is paid.")),
        )
    elif fault == FaultType.NON_PERFORMANCE:
        if in_unit:
            fire(
                RuleCode.NON_PERFORMANCE,
                (Remedy.REPAIR_FREE,),
                deferred(
                    _(
                        "Non-performance fault on day %(day)d after sale, within the warranty until %(end)s: free repair (no return or exchange)."
                    ),
                    day=day,
                    end=unit_end.isoformat(),
                ),
            )
    else:  # a performance fault (concluded or claimed)
        if in_unit or in_component:
            if facts.prior_repairs >= rules.max_repairs:
                fire(
                    RuleCode.REPEATED_REPAIRS,
                    refund_or_exchange,
                    deferred(
                        _(
                            "Repaired %(count)d times for the same fault (limit %(limit)d) and failing again: exchange, or return with a refund less depreciation."
                        ),
                        count=facts.prior_repairs,
                        limit=rules.max_repairs,
                    ),
                )
            if facts.repair_days is not None and facts.repair_days > rules.repair_days_limit:
                fire(
                    RuleCode.REPAIR_OVERDUE,
                    refund_or_exchange,
                    deferred(
                        _(
                            "The repair has taken %(days)d days, over the limit of %(limit)d days: exchange, or return with a refund less depreciation."
                        ),
                        days=facts.repair_days,
                        limit=rules.repair_days_limit,
                    ),
                )
            if facts.parts_wait_days is not None and facts.parts_wait_days > rules.parts_wait_days_limit:
                fire(
                    RuleCode.PARTS_UNAVAILABLE,
                    refund_or_exchange,
                    deferred(
                        _(
                            "Parts have been awaited for %(days)d days, over the limit of %(limit)d days: exchange, or return with a refund less depreciation."
                        ),
                        days=facts.parts_wait_days,
                        limit=rules.parts_wait_days_limit,
                    ),
                )
        if day <= rules.return_days:
            fire(
                RuleCode.RETURN_PERIOD,
                (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR_FREE),
                deferred(
                    _(
                        "Performance fault on day %(day)d after sale (within %(limit)d days): return, exchange or repair at the customer's choice."
                    ),
                    day=day,
                    limit=rules.return_days,
                ),
            )
        elif day <= rules.exchange_days:
            fire(
                RuleCode.EXCHANGE_PERIOD,
                (Remedy.EXCHANGE, Remedy.REPAIR_FREE),
                deferred(
                    _(
                        "Performance fault on day %(day)d after sale (within %(limit)d days): exchange or repair at the customer's choice."
                    ),
                    day=day,
                    limit=rules.exchange_days,
                ),
            )
        elif in_unit:
            fire(
                RuleCode.WARRANTY_REPAIR,
                (Remedy.REPAIR_FREE,),
                deferred(
                    _(
                        "Performance fault on day %(day)d after sale, within the whole-unit warranty of %(months)d months (until %(end)s): free repair."
                    ),
                    day=day,
                    months=months,
                    end=unit_end.isoformat(),
                ),
            )
        elif in_component and component_end is not None:
            fire(
                RuleCode.COMPONENT_WARRANTY,
                (Remedy.REPAIR_FREE,),
                deferred(
                    _(
                        "The whole-unit warranty ended on %(unit_end)s, but the %(component)s is a main component covered for %(months)d months (until %(end)s): free repair."
                    ),
                    unit_end=unit_end.isoformat(),
                    component=facts.component,
                    months=component_months or 0,
                    end=component_end.isoformat(),
                ),
            )

    if not fired:
        fire(
            RuleCode.OUT_OF_WARRANTY,
            (Remedy.REPAIR_PAID,),
            deferred(
                _("Fault on day %(day)d after sale; the warranty ended on %(end)s: paid repair."),
                day=day,
                end=(component_end if component_end and component_end > unit_end else unit_end).isoformat(),
            ),
        )

    if facts.online and fault != FaultType.MAN_MADE and not facts.replacement_of and claim_day <= rules.online_return_days:
        if rules.online_return_excluded:
            reasons.append(
                deferred(
                    _("Bought online, but this product category is excluded from the %(limit)d-day return without reason."),
                    limit=rules.online_return_days,
                )
            )
        else:
            fire(
                RuleCode.ONLINE_RETURN,
                (Remedy.RETURN,),
                deferred(
                    _("Bought online %(day)d days before the request (within %(limit)d days): return without giving a reason."),
                    day=claim_day,
                    limit=rules.online_return_days,
                ),
            )

    order = [code for code in RULE_PRECEDENCE if code in fired]
    allowed = {remedy for code in order for remedy in fired[code]}
    if Remedy.RETURN in allowed:
        allowed.discard(Remedy.REFUND_DEPRECIATED)  # a full refund is due: nothing to depreciate
    if Remedy.REPAIR_FREE in allowed:
        allowed.discard(Remedy.REPAIR_PAID)
    remedies = tuple(r for r in REMEDY_ORDER if r in allowed)
    reasons.extend(messages[code] for code in order)
    if Remedy.REFUND_DEPRECIATED in remedies:
        reasons.append(
            deferred(
                _("A return refunds the price less depreciation of %(rate)s%% a day for %(days)d days of use."),
                rate=_percent(rules.daily_rate),
                days=use_days,
            )
        )
    return Proposal(
        rule=order[0],
        remedies=remedies,
        reasons=tuple(reasons),
        rules_fired=tuple(order),
        sale_date=sale,
        day=day,
        warranty_ends_on=unit_end,
        component_ends_on=component_end,
        daily_rate=rules.daily_rate,
        depreciation_days=use_days if Remedy.REFUND_DEPRECIATED in remedies else None,
    )
