"""How a statement line's amount is computed — pure functions, no database.

``amount = call-out fee × visits + labour hours × labour rate + km × travel rate − penalty +
adjustment``, each part rounded to 0.01 (half up) before it is added, so the parts shown on the
statement add up to its amount exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed
from aftersales.core.money import MAX_MONEY, cents, read_amount


def money(value: object, *, field: str, allow_negative: bool = False) -> Decimal:
    """An amount typed by a person or sent by a client: a Decimal of cents, or a ``ValidationFailed``
    naming ``field``."""
    amount = read_amount(value, field=field)
    if abs(amount) >= MAX_MONEY or (amount < 0 and not allow_negative):
        raise ValidationFailed({field: [_("Enter an amount between 0 and 999,999,999.99.")]}, code=f"{field}_invalid")
    return cents(amount)


@dataclass(frozen=True)
class Rates:
    call_out_fee: Decimal
    labour_rate: Decimal
    travel_rate: Decimal
    repeat_penalty: Decimal


@dataclass(frozen=True)
class LineAmounts:
    call_out: Decimal
    labour: Decimal
    travel: Decimal
    penalty: Decimal
    adjustment: Decimal

    @property
    def amount(self) -> Decimal:
        return self.call_out + self.labour + self.travel - self.penalty + self.adjustment


def line_amounts(
    *, rates: Rates, visits: int, hours: Decimal, km: Decimal, repeat: bool, adjustment: Decimal = Decimal(0)
) -> LineAmounts:
    return LineAmounts(
        call_out=cents(rates.call_out_fee * visits),
        labour=cents(rates.labour_rate * hours),
        travel=cents(rates.travel_rate * km),
        penalty=cents(rates.repeat_penalty) if repeat else Decimal("0.00"),
        adjustment=cents(adjustment),
    )
