"""Amounts of money as the settling apps (outlets, travel) keep them: Decimals of cents, rounded
half up, read from what a person typed or a client sent with a clear error naming the field."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed

CENT = Decimal("0.01")
MAX_MONEY = Decimal("1e9")


def cents(value: Decimal | int) -> Decimal:
    """``value`` rounded to the cent, half up (SQLite's sums come back unscaled: 800 → 800.00)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def read_amount(value: object, *, field: str) -> Decimal:
    """The amount in ``value`` (empty: 0), finite; else a ``ValidationFailed`` naming ``field``.
    Its range and sign are the caller's rule."""
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field: [_("Enter an amount.")]}, code=f"{field}_invalid") from None
    if not amount.is_finite():
        raise ValidationFailed({field: [_("Enter an amount.")]}, code=f"{field}_invalid")
    return amount
