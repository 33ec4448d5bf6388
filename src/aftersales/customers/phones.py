"""Phone numbers: parse, validate and normalise to E.164 with Google's libphonenumber port, and
show them as people read them (``display_phone``, the ``phone`` template filters)."""

from __future__ import annotations

import re

import phonenumbers
from django import forms
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
    return display_phone(e164)


# An already masked number as ``core.masking.mask_phone`` writes it (``138****5678``).
_MASKED = re.compile(r"^(\d{3})(\*{4})(\d{4})$")


def _mask_digits(text: str) -> str:
    """Keep the first three and the last four digits of ``text``, star the rest, keep the spaces:
    ``159 8306 7670`` → ``159 **** 7670``. Short numbers keep only their last two digits."""
    total = sum(c.isdigit() for c in text)
    head, tail = (3, 4) if total >= 10 else (0, 2)
    out, seen = [], 0
    for c in text:
        if c.isdigit():
            seen += 1
            out.append(c if seen <= head or seen > total - tail else "*")
        else:
            out.append(c)
    return "".join(out)


def display_phone(value: str | None, *, masked: bool = False) -> str:
    """A phone as people read it: a Chinese number in the national format with spaces
    (``+8615983067670`` → ``159 8306 7670``, ``+861062345678`` → ``010 6234 5678``), another
    country's in the international format (``+1 202-555-0143``). ``masked``: ``159 **** 7670``.

    The data keeps E.164 (the API returns it); this is only for pages. An already masked value
    (``159****7670``) is spaced the same way; anything unparsable is returned as it is (masked).
    """
    text = (value or "").strip()
    if not text:
        return ""
    already = _MASKED.match(text)
    if already:
        return " ".join(already.groups())
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        return _mask_digits(text) if masked else text
    if number.country_code == phonenumbers.country_code_for_region(settings.PHONENUMBER_DEFAULT_REGION):
        shown = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        return _mask_digits(shown) if masked else shown
    prefix = f"+{number.country_code} "
    rest = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL).removeprefix(prefix)
    return prefix + (_mask_digits(rest) if masked else rest)


class PhoneFormField(forms.CharField):
    """A phone typed any way people type it (``15983067670``, ``159 8306 7670``,
    ``+86 159-8306-7670``): cleaned to E.164 for storage, shown in the national format."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("help_text", _("For example 159 8306 7670, or +86 and the number."))
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.widget.attrs.setdefault("inputmode", "tel")
        self.widget.attrs.setdefault("autocomplete", "tel")

    def prepare_value(self, value: object) -> object:
        if isinstance(value, str) and value.startswith("+"):
            return display_phone(value)
        return value

    def clean(self, value: object) -> str:
        text = str(super().clean(value) or "").strip()
        if not text:
            return ""
        try:
            return normalize_phone(text)
        except ValidationFailed as exc:
            raise forms.ValidationError([str(m) for m in exc.errors.get("phone", [exc.message])]) from None
