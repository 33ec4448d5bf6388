"""Execution, resolution, the customer's verdict, closing and reopening (SPEC §2.8–2.10)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import Deferred, deferred

from ..audit_actions import TicketAudit
from ..choices import EventKind
from ..locking import check_version, lock_ticket
from ..models import MeasureStatus, PlanMeasure, PlanStatus, Ticket, TicketEvent, TicketPlan
from ..permissions import ticket_check_action
from ..plan_states import measure_check_move
from ..states import TicketStatus
from .acceptance import AcceptanceVia, close_or_await, withdraw_acceptance
from .common import lock_for_action, move, optional_text, required_text, save_fields

S = TicketStatus


def auto_close_days() -> int:
    return int(getattr(settings, "TICKET_AUTO_CLOSE_DAYS", 7))


@transaction.atomic
def ticket_update_measure(
    *,
    measure: PlanMeasure,
    actor: User | None,
    status: str,
    progress_note: str = "",
    expected_version: int | None = None,
    progress_text: Deferred | None = None,
) -> PlanMeasure:
    """Record progress on one measure of the agreed plan. The measure's owner (a technician,
    warehouse or finance colleague) may report on it; otherwise the handler rules apply.
    ``actor=None`` is the system: the field-service app completes a measure when all of its work
    orders are accepted by the customer. The customer sees the progress on their timeline."""
    if status not in MeasureStatus.values:
        raise ValidationFailed({"status": [_("Choose a valid status.")]}, code="measure_status_invalid")
    note = optional_text(progress_note, field="progress_note")
    measure = PlanMeasure.objects.select_related("plan").get(pk=measure.pk)
    ticket = lock_ticket(measure.plan.ticket_id)
    check_version(ticket, expected_version)
    if actor is not None and (actor.pk != measure.owner_id or not actor.is_active):
        ticket_check_action(user=actor, ticket=ticket, action="update_measure")
    if ticket.status not in {S.IN_PROGRESS, S.ON_HOLD}:
        raise DomainError(_("Measures can be updated only while the ticket is in progress."), code="action_not_available")
    if not measure.plan.is_current:
        raise DomainError(_("This measure belongs to an earlier plan."), code="measure_not_current")
    before = measure.status
    measure_check_move(before, status)
    measure.status = status
    measure.progress_note = note or measure.progress_note
    measure.done_at = clock.now() if status == MeasureStatus.DONE else None
    measure.save(update_fields=["status", "progress_note", "done_at"])
    audit_record(action=TicketAudit.MEASURE_UPDATED, obj=measure, actor=actor, changes={"status": [before, status]})
    save_fields(
        ticket=ticket,
        actor=actor,
        action="measure_updated",
        changes={},
        body=note,
        # The system's words (``progress_text``, e.g. the field-service app's "work orders
        # accepted") are read in the reader's language; the measure keeps only what people wrote.
        text=None if note else (progress_text or deferred("%(status)s", status=MeasureStatus(status).label)),
        public=True,
        data={"measure": measure.pk, "kind": measure.kind, "status": status},
    )
    return measure


@transaction.atomic
def ticket_hold(*, ticket: Ticket, actor: User, reason: str, expected_version: int | None = None) -> Ticket:
    """Pause execution (waiting for parts or for the customer; the SLA clock pauses)."""
    text = required_text(reason, field="reason", message=_("Say what the ticket waits for."))
    locked = lock_for_action(ticket=ticket, actor=actor, action="hold", expected_version=expected_version)
    return move(ticket=locked, to=S.ON_HOLD, actor=actor, reason=text)


@transaction.atomic
def ticket_resume(*, ticket: Ticket, actor: User, note: str = "", expected_version: int | None = None) -> Ticket:
    locked = lock_for_action(ticket=ticket, actor=actor, action="resume", expected_version=expected_version)
    return move(ticket=locked, to=S.IN_PROGRESS, actor=actor, reason=optional_text(note, field="note"))


@transaction.atomic
def ticket_resolve(*, ticket: Ticket, actor: User, summary: str, expected_version: int | None = None) -> Ticket:
    """Mark the ticket resolved once every measure of the current plan is done or cancelled
    (→ RESOLVED). The status change sends the satisfaction survey to the customer
    (``tickets.effects.TICKET_STATUS_CHANGED`` → feedback), in this transaction."""
    text = required_text(summary, field="summary", message=_("Summarise what was done."))
    locked = lock_for_action(ticket=ticket, actor=actor, action="resolve", expected_version=expected_version)
    measures = list(PlanMeasure.objects.filter(plan__ticket=locked, plan__is_current=True))
    open_measures = [m for m in measures if m.status not in {MeasureStatus.DONE, MeasureStatus.CANCELLED}]
    if not measures or open_measures or not any(m.status == MeasureStatus.DONE for m in measures):
        raise DomainError(_("Finish every measure of the plan first."), code="measures_open", field="measures")
    return move(ticket=locked, to=S.RESOLVED, actor=actor, reason=text)


def apply_customer_verdict(*, ticket: Ticket, actor: User | None, solved: bool, note: str | Deferred) -> Ticket:
    """The customer's answer to the result: solved closes the ticket (or sends it to the quality
    manager's acceptance, ``acceptance.close_or_await``), not solved reopens it for
    secondary processing (ticket_transition raises the escalation level). Runs inside the
    caller's transaction; ``actor=None`` is the customer through the survey link. ``note``: what
    the customer or the agent wrote, or the system's words (``core.i18n.deferred``: the survey's
    summary with the customer's comment)."""
    locked = lock_ticket(ticket.pk)
    Ticket.objects.filter(pk=locked.pk).update(last_customer_contact_at=clock.now())
    locked.refresh_from_db()
    if solved:
        if locked.status != S.RESOLVED:
            return locked  # already closed (by an agent or the auto-close job): nothing to do
        # Closed, or sent to the quality manager's acceptance when the rule names the ticket.
        via = AcceptanceVia.CUSTOMER if actor is not None else AcceptanceVia.SURVEY
        if isinstance(note, dict):
            return close_or_await(ticket=locked, actor=actor, via=via, text=note)
        return close_or_await(
            ticket=locked, actor=actor, via=via, reason=note, text=deferred(_("The customer confirmed the result."))
        )
    # Not solved after all: reopened, from the acceptance's wait too.
    if locked.status not in {S.RESOLVED, S.AWAITING_ACCEPTANCE, S.CLOSED}:
        return locked
    if locked.status == S.AWAITING_ACCEPTANCE:
        withdraw_acceptance(ticket=locked)
    text = (
        deferred(_("Secondary processing: the customer is not satisfied: %(note)s"), note=note)
        if note
        else deferred(_("Secondary processing: the customer is not satisfied."))
    )
    return move(ticket=locked, to=S.REOPENED, actor=actor, text=text)


