"""``manage.py audit_actions``: every action the audit log can record, one a line, by value:
the stored value, the enumeration that declares it and its member (``<app>/audit_actions.py``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from aftersales.audit.actions import all_audit_actions


class Command(BaseCommand):
    help = "List every declared audit action: value, enumeration, member."

    def handle(self, *args: Any, **options: Any) -> None:
        actions = sorted(all_audit_actions().items())
        width = max((len(value) for value, _member in actions), default=0)
        for value, member in actions:
            self.stdout.write(f"{value:<{width}}  {type(member).__name__}.{member.name}")
