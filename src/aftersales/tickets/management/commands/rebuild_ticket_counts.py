from django.core.management.base import BaseCommand

from aftersales.tickets.counts import ticket_counts_rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard's ticket counts from the tickets (GROUP BY)."

    def handle(self, *args: object, **options: object) -> None:
        keys = ticket_counts_rebuild()
        self.stdout.write(f"ticket counts rebuilt: {keys} keys")
