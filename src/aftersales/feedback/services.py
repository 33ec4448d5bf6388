"""Satisfaction surveys: sent when a ticket is resolved, answered through a signed link.

A dissatisfied answer (overall ≤ 2) or "not solved" reopens the ticket for secondary processing
(the escalation level rises); a satisfied one closes it.
"""

from __future__ import annotations

import secrets

from django.core import signing
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.core.i18n import ACTOR_SURVEY, deferred
from aftersales.core.links import absolute_url
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket
from aftersales.tickets.permissions import ticket_check_action
from aftersales.tickets.process.execution import apply_customer_verdict
from aftersales.tickets.process.notify import notify_customer

from .audit_actions import FeedbackAudit
from .models import RATING_FIELDS, Survey, SurveyStatus

SALT = "aftersales.feedback.survey"
DISSATISFIED_AT_OR_BELOW = 2


def survey_signed_token(*, survey: Survey) -> str:
    """The value in the customer's link: the survey's token, signed so it cannot be guessed or altered."""
    return signing.Signer(salt=SALT).sign(survey.token)


def survey_link(*, survey: Survey) -> str:
    signed = survey_signed_token(survey=survey)
    try:
        return reverse("feedback:survey", kwargs={"token": signed})
    except NoReverseMatch:  # the survey page is not wired yet
        return f"/feedback/{signed}/"


def survey_url(*, survey: Survey) -> str:
    """The survey link a message carries: absolute under ``AFTERSALES_SITE_URL``."""
    return absolute_url(survey_link(survey=survey))


def survey_get_by_signed_token(*, signed_token: str) -> Survey:
    """The survey behind a signed link; ``NotFound`` for a forged or unknown one."""
    try:
        token = signing.Signer(salt=SALT).unsign(signed_token)
    except signing.BadSignature:
        raise NotFound(_("This survey link is not valid."), code="survey_not_found") from None
    survey = Survey.objects.select_related("ticket").filter(token=token).first()
    if survey is None:
        raise NotFound(_("This survey link is not valid."), code="survey_not_found")
    return survey


@transaction.atomic
def survey_send_for_ticket(*, ticket: Ticket) -> Survey:
    """Create the survey for this resolution and queue it to the customer.

    Runs in the resolving transaction: the survey row and its notification (outbox) commit with
    the resolution or not at all; delivery is enqueued after commit. An earlier unanswered
    survey of the same ticket expires, so only one is pending at a time.
    """
    Survey.objects.filter(ticket=ticket, status=SurveyStatus.PENDING).update(status=SurveyStatus.EXPIRED)
    survey = Survey.objects.create(
        ticket=ticket, token=secrets.token_urlsafe(32), round=ticket.escalation_level, sent_at=clock.now()
    )
    notify_customer(
        ticket=ticket,
        template="survey",
        subject=_("How did we do with request %(number)s?"),
        body=_("request %(number)s has been resolved. Please tell us whether the problem is solved and how satisfied you are."),
        params={},
        link=survey_url(survey=survey),
        link_text=_("Confirm the result and rate our service here:"),
    )
    audit_record(action=FeedbackAudit.SURVEY_SENT, obj=survey, changes={"ticket": ticket.number})
    return survey


def _validate(ratings: dict[str, int | None], comment: str) -> dict[str, int | None]:
    errors: dict[str, list[object]] = {}
    cleaned: dict[str, int | None] = {}
    for name in RATING_FIELDS:
        value = ratings.get(name)
        if value is None and name != "overall":
            cleaned[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = [_("Choose a rating from 1 to 5.")]
        else:
            cleaned[name] = value
    if len(comment) > 5000:
        errors["comment"] = [_("At most %(limit)d characters.") % {"limit": 5000}]
    if errors:
        raise ValidationFailed(errors, code="survey_invalid")
    return cleaned


@transaction.atomic
def survey_submit(
    *,
    signed_token: str,
    overall: int,
    solved: bool,
    speed: int | None = None,
    attitude: int | None = None,
    professionalism: int | None = None,
    result: int | None = None,
    comment: str = "",
    actor: User | None = None,
) -> Survey:
    """Record the customer's answer (ratings 1–5, overall required) and act on it: a satisfied
    customer's ticket closes; overall ≤ 2 or "not solved" reopens it for secondary processing.

    The signed link is the customer's key (no sign-in needed). An agent recording an answer
    given on the phone passes ``actor`` and needs the "rate" permission on the ticket.
    Answering twice raises ``Conflict``.
    """
    text = (comment or "").strip()
    cleaned = _validate(
        {"overall": overall, "speed": speed, "attitude": attitude, "professionalism": professionalism, "result": result}, text
    )
    found = survey_get_by_signed_token(signed_token=signed_token)
    # The ticket first, then its survey (the lock order of ``tickets.locking``): resolving locks
    # the ticket and then expires its pending survey, so the opposite order could deadlock.
    ticket = lock_ticket(found.ticket_id)
    survey = Survey.objects.select_for_update().get(pk=found.pk)
    if survey.status != SurveyStatus.PENDING:
        raise Conflict(_("This survey has already been answered or has expired."), code="survey_closed")
    if actor is not None:
        ticket_check_action(user=actor, ticket=ticket, action="rate")
    for name, value in cleaned.items():
        setattr(survey, name, value)
    survey.comment = text
    survey.solved = solved
    survey.status = SurveyStatus.SUBMITTED
    survey.submitted_at = clock.now()
    survey.submitted_by = actor
    survey.save(update_fields=[*RATING_FIELDS, "comment", "solved", "status", "submitted_at", "submitted_by"])
    audit_record(
        action=FeedbackAudit.SURVEY_SUBMITTED,
        obj=survey,
        actor=actor,
        actor_label="" if actor else ACTOR_SURVEY,
        changes={**cleaned, "solved": solved},
    )
    satisfied = solved and overall > DISSATISFIED_AT_OR_BELOW
    # The system's words with the customer's comment, read in the reader's language.
    note = (
        deferred(_("Satisfaction survey: overall %(overall)d/5. %(comment)s"), overall=overall, comment=text)
        if text
        else deferred(_("Satisfaction survey: overall %(overall)d/5."), overall=overall)
    )
    apply_customer_verdict(ticket=ticket, actor=actor, solved=satisfied, note=note)
    return survey
