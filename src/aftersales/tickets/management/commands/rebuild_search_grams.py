from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from aftersales.core.operator_command import OperatorCommand, lazy_help
from aftersales.tickets.models import Ticket
from aftersales.tickets.search import search_grams_for


class Command(OperatorCommand):
    help_text = gettext_lazy(
        "Recompute the keyword-search bigrams (Ticket.search_grams) of every ticket, or only the empty ones."
    )

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--missing", action="store_true", help=lazy_help(gettext_lazy("Only tickets whose search_grams is empty."))
        )

    def handle(self, *args: object, **options: object) -> None:
        qs = Ticket.objects.order_by("pk")
        if options["missing"]:
            qs = qs.filter(search_grams="")
        last, changed = 0, 0
        while True:
            batch = list(qs.filter(pk__gt=last).values_list("pk", "title", "description", "search_grams")[:2000])
            if not batch:
                break
            objs = [Ticket(pk=pk, search_grams=g) for pk, t, d, old in batch if (g := search_grams_for(t, d)) != old]
            with transaction.atomic():
                Ticket.objects.bulk_update(objs, ["search_grams"], batch_size=500)
            changed += len(objs)
            last = batch[-1][0]
        self.stdout.write(_("search grams rebuilt: %(changed)s tickets changed") % {"changed": changed})
