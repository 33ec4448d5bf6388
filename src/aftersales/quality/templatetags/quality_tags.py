"""Template filters of the fault-statistics pages."""

from __future__ import annotations

import math

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

RATE_DECIMALS = 3  # the per-1,000 rates' usual precision, as the trend columns beside them
MAX_DECIMALS = 8


@register.filter
def rate(value: float | None) -> str:
    """A rate per 1,000 units with ``RATE_DECIMALS`` decimals, or as many more as it takes to
    show two significant digits: a rate above zero (a model or batch with faults) never reads
    0.000. ``None`` (no shipment volume) is "—"."""
    if value is None:
        return "—"
    shown = str(floatformat(value, RATE_DECIMALS))
    if value > 0 and not any(digit in "123456789" for digit in shown):
        shown = str(floatformat(value, min(MAX_DECIMALS, 1 - math.floor(math.log10(value)))))
    return shown


@register.filter
def lookup(mapping: object, key: object) -> object:
    """``mapping[key]``, or None (a dict of counts read by a row's key in a template)."""
    return mapping.get(key) if isinstance(mapping, dict) else None
