"""``{{ user|may_export:"tickets" }}`` and ``{{ "tickets"|export_kind_title }}`` for the
"Export to Excel" button (``exports/_export_button.html``)."""

from __future__ import annotations

from django import template

from aftersales.accounts.models import User

from ..registry import KINDS, kind_for_user

register = template.Library()


@register.filter
def may_export(user: User, kind: str) -> bool:
    return kind_for_user(kind, user) is not None


@register.filter
def export_kind_title(kind: str) -> str:
    spec = KINDS.get(kind)
    return str(spec.title) if spec else ""
