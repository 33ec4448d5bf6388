"""The held queue's Excel export (registered by MailinConfig.ready: mailin sits above exports in the
import layers, so the kind lives here rather than in exports/kinds). The held queue (``show``:
held, ignored or all), as ``mailin.views.held_queue`` reads it — the agents' roles, the mail
related to no ticket and that of tickets in their scope."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.exports.registry import CellType, Column, ExportKind, Rows, queryset_rows, register

from .held import handles_held_mail
from .selectors import held_messages


def held_rows(user: User, params: Mapping[str, str]) -> Rows:
    # The page shows the newest 200; the file has them all.
    return queryset_rows(held_messages(user=user, show=params.get("show", "held"), limit=1_000_000), count=False)


HELD = register(
    ExportKind(
        key="mailin_held",
        title=_("Held emails"),
        columns=(
            Column(_("Received"), lambda m, u: m.received_at, CellType.DATETIME, width=17),
            Column(_("From"), lambda m, u: m.mail_from, width=26),
            Column(_("Subject"), lambda m, u: m.subject, width=36),
            Column(_("Status"), lambda m, u: m.get_status_display(), width=12),
            Column(_("Ticket"), lambda m, u: m.ticket.number if m.ticket_id else "", width=18),
            Column(_("Reason"), lambda m, u: m.shown_reason, width=40),
        ),
        may_use=handles_held_mail,
        rows=held_rows,
        page="mailin:held",
    )
)
