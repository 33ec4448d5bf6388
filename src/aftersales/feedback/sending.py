"""A survey's invitation, its one reminder and its expiry, each exactly once.

A survey is created when its ticket is resolved (``services.survey_send_for_ticket``) with the
time its invitation goes out (``sent_at``: at once, after some hours or the next working day),
the time its link stops working (``expires_at``) and ``next_due_at``, the next of these steps.
A deferred job (``tasks.process_survey``, ``run_after`` = ``next_due_at``) sends the delayed
invitation or the reminder; the periodic sweep (``tasks.sweep_surveys``) marks the expiries,
catches up a lost or late job and is the only mechanism on a backend that cannot defer. Each
step is guarded by the survey's row lock and its timestamp (``notified_at``, ``reminded_at``,
the status), so running a job twice sends one message.

The invitation and the reminder go out only while the ticket is resolved or closed: a ticket
reopened meanwhile (the customer called to say it is not solved) gets no "how did we do?"; its
survey waits and expires (or the next resolution replaces it).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.jobs import enqueue_with_transaction
from aftersales.notifications.template_selectors import due_text
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.notify import notify_customer
from aftersales.tickets.states import TicketStatus

from .audit_actions import FeedbackAudit
from .links import survey_url
from .models import Survey, SurveyStatus
from .timing import remind_at

SWEEP_BATCH = 500
# The ticket statuses in which the customer is asked (and reminded) how it went.
ASKING_STATUSES = frozenset({TicketStatus.RESOLVED, TicketStatus.AWAITING_ACCEPTANCE, TicketStatus.CLOSED})

INVITE_SUBJECT = _("How did we do with request %(number)s?")
INVITE_BODY = _("request %(number)s has been resolved. Please tell us whether the problem is solved and how satisfied you are.")
INVITE_LINK_TEXT = _("Confirm the result and rate our service here:")
REMIND_SUBJECT = _("Reminder: how did we do with request %(number)s?")
REMIND_BODY = _("we have not heard from you about request %(number)s yet. Your opinion takes a minute and helps us improve.")
REMIND_LINK_TEXT = _("Rate our service here:")


def _reminder_days(survey: Survey) -> int | None:
    return survey.settings_version.reminder_days if survey.settings_version is not None else None


def mark_invited(survey: Survey, *, now: dt.datetime, reminder_days: int | None) -> None:
    """The invitation goes out now: its time, and the reminder's."""
    survey.sent_at = now
    survey.notified_at = now
    survey.remind_at = remind_at(reminder_days, notified_at=now, expires=survey.expires_at)


def survey_message_params(survey: Survey) -> dict[str, str]:
    """The values the invitation and the reminder pass beyond the ticket's number and the
    customer's name: until when the link works ({链接有效期至} / {link_valid_until})."""
    return {"expires": due_text(survey.expires_at)}


def send_invitation(*, survey: Survey, ticket: Ticket) -> None:
    """Queue the invitation (outbox rows in the caller's transaction), with its audit row."""
    notify_customer(
        ticket=ticket,
        template="survey",
        subject=INVITE_SUBJECT,
        body=INVITE_BODY,
        params=survey_message_params(survey),
        link=survey_url(survey=survey),
        link_text=INVITE_LINK_TEXT,
    )
    audit_record(action=FeedbackAudit.SURVEY_SENT, obj=survey, changes={"ticket": ticket.number})


def _remind(*, survey: Survey, ticket: Ticket, now: dt.datetime) -> None:
    """The one reminder: the editable event ``survey_reminder`` (notifications.template_events;
    the administrator's text, else the shipped one), with the survey's absolute link."""
    notify_customer(
        ticket=ticket,
        template="survey_reminder",
        subject=REMIND_SUBJECT,
        body=REMIND_BODY,
        params=survey_message_params(survey),
        link=survey_url(survey=survey),
        link_text=REMIND_LINK_TEXT,
    )
    survey.reminded_at = now
    audit_record(action=FeedbackAudit.SURVEY_REMINDED, obj=survey, changes={"ticket": ticket.number})


