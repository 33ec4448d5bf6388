"""Satisfaction surveys: created when a ticket is resolved, sent then or later (the settings'
delay, ``sending``), answered through a signed link.

A survey asks the questions of the settings in force when it was created (``Survey.questions``,
kept with the survey: a later change of the settings does not change what it asked). A
dissatisfied answer (overall ≤ 2, or without the overall question the mean of the aspects
answered ≤ 2) or "not solved" reopens the ticket for secondary processing (the escalation level
rises); a satisfied one closes it.
"""

from __future__ import annotations

import secrets

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.core.i18n import ACTOR_SURVEY, Deferred, deferred
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import Ticket
from aftersales.tickets.permissions import ticket_check_action
from aftersales.tickets.process.execution import apply_customer_verdict

from .audit_actions import FeedbackAudit
from .effects import SURVEY_ANSWERED
from .links import SALT, survey_link, survey_signed_token, survey_token_of, survey_url
from .models import NPS, RATING_FIELDS, SOLVED, Survey, SurveyStatus
from .selectors import survey_settings_current
from .sending import defer_message, mark_invited, next_due, send_invitation
from .timing import expires_at, send_at

__all__ = [
    "SALT",
    "survey_get_by_signed_token",
    "survey_link",
    "survey_send_for_ticket",
    "survey_signed_token",
    "survey_submit",
    "survey_url",
]

DISSATISFIED_AT_OR_BELOW = 2
COMMENT_LIMIT = 5000


def survey_get_by_signed_token(*, signed_token: str) -> Survey:
    """The survey behind a signed link; ``NotFound`` for a forged or unknown one."""
    token = survey_token_of(signed_token)
    survey = Survey.objects.select_related("ticket", "settings_version").filter(token=token).first() if token else None
    if survey is None:
        raise NotFound(_("This survey link is not valid."), code="survey_not_found")
    return survey


def survey_is_expired(survey: Survey) -> bool:
    """Expired, or past its link's validity (the job that marks it may not have run yet)."""
    if survey.status == SurveyStatus.EXPIRED:
        return True
    return survey.status == SurveyStatus.PENDING and survey.expires_at is not None and survey.expires_at <= clock.now()


@transaction.atomic
def survey_send_for_ticket(*, ticket: Ticket) -> Survey:
    """Create the survey for this resolution with the settings in force, and send it now or
    plan it for later (``sending``).

    Runs in the resolving transaction: the survey row, its notification (outbox) or its
    deferred job commit with the resolution or not at all. An earlier unanswered survey of the
    same ticket expires, so only one is pending at a time.
    """
    Survey.objects.filter(ticket=ticket, status=SurveyStatus.PENDING).update(status=SurveyStatus.EXPIRED, next_due_at=None)
    config = survey_settings_current()
    now = clock.now()
    when = send_at(config, resolved_at=now)
    survey = Survey(
        ticket=ticket,
        token=secrets.token_urlsafe(32),
        round=ticket.escalation_level,
        settings_version=config.row,
        questions=list(config.questions),
        sent_at=when,
        expires_at=expires_at(config, sent_at=when),
    )
    at_once = when <= now
    if at_once:
        mark_invited(survey, now=now, reminder_days=config.reminder_days)
    survey.next_due_at = next_due(survey)
    survey.save(force_insert=True)
    if at_once:
        send_invitation(survey=survey, ticket=ticket)
    else:
        audit_record(
            action=FeedbackAudit.SURVEY_SCHEDULED, obj=survey, changes={"ticket": ticket.number, "send_at": when.isoformat()}
        )
    defer_message(survey)
    return survey


def _not_asked() -> list[object]:
    return [_("This survey does not ask this question.")]


def _validate(survey: Survey, answers: dict[str, object], comment: str) -> dict[str, object]:
    """The answers to the survey's own questions, checked: each named field's error in ``errors``."""
    asked = survey.asked
    errors: dict[str, list[object]] = {}
    cleaned: dict[str, object] = {}
    for name in RATING_FIELDS:
        value = answers.get(name)
        if name not in asked:
            if value is not None:
                errors[name] = _not_asked()
            continue
        if value is None and name != "overall":
            cleaned[name] = None
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = [_("Choose a rating from 1 to 5.")]
        else:
            cleaned[name] = value
    solved = answers.get(SOLVED)
    if SOLVED not in asked:
        if solved is not None:
            errors[SOLVED] = _not_asked()
    elif not isinstance(solved, bool):
        errors[SOLVED] = [_("Say whether the problem is solved.")]
    else:
        cleaned[SOLVED] = solved
    nps = answers.get(NPS)
    if NPS not in asked:
        if nps is not None:
            errors[NPS] = _not_asked()
    elif nps is not None and (isinstance(nps, bool) or not isinstance(nps, int) or not 0 <= nps <= 10):
        errors[NPS] = [_("Choose a score from 0 to 10.")]
    else:
        cleaned[NPS] = nps
    if len(comment) > COMMENT_LIMIT:
        errors["comment"] = [_("At most %(limit)d characters.") % {"limit": COMMENT_LIMIT}]
    if errors:
        raise ValidationFailed(errors, code="survey_invalid")
    return cleaned