@transaction.atomic
def ticket_confirm_result(
    *, ticket: Ticket, actor: User, solved: bool, note: str = "", expected_version: int | None = None
) -> Ticket:
    """The customer (in the portal, or an agent on the phone) confirms the result or says it is
    not solved (→ CLOSED or → REOPENED with the escalation level raised)."""
    text = optional_text(note, field="note")
    if not solved and not text:
        raise ValidationFailed({"note": [_("Say what is still wrong.")]}, code="note_required")
    locked = lock_for_action(ticket=ticket, actor=actor, action="confirm_result", expected_version=expected_version)
    return apply_customer_verdict(ticket=locked, actor=actor, solved=solved, note=text)


@transaction.atomic
def ticket_close(*, ticket: Ticket, actor: User | None, note: str = "", expected_version: int | None = None) -> Ticket:
    """Close and archive a resolved ticket (→ CLOSED); from then on it is read-only. A ticket the
    acceptance rule names waits for the quality manager instead (→ AWAITING_ACCEPTANCE)."""
    locked = lock_for_action(ticket=ticket, actor=actor, action="close", expected_version=expected_version)
    if locked.status != S.RESOLVED:
        raise DomainError(_("Only a resolved ticket can be closed."), code="action_not_available", field="status")
    via = AcceptanceVia.STAFF if actor is not None else AcceptanceVia.AUTO
    return close_or_await(ticket=locked, actor=actor, via=via, reason=optional_text(note, field="note"))


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor: User, reason: str, expected_version: int | None = None) -> Ticket:
    """Reopen a resolved or closed ticket for secondary processing (→ REOPENED, escalation +1)."""
    text = required_text(reason, field="reason", message=_("Say why the ticket is reopened."))
    locked = lock_ticket(ticket.pk)
    check_version(locked, expected_version)
    # Reopening is the one move a closed ticket still accepts (the transition table allows it).
    ticket_check_action(user=actor, ticket=locked, action="reopen")
    return move(ticket=locked, to=S.REOPENED, actor=actor, reason=text)


