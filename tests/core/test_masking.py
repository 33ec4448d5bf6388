"""Personal data masked for roles without a need to see it (SPEC §4: 138****1234)."""

from __future__ import annotations

import pytest

from aftersales.core.masking import mask_email, mask_name, mask_phone


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("+8613812341234", "138****1234"),
        ("13812341234", "138****1234"),
        ("+12025550143", "120****0143"),
        ("+861062345678", "********78"),  # a Beijing landline has ten national digits
        ("12345", "***45"),
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone_keeps_only_what_identifies_the_number_to_its_owner(raw, masked):
    assert mask_phone(raw) == masked


def test_masked_mobile_never_shows_the_middle_digits():
    assert "1234" not in mask_phone("+8613812345678")[3:7]
    assert mask_phone("+8613812345678") == "138****5678"


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("zhang.wei@example.com", "z***@example.com"),
        ("a@example.cn", "a***@example.cn"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_email_keeps_the_first_letter_and_the_domain(raw, masked):
    assert mask_email(raw) == masked


def test_mask_email_does_not_leak_a_value_that_is_not_an_email():
    masked = mask_email("13812345678")
    assert masked != "13812345678"
    assert "12345678" not in masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [("张伟", "张*"), ("欧阳娜娜", "欧***"), ("Li", "L*"), ("", ""), (None, "")],
)
def test_mask_name_keeps_the_family_name(raw, masked):
    assert mask_name(raw) == masked
