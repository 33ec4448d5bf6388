"""A promised solution date that passed with the ticket still not resolved: the assignee (the
supervisors of an unassigned ticket) is warned once, with an internal timeline entry and an audit
row. The promise itself is ``tickets.process.promise``'s; the ticket page shows it overdue at once
(``sla_tags``), this job tells people. Run by ``sla.tasks.warn_overdue_promises`` periodically."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils.translation import gettext_lazy

from aftersales.audit.services import audit_record
from aftersales.core import clock as system_clock
from aftersales.core.i18n import TEXT_KEY, deferred, frozen, rendered_lazy
from aftersales.notifications.services import notify_staff
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.models.promise import SolutionPromise
from aftersales.tickets.process.promise import promise_date_text
from aftersales.tickets.selectors.recipients import supervisors_for_ticket
from aftersales.tickets.states import OPEN_STATUSES

from ..audit_actions import SlaAudit

logger = logging.getLogger("aftersales.sla.services")

OVERDUE_BATCH = 500
# The staff event ``solution_promise_overdue`` (notifications.template_events) ships this text.
OVERDUE_SUBJECT = gettext_lazy("Promised date passed: %(number)s")
OVERDUE_BODY = gettext_lazy(
    "Ticket %(number)s was promised to be solved by %(date)s and is not resolved. Solve it or tell the customer a new date."
)


def overdue_promise_ids(*, now: dt.datetime, limit: int = OVERDUE_BATCH) -> list[int]:
    """Current promises past their deadline, not warned yet, of tickets still not resolved."""
    return list(
        SolutionPromise.objects.filter(
            is_current=True, overdue_warned_at__isnull=True, deadline__lte=now, ticket__status__in=OPEN_STATUSES
        )
        .order_by("deadline", "pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def sla_warn_overdue_promise(*, promise_id: int, now: dt.datetime | None = None) -> bool:
    """Warn about one overdue promise, once (the ticket, then the promise, under row locks; the
    timestamp is the guard). Returns whether it warned: not when the promise was revised, the
    ticket resolved or the warning already sent meanwhile."""
    ticket_id = SolutionPromise.objects.filter(pk=promise_id).values_list("ticket_id", flat=True).first()
    if ticket_id is None:
        return False
    lock_ticket(ticket_id)
    promise = SolutionPromise.objects.select_for_update().filter(pk=promise_id).first()
    now = now or system_clock.now()
    if promise is None or not promise.is_current or promise.overdue_warned_at is not None or promise.deadline > now:
        return False
    ticket = Ticket.objects.select_related("assignee").get(pk=ticket_id)
    if ticket.status not in OPEN_STATUSES:
        return False
    promise.overdue_warned_at = now
    promise.save(update_fields=["overdue_warned_at"])
    date_text = promise_date_text(promised_date=promise.promised_date, promised_time=promise.promised_time)
    recipients = [ticket.assignee] if ticket.assignee is not None else supervisors_for_ticket(ticket=ticket)
    notify_staff(
        users=recipients,
        template="solution_promise_overdue",
        subject=OVERDUE_SUBJECT,
        body=OVERDUE_BODY,
        ticket=ticket,
        params={"number": ticket.number, "date": rendered_lazy(date_text)},
    )
    text = deferred(OVERDUE_BODY, number=ticket.number, date=date_text)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.NOTE,
        actor=None,
        actor_label="SLA",
        public=False,
        body=frozen(text),
        data={"sla": "promise_overdue", "promise": promise.revision, "deadline": promise.deadline.isoformat(), TEXT_KEY: text},
        created_at=now,
    )
    audit_record(
        action=SlaAudit.PROMISE_OVERDUE,
        obj=ticket,
        actor_label="SLA",
        changes={"promise": promise.revision, "deadline": promise.deadline.isoformat(), "told": [u.pk for u in recipients]},
    )
    return True


def sla_warn_overdue_promises(*, now: dt.datetime | None = None, limit: int = OVERDUE_BATCH) -> int:
    """Warn about every overdue promise not warned yet (at most ``limit`` per run, the oldest
    first), each in its own transaction; returns how many were warned."""
    now = now or system_clock.now()
    warned = 0
    for promise_id in overdue_promise_ids(now=now, limit=limit):
        try:
            warned += sla_warn_overdue_promise(promise_id=promise_id, now=now)
        except Exception:
            logger.exception("Overdue warning of solution promise %s failed; the next run retries it.", promise_id)
    return warned