def _satisfied(survey: Survey, cleaned: dict[str, object]) -> bool:
    """Not solved, or a rating of 2 or less (overall, else the mean of the aspects answered), is
    dissatisfied."""
    if cleaned.get(SOLVED) is False:
        return False
    overall = cleaned.get("overall")
    if isinstance(overall, int):
        return overall > DISSATISFIED_AT_OR_BELOW
    marks = [v for n, v in cleaned.items() if n in RATING_FIELDS and isinstance(v, int)]
    return not marks or sum(marks) / len(marks) > DISSATISFIED_AT_OR_BELOW


def _note(overall: object, text: str) -> Deferred:
    """The timeline's words: the system's sentence (read in the reader's language) with the comment."""
    if isinstance(overall, int):
        if text:
            return deferred(_("Satisfaction survey: overall %(overall)d/5. %(comment)s"), overall=overall, comment=text)
        return deferred(_("Satisfaction survey: overall %(overall)d/5."), overall=overall)
    if text:
        return deferred(_("Satisfaction survey answered. %(comment)s"), comment=text)
    return deferred(_("Satisfaction survey answered."))


@transaction.atomic
def survey_submit(
    *,
    signed_token: str,
    overall: int | None = None,
    solved: bool | None = None,
    speed: int | None = None,
    attitude: int | None = None,
    professionalism: int | None = None,
    result: int | None = None,
    nps: int | None = None,
    comment: str = "",
    actor: User | None = None,
) -> Survey:
    """Record the customer's answer to the survey's questions and act on it: a satisfied
    customer's ticket closes; a dissatisfied one (see ``_satisfied``) reopens it for secondary
    processing. Overall (1–5) and "solved?" are required when asked; the other aspects (1–5)
    and the recommendation (0–10) are optional; an answer to a question the survey does not ask
    is refused, naming the field.

    The signed link is the customer's key (no sign-in needed). An agent recording an answer
    given on the phone passes ``actor`` and needs the "rate" permission on the ticket.
    Answering twice, or after the link expired, raises ``Conflict``.
    """
    text = (comment or "").strip()
    found = survey_get_by_signed_token(signed_token=signed_token)
    answers: dict[str, object] = {
        "overall": overall,
        "speed": speed,
        "attitude": attitude,
        "professionalism": professionalism,
        "result": result,
        SOLVED: solved,
        NPS: nps,
    }
    cleaned = _validate(found, answers, text)
    # The ticket first, then its survey (the lock order of ``tickets.locking``): resolving locks
    # the ticket and then expires its pending survey, so the opposite order could deadlock.
    ticket = lock_ticket(found.ticket_id)
    survey = Survey.objects.select_for_update().get(pk=found.pk)
    if survey.status != SurveyStatus.PENDING:
        raise Conflict(_("This survey has already been answered or has expired."), code="survey_closed")
    if survey_is_expired(survey):
        raise Conflict(_("This survey link has expired."), code="survey_expired")
    if actor is not None:
        ticket_check_action(user=actor, ticket=ticket, action="rate")
    for name, value in cleaned.items():
        setattr(survey, name, value)
    survey.comment = text
    survey.status = SurveyStatus.SUBMITTED
    survey.submitted_at = clock.now()
    survey.submitted_by = actor
    survey.next_due_at = None
    survey.save(update_fields=[*RATING_FIELDS, SOLVED, NPS, "comment", "status", "submitted_at", "submitted_by", "next_due_at"])
    audit_record(
        action=FeedbackAudit.SURVEY_SUBMITTED,
        obj=survey,
        actor=actor,
        actor_label="" if actor else ACTOR_SURVEY,
        changes=cleaned,
    )
    note = _note(cleaned.get("overall"), text)
    survey.ticket = apply_customer_verdict(ticket=ticket, actor=actor, solved=_satisfied(survey, cleaned), note=note)
    SURVEY_ANSWERED.send(
        ticket=survey.ticket,
        survey_id=survey.pk,
        round=survey.round,
        answers=cleaned,
        has_comment=bool(text),
        answered_at=survey.submitted_at,
        by_staff=actor is not None,
    )
    return survey
