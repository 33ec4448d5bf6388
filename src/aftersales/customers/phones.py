"""Phone numbers: parse, validate and normalise to E.164 with Google's libphonenumber port."""

from __future__ import annotations

import phonenumbers
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed


def normalize_phone(raw: str, *, field: str = "phone", region: str | None = None) -> str:
    """Return the E.164 form of ``raw`` (``+8613812345678``) or raise ``ValidationFailed``.

    Accepts the ways people type numbers: ``138 1234 5678``, ``138-1234-5678``,
    ``+86 138 1234 5678``, ``0086…``, landlines with area code ``010-12345678``.
    """
    text = (raw or "").strip()
    if not text:
        raise ValidationFailed({field: [_("Enter a phone number.")]}, code="phone_required")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationFailed({field: [_("This is not a phone number.")]}, code="phone_invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed({field: [_("This phone number does not exist; check the digits.")]}, code="phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_national(e164: str) -> str:
    """``+8613812345678`` → ``138 1234 5678`` for display to people who may see it."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
