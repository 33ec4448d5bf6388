"""A person's typed text read by a service: trimmed, required or not, within a length, or a
``ValidationFailed`` naming the field (the money apps: billing, travel, outlets)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed


def text(value: str | None, *, field: str, required: bool = False, limit: int = 2000, message: Any = None) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise ValidationFailed({field: [message or _("This field is required.")]}, code=f"{field}_required")
    if len(cleaned) > limit:
        raise ValidationFailed({field: [_("At most %(limit)d characters.") % {"limit": limit}]}, code=f"{field}_too_long")
    return cleaned
