"""What a return refunds: the price paid less depreciation for the days of use, less fees.

折旧费 = 售价 × 日折旧率 × 使用天数 (the days from the purchase date to the return date), never
more than the price; the refund is never negative and never more than what was paid. Pure
arithmetic in ``Decimal``, rounded to the fen (ROUND_HALF_UP), so that pages, PDFs, the API and
the refund record show the same figures and the same formula.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class RefundBreakdown:
    price: Decimal
    purchased_on: date
    returned_on: date
    days_used: int
    daily_rate: Decimal  # a fraction: 0.001 is 0.1 % a day
    depreciation: Decimal
    fees: Decimal
    amount: Decimal


def refund_breakdown(
    *, price: Decimal, purchased_on: date, returned_on: date, daily_rate: Decimal, fees: Decimal = Decimal("0")
) -> RefundBreakdown:
    if price < 0:
        raise ValueError("price must not be negative")
    if daily_rate < 0:
        raise ValueError("daily_rate must not be negative")
    if fees < 0:
        raise ValueError("fees must not be negative")
    days = max((returned_on - purchased_on).days, 0)
    depreciation = min((price * daily_rate * days).quantize(FEN, rounding=ROUND_HALF_UP), price)
    amount = max(price - depreciation - fees, Decimal("0")).quantize(FEN, rounding=ROUND_HALF_UP)
    return RefundBreakdown(
        price=price,
        purchased_on=purchased_on,
        returned_on=returned_on,
        days_used=days,
        daily_rate=daily_rate,
        depreciation=depreciation,
        fees=fees,
        amount=amount,
    )
