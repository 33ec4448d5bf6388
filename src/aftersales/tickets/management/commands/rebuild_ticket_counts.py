from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.operator_command import OperatorCommand
from aftersales.tickets.counts import ticket_counts_rebuild


class Command(OperatorCommand):
    help_text = gettext_lazy("Recompute the dashboard's ticket counts from the tickets (GROUP BY).")

    def handle(self, *args: object, **options: object) -> None:
        keys = ticket_counts_rebuild()
        self.stdout.write(_("ticket counts rebuilt: %(keys)s keys") % {"keys": keys})
