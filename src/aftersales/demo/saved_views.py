"""The saved-views demo: the agent 李娜 ("agent") keeps two views of her own in the ticket list's
bar, and the supervisor 张伟 ("supervisor") shares one with all staff — made through the tickets'
services, so the audit log tells the story. Idempotent: when the agent has a view it says so and
changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from aftersales.accounts.models import User
from aftersales.tickets.models import SavedView, ViewSharing
from aftersales.tickets.services import saved_view_create

# (owner, name, the list's filters, sharing): what an agent and a supervisor keep one click away.
VIEWS = (
    ("agent", "我的紧急单", "queue=mine&priority=1", ViewSharing.PRIVATE),
    ("agent", "等我回复", "queue=waiting", ViewSharing.PRIVATE),
    ("supervisor", "SLA 已超时", "queue=breached&status=all&sort=due", ViewSharing.EVERYONE),
)


def load_saved_views_demo(stdout: Any) -> None:
    people = {u.username: u for u in User.objects.filter(username__in={owner for owner, *_rest in VIEWS}, is_active=True)}
    if SavedView.objects.filter(owner__username="agent").exists():
        stdout.write(_("The saved-views demo is already loaded; nothing was changed.") + "\n")
        return
    made = 0
    for owner, name, filters, sharing in VIEWS:
        if owner in people:
            saved_view_create(actor=people[owner], name=name, filters=filters, sharing=sharing)
            made += 1
    stdout.write(
        _("Saved views: %(count)d views in the ticket list's bar (the agent's own, the supervisor's shared).") % {"count": made}
        + "\n"
    )
