"""Triage's writes: run the triage of a ticket, the system's urgent decision, and a person's
acceptance or correction of a suggested field.

``triage_run`` never raises: an error of the engine or the duplicate search is logged and kept
on the result (status failed), and the ticket is never touched by a failure. Every change of
the ticket itself goes through the tickets' classification service (``ticket_classify``), so
the timeline, the audit log, the counts and the SLA clocks follow as for a change by hand."""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import ACTOR_SYSTEM
from aftersales.tickets.choices import Priority, RequestType
from aftersales.tickets.models import Ticket, TicketCategory
from aftersales.tickets.process.verification import ticket_classify

from . import engine
from .audit_actions import TriageAudit
from .duplicates import find_duplicates
from .models import TriageFeedback, TriageField, TriageResult, TriageStatus
from .permissions import may_reverse_urgent

logger = logging.getLogger(__name__)

URGENCY_PRIORITY = {"urgent": Priority.URGENT, "important": Priority.IMPORTANT, "normal": Priority.NORMAL}
PRIORITY_URGENCY = {int(v): k for k, v in URGENCY_PRIORITY.items()}
SAFETY_VALUES = ("1", "0")
MAX_ERROR = 2000

# Set while triage itself classifies a ticket: ``receivers.ticket_classified`` leaves those alone.
_own_change: contextvars.ContextVar[bool] = contextvars.ContextVar("triage_own_change", default=False)


def triage_enabled() -> bool:
    return bool(getattr(settings, "TRIAGE_ENABLED", True))


def urgent_confidence() -> float:
    return float(getattr(settings, "TRIAGE_URGENT_CONFIDENCE", 0.7))


def in_own_change() -> bool:
    return _own_change.get()


@contextmanager
def _classifying() -> Iterator[None]:
    token = _own_change.set(True)
    try:
        yield
    finally:
        _own_change.reset(token)


def _product_category(ticket: Ticket) -> str | None:
    model = ticket.product_model
    category = getattr(model, "category", None) if model is not None else None
    return getattr(category, "name", None) or None


