from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from aftersales.tickets.services.regions import DEFAULT_BATCH_SIZE, tickets_assign_regions


class Command(BaseCommand):
    help = (
        "Give tickets without a region the region of their address (the region table in the admin), "
        "else of their customer's default address or region. Batched; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Tickets per transaction.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = tickets_assign_regions(batch_size=max(1, options["batch_size"]))
        self.stdout.write(
            f"tickets without a region: {result.examined}; region assigned: {result.assigned}; "
            f"still without one: {result.examined - result.assigned}"
        )