@transaction.atomic
def ticket_restart_analysis(*, ticket: Ticket, actor: User, note: str = "", expected_version: int | None = None) -> Ticket:
    """Secondary processing from the analysis: the cause is examined again and a new plan
    follows (REOPENED → ANALYSING)."""
    text = optional_text(note, field="note")
    locked = lock_for_action(ticket=ticket, actor=actor, action="restart_analysis", expected_version=expected_version)
    return move(
        ticket=locked, to=S.ANALYSING, actor=actor, reason=text, text=deferred(_("Secondary processing: analysing again."))
    )


@transaction.atomic
def ticket_resume_plan(
    *,
    ticket: Ticket,
    actor: User,
    measures: list[PlanMeasure],
    note: str,
    expected_version: int | None = None,
) -> Ticket:
    """Secondary processing under the plan the customer already agreed to: the chosen measures
    are carried out again (they go back to *in progress*) and the ticket returns to execution
    (REOPENED → IN_PROGRESS). A different remedy needs a new plan instead."""
    text = required_text(note, field="note", message=_("Say what will be done again."))
    if not measures:
        raise ValidationFailed({"measures": [_("Choose at least one measure to carry out again.")]}, code="measures_required")
    locked = lock_for_action(ticket=ticket, actor=actor, action="resume_plan", expected_version=expected_version)
    plan = TicketPlan.objects.filter(ticket=locked, is_current=True).first()
    if plan is None or plan.status != PlanStatus.AGREED:
        raise DomainError(
            _("There is no plan agreed by the customer to carry on with; propose a new plan."),
            code="no_agreed_plan",
            field="measures",
        )
    chosen = list(PlanMeasure.objects.filter(plan=plan, pk__in=[m.pk for m in measures]).order_by("position", "pk"))
    if len(chosen) != len({m.pk for m in measures}):
        raise ValidationFailed({"measures": [_("Choose measures of the current plan.")]}, code="measure_not_current")
    for measure in chosen:
        measure_check_move(measure.status, MeasureStatus.IN_PROGRESS)
    PlanMeasure.objects.filter(pk__in=[m.pk for m in chosen]).update(status=MeasureStatus.IN_PROGRESS, done_at=None)
    audit_record(
        action=TicketAudit.MEASURES_REOPENED,
        obj=plan,
        actor=actor,
        changes={"measures": [m.pk for m in chosen], "status": [[m.status for m in chosen], MeasureStatus.IN_PROGRESS]},
    )
    return move(ticket=locked, to=S.IN_PROGRESS, actor=actor, reason=text)


def tickets_auto_close(*, now: dt.datetime | None = None) -> int:
    """Close resolved tickets whose customer has not answered for TICKET_AUTO_CLOSE_DAYS days
    (those the acceptance rule names go to the quality manager's acceptance instead).

    Idempotent: a ticket closed by an earlier run, or changed meanwhile, is skipped. Returns
    how many tickets this run closed or sent for acceptance.
    """
    current = now or clock.now()
    cutoff = current - dt.timedelta(days=auto_close_days())
    answered = TicketEvent.objects.filter(ticket=OuterRef("pk"), kind=EventKind.MESSAGE_IN, created_at__gt=cutoff)
    candidates = list(
        Ticket.objects.filter(status=S.RESOLVED, resolved_at__lte=cutoff)
        .exclude(last_customer_contact_at__gt=cutoff)
        .exclude(Exists(answered))
        .values_list("pk", "version")[:1000]
    )
    closed = 0
    for pk, version in candidates:
        try:
            with transaction.atomic():
                locked = lock_ticket(pk)
                if locked.status != S.RESOLVED or locked.version != version:
                    continue
                close_or_await(
                    ticket=locked,
                    actor=None,
                    via=AcceptanceVia.AUTO,
                    text=deferred(
                        _("Closed automatically: no answer from the customer for %(days)d days."), days=auto_close_days()
                    ),
                )
                closed += 1
        except DomainError:
            continue
    return closed
