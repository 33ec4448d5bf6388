"""What the billing services share: the lock (the ticket first, then the receivable, as
``tickets.locking`` orders them), the version check, the one door of a status change, and the
audit row and internal timeline entry every change writes in its transaction."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict
from aftersales.core.fields import text as text  # re-exported for the services
from aftersales.core.i18n import Deferred, deferred
from aftersales.core.money import positive_amount as money  # noqa: F401 - re-exported for the services
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.process.common import timeline

from ..audit_actions import BillingAudit
from ..models import Receivable, ReceivableStatus
from ..states import RECEIVABLE_MOVES

S = ReceivableStatus


def lock_receivable(receivable: Receivable, *, expected_version: int | None = None) -> Receivable:
    """The receivable's ticket, then the receivable, locked; a stale ``expected_version`` (the page
    or client read an older one) is a ``Conflict``."""
    ticket = lock_ticket(receivable.ticket_id)
    locked = Receivable.objects.select_for_update().select_related("work_order").get(pk=receivable.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This receivable was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    locked.ticket = ticket
    return locked


def record(
    receivable: Receivable,
    *,
    action: BillingAudit,
    actor: User | None,
    body: Deferred,
    changes: dict[str, Any] | None = None,
) -> None:
    """The audit row of the change and its entry on the ticket's timeline (internal: finance's
    business, never the customer's timeline)."""
    audit_record(action=action, obj=receivable, actor=actor, changes=changes or {})
    timeline(
        ticket=receivable.ticket,
        actor=actor,
        text=deferred(_("%(number)s: %(text)s"), number=receivable.work_order.number, text=body),
        public=False,
        kind=EventKind.FIELD_CHANGED,
        data={"work_order": receivable.work_order.number, "action": action.value.removeprefix("billing.")},
    )


def save(locked: Receivable, *, to: str | None = None, fields: set[str] | frozenset[str] = frozenset()) -> Receivable:
    """The one door of a change to a receivable: a status move checked against the table, the
    version raised, the row saved."""
    names = set(fields) | {"version", "updated_at"}
    if to is not None and to != locked.status:
        RECEIVABLE_MOVES.check(locked.status, to)
        locked.status = to
        names.add("status")
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save(update_fields=sorted(names))
    return locked


def status_for(locked: Receivable) -> str:
    """What the confirmed payments make of an outstanding receivable."""
    if locked.paid_amount >= locked.amount:
        return S.PAID
    if locked.paid_amount > 0:
        return S.PARTLY_PAID
    return S.OPEN
