"""Money arithmetic of the travel app (pure): every amount in cents, rounded half up."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def cents(value: Decimal | int) -> Decimal:
    """``value`` rounded to the cent, half up (SQLite's sums come back unscaled: 800 → 800.00)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
