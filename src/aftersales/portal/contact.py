"""Whom the customer calls: the service hotline (setting ``SERVICE_HOTLINE``, e.g. "400-820-8820")
and, for a technician's visit, a forwarding number when one is configured
(``SERVICE_VISIT_PHONE``: a number that reaches the dispatcher or forwards to the technician on
duty). A technician's own mobile is never shown to the customer: staff keep their private
numbers private, and the hotline knows every appointment (docs/portal.md, "Someone to call").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

_NOT_DIALLED = re.compile(r"[^0-9+]")


@dataclass(frozen=True)
class Phone:
    """A number as shown and as dialled (``tel:`` link)."""

    shown: str

    @property
    def tel(self) -> str:
        return "tel:" + _NOT_DIALLED.sub("", self.shown)

    def __bool__(self) -> bool:
        return bool(self.shown)

    def __str__(self) -> str:
        return self.shown


def service_hotline() -> Phone:
    """The service hotline; empty (falsy) while none is configured."""
    return Phone(str(getattr(settings, "SERVICE_HOTLINE", "") or "").strip())


def visit_phone() -> Phone:
    """The number to call about a visit: the forwarding number if configured, else the hotline."""
    forwarding = str(getattr(settings, "SERVICE_VISIT_PHONE", "") or "").strip()
    return Phone(forwarding) if forwarding else service_hotline()
