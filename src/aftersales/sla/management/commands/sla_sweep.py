"""``manage.py sla_sweep [--loop SECONDS]``: the SLA safety sweep, once or every SECONDS."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aftersales.sla.services import sla_sweep


class Command(BaseCommand):
    help = "Warn, breach and escalate SLA clocks whose time has passed without a job doing it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS", help="Repeat every SECONDS (0: run once).")
        parser.add_argument("--limit", type=int, default=500, help="Clocks per run, soonest due first.")

    def handle(self, *args: Any, loop: int, limit: int, **options: Any) -> None:
        while True:
            checked = sla_sweep(limit=limit)
            if options["verbosity"] > 1 or (checked and not loop):
                self.stdout.write(f"sla_sweep: checked {checked} clock(s)")
            if loop <= 0:
                return
            time.sleep(loop)
