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


def positive_amount(value: object, *, field: str = "amount") -> Decimal:
    """A positive amount typed by a person or sent by a client, rounded to the cent (half up), or
    a ``ValidationFailed`` naming ``field`` (the travel money, the customer's payments)."""
    amount = read_amount(value, field=field)
    if amount >= MAX_MONEY or cents(amount) <= 0:
        raise ValidationFailed({field: [_("Enter an amount above 0.")]}, code=f"{field}_invalid")
    return cents(amount)
