"""Phones on pages: ``{% load phones %}{{ ticket.contact_phone|phone }}`` → ``159 8306 7670``,
``{{ value|phone_masked }}`` → ``159 **** 7670`` (the data keeps E.164; see ``customers.phones``)."""

from __future__ import annotations

from django import template

from aftersales.customers.phones import display_phone

register = template.Library()


@register.filter(name="phone")
def phone(value: str | None) -> str:
    return display_phone(value)


@register.filter(name="phone_masked")
def phone_masked(value: str | None) -> str:
    return display_phone(value, masked=True)
