"""Telling the customer when the problem will be solved (承诺解决时间, SPEC §2: "a solution within
48 h, or, for a complex problem, tell the customer within 48 h when it will be solved"; §2.8: "the
customer is kept informed ... of the expected completion time").

A handler promises a date (and optionally a time) with the reason the customer reads ("the part
must come from the factory"). It may be given again: every promise is kept (``SolutionPromise``,
one current), a revision names the date it replaces, and one later than that is marked as a delay.
The promise is a message to the customer (a public ``message_out`` entry, their portal timeline,
their channels: the editable events ``solution_date_promised`` / ``solution_date_revised``) and so
may be the first response. What it means for the service levels (the solution clock is met; a
promise that passes unresolved warns the assignee) is the SLA app's, reached through
``TICKET_SOLUTION_PROMISED`` (docs/sla.md).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.core.i18n import Deferred, deferred, rendered_lazy

from ..audit_actions import TicketAudit
from ..choices import EventKind
from ..effects import TICKET_SOLUTION_PROMISED
from ..models import Ticket
from ..models.promise import SolutionPromise
from ..services.first_response import FirstResponseVia, ticket_record_first_response
from .common import lock_for_action, required_text, timeline
from .notify import notify_customer, ticket_link

ACTION = "promise_solution_date"
# How far ahead a promise may reach (a date a year away is no promise to a waiting customer).
MAX_DAYS_AHEAD = 366
REASON_LIMIT = 2000


# The date as the reader reads it: "2026-12-10" / "2026年12月10日" (the time after it when given).
DATE_TEXT = _("%(year)d-%(month)02d-%(day)02d")
DATE_TIME_TEXT = _("%(year)d-%(month)02d-%(day)02d %(time)s")
FIRST_TEXT = _("We expect the problem to be solved by %(date)s. Reason: %(reason)s")
REVISED_TEXT = _("The expected solution date changes from %(previous)s to %(date)s. Reason: %(reason)s")


def promise_date_text(*, promised_date: dt.date, promised_time: dt.time | None) -> Deferred:
    """The promised date (and time) as a deferred text: each reader reads it in their language."""
    parts = {"year": promised_date.year, "month": promised_date.month, "day": promised_date.day}
    if promised_time is None:
        return deferred(DATE_TEXT, **parts)
    return deferred(DATE_TIME_TEXT, **parts, time=promised_time.strftime("%H:%M"))


def promise_deadline(*, promised_date: dt.date, promised_time: dt.time | None) -> dt.datetime:
    """The moment the promise is broken, in Asia/Shanghai: the time given, else the next midnight."""
    zone = timezone.get_default_timezone()
    if promised_time is not None:
        return dt.datetime.combine(promised_date, promised_time.replace(second=0, microsecond=0), tzinfo=zone)
    return dt.datetime.combine(promised_date + dt.timedelta(days=1), dt.time(0, 0), tzinfo=zone)


def ticket_current_promise(*, ticket: Ticket) -> SolutionPromise | None:
    """The ticket's current promise, or ``None`` before the first one."""
    return SolutionPromise.objects.filter(ticket_id=ticket.pk, is_current=True).select_related("given_by").first()


def ticket_promises(*, ticket: Ticket) -> list[SolutionPromise]:
    """Every promise the ticket was given, the first first."""
    return list(SolutionPromise.objects.filter(ticket_id=ticket.pk).select_related("given_by").order_by("revision"))


def _checked_moment(promised_date: object, promised_time: object, now: dt.datetime) -> dt.datetime:
    if not isinstance(promised_date, dt.date) or isinstance(promised_date, dt.datetime):
        raise ValidationFailed({"promised_date": [_("Give the date by which it will be solved.")]}, code="promised_date_required")
    if promised_time is not None and not isinstance(promised_time, dt.time):
        raise ValidationFailed({"promised_time": [_("Give a valid time.")]}, code="promised_time_invalid")
    deadline = promise_deadline(promised_date=promised_date, promised_time=promised_time)
    if deadline <= now:
        field = "promised_time" if promised_time is not None and deadline.date() >= clock.local_date(now) else "promised_date"
        raise ValidationFailed({field: [_("The promised date must be in the future.")]}, code="promised_date_past")
    if promised_date > clock.local_date(now) + dt.timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationFailed({"promised_date": [_("Promise a date within a year.")]}, code="promised_date_too_far")
    return deadline


