"""What every appraisal write shares: the closed-ticket check, locking and the version check, the
audit row and timeline entry, the one door for status moves (``move``), text limits.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, ValidationFailed
from aftersales.core.i18n import Deferred, deferred
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.common import timeline
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES

from ..audit_actions import AppraisalAudit
from ..choices import FaultType
from ..models import Appraisal, AppraisalStatus
from ..states import TABLE

A = AppraisalStatus
MAX_TEXT = 20000
MAX_TESTS = 50
MAX_CELL = 200
# Fault types under which the 三包 rules never apply (the customer caused it, or nothing is wrong).
NO_SANBAO = frozenset({FaultType.MAN_MADE, FaultType.NO_FAULT})


# --- Shared steps ---------------------------------------------------------------------------------


def _refuse_final_ticket(ticket: Ticket) -> None:
    if ticket.status in TICKET_FINAL_STATUSES:
        raise DomainError(
            _("The ticket is closed or archived: no appraisal can be requested or changed on it."),
            code="ticket_final",
            field="ticket",
        )


def lock_appraisal(appraisal: Appraisal, *, expected_version: int | None) -> tuple[Ticket, Appraisal]:
    """Lock the ticket, then the appraisal; refuse an archived ticket and a stale version."""
    ticket = lock_ticket(appraisal.ticket_id)
    _refuse_final_ticket(ticket)
    locked = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This appraisal was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    locked.ticket = ticket
    return ticket, locked


def _record(
    appraisal: Appraisal,
    *,
    actor: User | None,
    action: AppraisalAudit,
    text: Deferred,
    public: bool = False,
    changes: dict[str, Any] | None = None,
) -> None:
    """The typed audit row and the ticket's timeline entry of one change."""
    audit_record(action=action, obj=appraisal, actor=actor, actor_label="" if actor else "customer", changes=changes or {})
    timeline(
        ticket=appraisal.ticket,
        actor=actor,
        text=deferred(_("Appraisal %(number)s: %(text)s"), number=appraisal.number, text=text),
        public=public,
        kind=EventKind.FIELD_CHANGED,
        data={"appraisal": appraisal.pk, "action": action.value.removeprefix("appraisal."), "status": appraisal.status},
    )


def _save(appraisal: Appraisal, names: set[str]) -> Appraisal:
    """Write ``names`` (and the time of the change), counting the version up."""
    appraisal.updated_at = clock.now()
    names = names | {"updated_at"}
    Appraisal.objects.filter(pk=appraisal.pk).update(version=F("version") + 1, **{n: getattr(appraisal, n) for n in names})
    appraisal.version += 1
    return appraisal


def move(
    appraisal: Appraisal,
    *,
    to: str,
    actor: User | None,
    text: Deferred,
    public: bool = False,
    fields: set[str] | frozenset[str] = frozenset(),
    changes: dict[str, Any] | None = None,
) -> Appraisal:
    """The one door for status changes: refuse a move the table does not have."""
    before = appraisal.status
    TABLE.check(before, to)
    appraisal.status = to
    _save(appraisal, {"status", *fields})
    _record(
        appraisal,
        actor=actor,
        action=AppraisalAudit(f"appraisal.{to}"),
        text=text,
        public=public,
        changes={"status": [before, to], **(changes or {})},
    )
    return appraisal


def _text(value: str, *, name: str, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        raise ValidationFailed({name: [_("At most %(limit)d characters.") % {"limit": limit}]}, code=f"{name}_too_long")
    return text