def triage_run(*, ticket_id: int, force: bool = False) -> TriageResult | None:
    """Suggest and look for duplicates for ticket ``ticket_id``; store the result.

    Idempotent: a ticket that already has a finished result (done or failed) is left as it is
    unless ``force``. Never raises for an error of the engine or the duplicate search: the
    result is stored as failed with the error, and the ticket stays unsuggested."""
    ticket = Ticket.objects.select_related("customer", "category", "product_model__category").filter(pk=ticket_id).first()
    if ticket is None:
        return None
    now = clock.now()
    result, created = TriageResult.objects.get_or_create(ticket=ticket, defaults={"created_at": now})
    if not created and result.status != TriageStatus.PENDING and not force:
        return result
    attempts = result.attempts + 1
    try:
        started = time.perf_counter()
        suggestion = engine.suggest(f"{ticket.title}\n{ticket.description}", product_category=_product_category(ticket))
        engine_ms = int((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        duplicates = find_duplicates(ticket, now=now)
        duplicates_ms = int((time.perf_counter() - started) * 1000)
    except Exception as exc:
        logger.exception("triage: ticket %s could not be triaged (the ticket stays unsuggested)", ticket.number)
        TriageResult.objects.filter(pk=result.pk).update(
            status=TriageStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:MAX_ERROR],
            attempts=attempts,
            finished_at=clock.now(),
        )
        result.refresh_from_db()
        return result
    fields: dict[str, Any] = {
        "status": TriageStatus.DONE,
        "category": suggestion.category.value,
        "category_confidence": float(suggestion.category.confidence),
        "request_type": suggestion.request_type.value,
        "request_type_confidence": float(suggestion.request_type.confidence),
        "urgency": suggestion.urgency.value,
        "urgency_confidence": float(suggestion.urgency.confidence),
        "safety": suggestion.safety.value,
        "safety_confidence": float(suggestion.safety.confidence),
        "reasons": [str(r) for r in suggestion.reasons],
        "model_version": str(suggestion.model_version)[:64],
        "duplicates": [d.as_json() for d in duplicates],
        "error": "",
        "attempts": attempts,
        "engine_ms": engine_ms,
        "duplicates_ms": duplicates_ms,
        "finished_at": clock.now(),
    }
    TriageResult.objects.filter(pk=result.pk).update(**fields)
    result.refresh_from_db()
    if result.safety == "1" and (result.safety_confidence or 0.0) >= urgent_confidence() and not urgency_decided(ticket):
        try:
            triage_mark_urgent(result=result)
        except Exception:
            logger.exception("triage: the urgent decision on %s failed (the suggestion is kept)", ticket.number)
        result.refresh_from_db()
    return result


def urgency_decided(ticket: Ticket) -> bool:
    """Whether a person decided the ticket's urgency or safety flag: accepted or corrected it on
    the panel, or lowered the system's urgent decision by hand (``TriageFeedback``). A later run
    (after a correction of the details, ``receivers.ticket_details_corrected``) then suggests
    again but does not decide again. No such row exists before the first run: the triage after
    intake is unchanged."""
    return TriageFeedback.objects.filter(ticket=ticket, field__in=(TriageField.URGENCY, TriageField.SAFETY)).exists()


@transaction.atomic
def triage_mark_urgent(*, result: TriageResult) -> bool:
    """The system's decision: a safety hazard suggested with high confidence makes the ticket
    urgent at once (through ``ticket_classify``, actor the system; audited). Nothing happens to a
    ticket that is already urgent and flagged, or that is closed. Returns whether it changed."""
    ticket = Ticket.objects.select_for_update().get(pk=result.ticket_id)
    if ticket.priority == Priority.URGENT and ticket.safety_hazard:
        return False
    was = ticket.priority
    with _classifying():
        # ``actor=None`` is the system: ``lock_for_action`` then checks only that the ticket is
        # not archived, and the timeline and the audit row name the system.
        ticket_classify(
            ticket=ticket,
            actor=None,  # the system (see tickets.process.common.lock_for_action)
            category=ticket.category,
            nature=ticket.nature,
            severity=ticket.severity,
            request_type=ticket.request_type,
            priority=Priority.URGENT,
            safety_hazard=True,
        )
    TriageResult.objects.filter(pk=result.pk).update(escalated=True, escalated_from=was)
    audit_record(
        action=TriageAudit.TICKET_MARKED_URGENT,
        obj=ticket,
        actor_label=ACTOR_SYSTEM,
        changes={
            "priority": [was, int(Priority.URGENT)],
            "safety_hazard": [ticket.safety_hazard, True],
            "confidence": result.safety_confidence,
            "model_version": result.model_version,
        },
    )
    return True


def _valid_values(field: str) -> set[str]:
    if field == TriageField.CATEGORY:
        return set(TicketCategory.objects.filter(active=True).values_list("code", flat=True))
    if field == TriageField.REQUEST_TYPE:
        return set(RequestType.values)
    if field == TriageField.URGENCY:
        return set(URGENCY_PRIORITY)
    return set(SAFETY_VALUES)


def current_value(ticket: Ticket, field: str) -> str:
    """The ticket's own value of a triage field, in the triage's terms."""
    if field == TriageField.CATEGORY:
        return ticket.category.code if ticket.category_id and ticket.category else ""
    if field == TriageField.REQUEST_TYPE:
        return str(ticket.request_type or "")
    if field == TriageField.URGENCY:
        return PRIORITY_URGENCY.get(int(ticket.priority), "")
    return "1" if ticket.safety_hazard else "0"


@transaction.atomic
def triage_feedback(
    *, ticket: Ticket, actor: User, field: str, value: str = "", expected_version: int | None = None
) -> TriageFeedback:
    """Accept (``value`` empty or the suggested value) or correct (another value) one suggested
    field: the ticket's classification is changed through ``ticket_classify`` and the choice is
    stored as feedback (the retraining's confirmed example).

    Lowering the urgency of an urgent safety hazard, or clearing its safety flag, reverses the
    system's decision: a supervisor's (``PermissionDenied`` ``reversal_needs_supervisor``)."""
    if field not in TriageField.values:
        raise ValidationFailed({"field": [_("Choose a field of the triage.")]}, code="triage_field_invalid")
    result = TriageResult.objects.filter(ticket=ticket).first()
    if result is None or result.status != TriageStatus.DONE:
        raise DomainError(_("The triage of this ticket is not ready."), code="triage_not_ready", field="field")
    suggested = result.suggested(field)
    chosen = (value or "").strip() or suggested
    if chosen not in _valid_values(field):
        raise ValidationFailed({"value": [_("Choose a valid value.")]}, code="triage_value_invalid")
    ticket = Ticket.objects.select_related("category").get(pk=ticket.pk)
    changes = _classification_with(ticket, field=field, chosen=chosen, result=result)
    reversal = ticket.priority == Priority.URGENT and ticket.safety_hazard and not changes["safety_hazard"]
    if reversal and not may_reverse_urgent(actor):
        raise PermissionDenied(
            _("Only a supervisor can lower the priority of a safety hazard."), code="reversal_needs_supervisor"
        )
    now = clock.now()
    if _differs(ticket, changes):
        with _classifying():
            ticket_classify(
                ticket=ticket,
                actor=actor,
                nature=ticket.nature,
                severity=ticket.severity,
                expected_version=expected_version,
                **changes,
            )
    feedback = TriageFeedback.objects.create(
        ticket=ticket,
        field=field,
        suggested=suggested,
        chosen=chosen,
        accepted=chosen == suggested,
        model_version=result.model_version,
        user=actor,
        at=now,
    )
    if reversal and field != TriageField.SAFETY:
        # Clearing the flag is part of lowering the urgency: recorded as its own correction.
        TriageFeedback.objects.create(
            ticket=ticket,
            field=TriageField.SAFETY,
            suggested=result.safety,
            chosen="0",
            accepted=result.safety == "0",
            model_version=result.model_version,
            user=actor,
            at=now,
        )
    audit_record(
        action=TriageAudit.SUGGESTION_ACCEPTED if feedback.accepted else TriageAudit.SUGGESTION_CORRECTED,
        obj=ticket,
        actor=actor,
        changes={"field": field, "suggested": suggested, "chosen": chosen},
    )
    if reversal:
        audit_record(
            action=TriageAudit.ESCALATION_REVERSED,
            obj=ticket,
            actor=actor,
            changes={"priority": [int(Priority.URGENT), int(changes["priority"])], "safety_hazard": [True, False]},
        )
    return feedback


def _classification_with(ticket: Ticket, *, field: str, chosen: str, result: TriageResult) -> dict[str, Any]:
    """The ticket's classification with one triage field set to ``chosen``."""
    changes: dict[str, Any] = {
        "category": ticket.category,
        "request_type": ticket.request_type,
        "priority": int(ticket.priority),
        "safety_hazard": ticket.safety_hazard,
    }
    if field == TriageField.CATEGORY:
        changes["category"] = TicketCategory.objects.get(code=chosen)
    elif field == TriageField.REQUEST_TYPE:
        changes["request_type"] = chosen
    elif field == TriageField.URGENCY:
        changes["priority"] = int(URGENCY_PRIORITY[chosen])
        if chosen != "urgent":
            changes["safety_hazard"] = False  # a safety hazard is always urgent (ticket_classify)
    else:
        changes["safety_hazard"] = chosen == "1"
        if chosen == "0" and ticket.safety_hazard and ticket.priority == Priority.URGENT:
            # Back to the priority before the system's decision (normal when unknown).
            before = result.escalated_from if result.escalated else None
            changes["priority"] = int(before) if before else int(Priority.NORMAL)
    return changes


def _differs(ticket: Ticket, changes: dict[str, Any]) -> bool:
    return (
        (changes["category"].pk if changes["category"] else None) != ticket.category_id
        or changes["request_type"] != ticket.request_type
        or int(changes["priority"]) != int(ticket.priority)
        or bool(changes["safety_hazard"]) != bool(ticket.safety_hazard)
    )


def triage_record_reclassification(*, ticket: Ticket, previous_priority: int, actor: User | None) -> TriageFeedback | None:
    """A classification by hand (the ticket's own "Classify" step) that lowered the priority of a
    ticket the system made urgent: the reversal is stored as feedback on the safety suggestion."""
    if in_own_change() or previous_priority != Priority.URGENT or ticket.priority == Priority.URGENT:
        return None
    result = TriageResult.objects.filter(ticket=ticket, escalated=True).first()
    if result is None:
        return None
    return TriageFeedback.objects.create(
        ticket=ticket,
        field=TriageField.SAFETY,
        suggested=result.safety,
        chosen="1" if ticket.safety_hazard else "0",
        accepted=(result.safety == "1") == bool(ticket.safety_hazard),
        model_version=result.model_version,
        user=actor,
        at=clock.now(),
    )


SWEEP_WINDOW_HOURS = 24
SWEEP_LIMIT = 500


def triage_missing(*, now: dt.datetime | None = None, limit: int = SWEEP_LIMIT) -> list[int]:
    """Tickets of the last ``SWEEP_WINDOW_HOURS`` without a triage result (a job lost between the
    commit and the queue on RQ, a worker that died): the periodic sweep triages them. Empty when
    the triage is off. Reads along ``created_at``'s index."""
    if not triage_enabled():
        return []
    now = now or clock.now()
    since = now - dt.timedelta(hours=SWEEP_WINDOW_HOURS)
    return list(
        Ticket.objects.filter(created_at__gte=since, created_at__lte=now - dt.timedelta(minutes=2))
        .exclude(pk__in=TriageResult.objects.filter(created_at__gte=since - dt.timedelta(hours=1)).values("ticket_id"))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
