"""``manage.py api_demo_key``: print the demo API key when it exists here (for scripts/run.sh)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from aftersales.demo.api import demo_api_key


class Command(BaseCommand):
    help = "Print the local demo API key, if the demo data made one (nothing in production)."

    def handle(self, *args: Any, **options: Any) -> None:
        key = demo_api_key()
        if key:
            self.stdout.write(key)
