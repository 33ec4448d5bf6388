"""Filters of the analytics pages: business minutes, percentages, the figures' time."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def business_minutes(value: float | None) -> str:
    """90 → "90 min"; 1020 → "17.0 h"; None → "—"."""
    if value is None:
        return "—"
    if value < 120:
        return _("%(n)s min") % {"n": f"{value:g}"}
    return _("%(h)s h") % {"h": f"{value / 60:.1f}"}


@register.filter
def percent(value: float | None) -> str:
    """12.34 → "12.3%"; 0 → "0.0%"; a rate above zero that would show as 0.0 (0.03) → "<0.1%"
    (one in three thousand is not none) and a rate below 100 that would show as 100.0 (99.97)
    → ">99.9%" (one missed in three thousand is not all met); the same in every language;
    None → "—". For the pages only: the exports keep the number itself."""
    if value is None:
        return "—"
    shown = f"{value:.1f}"
    if value > 0 and float(shown) == 0:
        return "<0.1%"
    if value < 100 and float(shown) == 100:
        return ">99.9%"
    return f"{shown}%"


@register.filter
def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


@register.filter
def get_item(mapping: dict[str, object], key: str) -> object:
    return mapping.get(key, "")


@register.filter
def get_attr(obj: object, name: str) -> object:
    return getattr(obj, name, "")


@register.filter
def as_of(value: dt.datetime | None) -> str:
    """When the figures were computed, in local time: "14:05" today, "2026-12-06 14:05" before."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{local:%H:%M}" if local.date() == timezone.localdate() else f"{local:%Y-%m-%d %H:%M}"
