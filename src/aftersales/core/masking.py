"""Masking of personal data for roles that have no need to see it."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    """``+8613812341234`` or ``13812341234`` → ``138****1234``.

    Keeps the first three and last four digits of the national number; shorter numbers keep
    only their last two digits.
    """
    if not value:
        return ""
    digits = value
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("+"):
        digits = digits[1:]
    if len(digits) >= 11:
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) > 4:
        return f"{'*' * (len(digits) - 2)}{digits[-2:]}"
    return "*" * len(digits)


def mask_email(value: str | None) -> str:
    """``zhang.wei@example.com`` → ``z***@example.com``; anything else is masked whole."""
    if not value:
        return ""
    if "@" not in value:
        # Not an address (a phone typed into the email field?): never show it unmasked.
        return f"{value[:1]}***"
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_name(value: str | None) -> str:
    """``张伟`` → ``张*``; ``欧阳娜娜`` → ``欧***``."""
    if not value:
        return ""
    return value[:1] + "*" * max(len(value) - 1, 1)