@transaction.atomic
def ticket_promise_solution_date(
    *,
    ticket: Ticket,
    actor: User,
    promised_date: dt.date,
    promised_time: dt.time | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> SolutionPromise:
    """Promise the customer a solution by ``promised_date`` (``promised_time``, else the end of
    that day, Asia/Shanghai) with the ``reason`` they read. Allowed while the ticket is open and
    not resolved (``OPEN_STATUSES``), to handlers. A second call revises the promise: the earlier
    one is kept, no longer current; a revision to the same deadline is refused.
    """
    reason_text = required_text(
        reason, field="reason", message=_("Tell the customer why it takes until then."), limit=REASON_LIMIT
    )
    now = clock.now()
    deadline = _checked_moment(promised_date, promised_time, now)
    locked = lock_for_action(ticket=ticket, actor=actor, action=ACTION, expected_version=expected_version)
    previous = SolutionPromise.objects.select_for_update().filter(ticket=locked, is_current=True).first()
    if previous is not None and previous.deadline == deadline:
        raise ValidationFailed({"promised_date": [_("This is the date already promised.")]}, code="promise_unchanged")
    later = previous is not None and deadline > previous.deadline
    if previous is not None:
        SolutionPromise.objects.filter(pk=previous.pk).update(is_current=False)
    revision = (SolutionPromise.objects.filter(ticket=locked).aggregate(last=Max("revision"))["last"] or 0) + 1
    promise = SolutionPromise.objects.create(
        ticket=locked,
        revision=revision,
        promised_date=promised_date,
        promised_time=promised_time,
        deadline=deadline,
        reason=reason_text,
        later_than_before=later,
        given_by=actor,
        given_at=now,
    )
    date_text = promise_date_text(promised_date=promised_date, promised_time=promised_time)
    previous_text = (
        promise_date_text(promised_date=previous.promised_date, promised_time=previous.promised_time) if previous else None
    )
    Ticket.objects.filter(pk=locked.pk).update(version=F("version") + 1, updated_at=now)
    if previous_text is None:
        text = deferred(FIRST_TEXT, date=date_text, reason=reason_text)
    else:
        text = deferred(REVISED_TEXT, date=date_text, previous=previous_text, reason=reason_text)
    event = timeline(
        ticket=locked,
        actor=actor,
        public=True,
        kind=EventKind.MESSAGE_OUT,
        data={
            "action": "solution_promised",
            "promise": revision,
            "promised_date": promised_date.isoformat(),
            "promised_time": promised_time.strftime("%H:%M") if promised_time else "",
            "later": later,
        },
        text=text,
    )
    audit_record(
        action=TicketAudit.SOLUTION_PROMISED,
        obj=locked,
        actor=actor,
        changes={
            "revision": revision,
            "deadline": [previous.deadline.isoformat() if previous else None, deadline.isoformat()],
            "later": later,
            "reason": reason_text,
        },
    )
    locked.refresh_from_db()
    ticket_record_first_response(ticket=locked, actor=actor, via=FirstResponseVia.MESSAGE, event=event)
    params: dict[str, object] = {"date": rendered_lazy(date_text), "reason": reason_text}
    if previous_text is not None:
        params["previous"] = rendered_lazy(previous_text)
    notify_customer(
        ticket=locked,
        template="solution_date_revised" if previous_text is not None else "solution_date_promised",
        params=params,
        link=ticket_link(locked),
    )
    TICKET_SOLUTION_PROMISED.send(ticket=locked, promise=promise, now=now)
    return promise