def _message_due(survey: Survey, *, asking: bool) -> dt.datetime | None:
    """When the next message (the invitation, else the reminder) is due; None for none."""
    if survey.status != SurveyStatus.PENDING or not asking:
        return None
    if survey.notified_at is None:
        return survey.sent_at
    return survey.remind_at if survey.reminded_at is None else None


def next_due(survey: Survey, *, asking: bool = True) -> dt.datetime | None:
    """The next step's time: the invitation, else the reminder, and the expiry; None when done.
    ``asking=False`` (the ticket was reopened): only the expiry."""
    if survey.status != SurveyStatus.PENDING:
        return None
    present = [s for s in (_message_due(survey, asking=asking), survey.expires_at) if s is not None]
    return min(present) if present else None


def plan_next(survey: Survey, *, asking: bool = True) -> None:
    """Set ``next_due_at`` and, when it moved, defer the job for then (``defer_message``). Call
    before saving the survey; the survey must have its id."""
    when = next_due(survey, asking=asking)
    moved = when != survey.next_due_at
    survey.next_due_at = when
    if moved:
        defer_message(survey, asking=asking)


def defer_message(survey: Survey, *, asking: bool = True) -> None:
    """When a message (the invitation or the reminder) is the survey's next step, enqueue the job
    for its time, with the transaction. An expiry gets no job of its own: the sweep marks it
    (until then the page and ``survey_submit`` already treat the survey as expired), so the
    default settings (sent at once, no reminder) add no job to a resolution."""
    when = survey.next_due_at
    if when is None or when != _message_due(survey, asking=asking):
        return
    # Imported here: ``feedback.tasks`` (the jobs) imports these services to run them.
    from .tasks import process_survey

    survey_id = survey.pk

    def enqueue() -> None:
        if not process_survey.get_backend().supports_defer:
            return  # the periodic sweep covers backends that cannot defer
        process_survey.using(run_after=when).enqueue(survey_id)

    enqueue_with_transaction(process_survey, enqueue)


STEP_FIELDS = ["status", "sent_at", "notified_at", "remind_at", "reminded_at", "next_due_at"]


@transaction.atomic
def survey_process_due(*, survey_id: int, now: dt.datetime | None = None) -> list[str]:
    """Do what is due on one survey (invite, remind, expire); returns what it did. Idempotent: a
    second run at the same time finds nothing due. Locks the ticket, then the survey (the lock
    order of ``tickets.locking``)."""
    current = now or clock.now()
    found = Survey.objects.filter(pk=survey_id).values_list("ticket_id", flat=True).first()
    if found is None:
        return []
    ticket = lock_ticket(found)
    survey = Survey.objects.select_for_update(of=("self",)).select_related("settings_version").get(pk=survey_id)
    if survey.status != SurveyStatus.PENDING:
        return []
    done: list[str] = []
    asking = ticket.status in ASKING_STATUSES
    if survey.expires_at is not None and survey.expires_at <= current:
        survey.status = SurveyStatus.EXPIRED
        audit_record(action=FeedbackAudit.SURVEY_EXPIRED, obj=survey, changes={"ticket": ticket.number})
        done.append("expired")
    elif not asking:
        pass  # reopened meanwhile: nothing is sent; the survey waits for its expiry or the next resolution
    elif survey.notified_at is None:
        if survey.sent_at <= current:
            mark_invited(survey, now=current, reminder_days=_reminder_days(survey))
            send_invitation(survey=survey, ticket=ticket)
            done.append("sent")
    elif survey.reminded_at is None and survey.remind_at is not None and survey.remind_at <= current:
        _remind(survey=survey, ticket=ticket, now=current)
        done.append("reminded")
    plan_next(survey, asking=asking)
    survey.save(update_fields=STEP_FIELDS)
    return done


def survey_ids_due(*, now: dt.datetime, limit: int = SWEEP_BATCH) -> list[int]:
    return list(
        Survey.objects.filter(status=SurveyStatus.PENDING, next_due_at__lte=now)
        .order_by("next_due_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def survey_sweep(*, now: dt.datetime | None = None) -> int:
    """The periodic safety net: every pending survey whose step is due; returns how many steps."""
    current = now or clock.now()
    return sum(len(survey_process_due(survey_id=pk, now=current)) for pk in survey_ids_due(now=current))
