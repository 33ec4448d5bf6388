from typing import Any

from django.core.management.base import CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.operator_command import OperatorCommand, lazy_help
from aftersales.tickets.services.regions import DEFAULT_BATCH_SIZE, tickets_assign_regions


class Command(OperatorCommand):
    help_text = gettext_lazy(
        "Give tickets without a region the region of their address (the region table in the admin), "
        "else of their customer's default address or region. Batched; running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help=lazy_help(gettext_lazy("Tickets per transaction."))
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = tickets_assign_regions(batch_size=max(1, options["batch_size"]))
        self.stdout.write(
            _("tickets without a region: %(examined)s; region assigned: %(assigned)s; still without one: %(left)s")
            % {"examined": result.examined, "assigned": result.assigned, "left": result.examined - result.assigned}
        )
