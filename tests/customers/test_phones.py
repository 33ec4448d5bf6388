"""Phone numbers as people type them, stored in E.164."""

from __future__ import annotations

import pytest

from aftersales.core.errors import ValidationFailed
from aftersales.customers.phones import format_phone_national, normalize_phone


@pytest.mark.parametrize(
    ("typed", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("138 1234 5678", "+8613812345678"),
        ("138-1234-5678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("  13812345678 ", "+8613812345678"),
        ("１３８１２３４５６７８", "+8613812345678"),  # full-width digits from a Chinese IME
        ("010-62345678", "+861062345678"),  # Beijing landline with its area code
        ("(010) 6234 5678", "+861062345678"),
        ("0755-26543210", "+8675526543210"),  # Shenzhen
        ("+1 202 555 0143", "+12025550143"),  # a foreign number keeps its country code
    ],
)
def test_normalize_phone_accepts_the_ways_people_type_numbers(typed, e164):
    assert normalize_phone(typed) == e164


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "phone_invalid"),
        ("12345", "phone_invalid"),
        ("+86 138 1234 567", "phone_invalid"),  # one digit short
        ("", "phone_required"),
        ("   ", "phone_required"),
        (None, "phone_required"),
    ],
)
def test_normalize_phone_refuses_what_is_not_a_number_naming_field_and_code(typed, code):
    with pytest.raises(ValidationFailed) as raised:
        normalize_phone(typed)
    assert raised.value.code == code
    assert raised.value.field == "phone"
    assert list(raised.value.errors) == ["phone"]


def test_the_error_names_the_field_the_caller_asked_for():
    with pytest.raises(ValidationFailed) as raised:
        normalize_phone("abc", field="contact_phone")
    assert raised.value.field == "contact_phone"
    assert "contact_phone" in raised.value.errors


def test_a_number_is_shown_in_national_form_to_people_who_may_see_it():
    assert format_phone_national("+8613812345678") == "138 1234 5678"
    assert format_phone_national("") == ""
    assert format_phone_national("not a number") == "not a number"
