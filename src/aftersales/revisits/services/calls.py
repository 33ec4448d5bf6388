"""Recording a revisit call, and cancelling a revisit: one function per business action.

Each locks the revisit row, checks the version the caller read, the caller's role and scope, the
customer's consent and the status (``states.REVISIT_STATES``), and writes the change, the call,
its audit rows and (for a new problem) the new ticket in one transaction. Input is checked field
by field: a refusal names the field, nothing is half-written.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.feedback.models import RATING_FIELDS
from aftersales.notifications.services import notify_staff
from aftersales.tickets.choices import Channel, EventKind, RequestType
from aftersales.tickets.models import Ticket
from aftersales.tickets.process.common import timeline
from aftersales.tickets.services import IntakeInput, ticket_intake

from ..audit_actions import RevisitAudit
from ..models import OPEN_STATUSES, CallOutcome, Revisit, RevisitCall, RevisitStatus, StaffComplaint
from ..permissions import oversees, records_calls
from ..selectors import revisits_visible_to
from ..states import ARRIVAL_AUDIT, REVISIT_STATES

MAX_COMMENT = 2000
MAX_PROBLEM = 4000
MAX_COMPLAINT = 2000
S = RevisitStatus


def max_attempts() -> int:
    """Unreached calls after which a revisit is escalated (REVISIT_MAX_ATTEMPTS, default 3)."""
    return int(getattr(settings, "REVISIT_MAX_ATTEMPTS", 3))


@dataclass
class CallInput:
    """What an agent records about one call: the same for the page's form and the API's body."""

    outcome: str = ""
    overall: int | None = None
    speed: int | None = None
    attitude: int | None = None
    professionalism: int | None = None
    result: int | None = None
    nps: int | None = None
    comment: str = ""
    new_problem: str = ""
    new_problem_type: str = RequestType.REPAIR
    complaint: str = ""
    complaint_staff_id: int | None = None


def _clean(data: CallInput) -> tuple[dict[str, Any], User | None]:
    """The call's columns and the member of staff complained about, or every field's refusal."""
    errors: dict[str, list[Any]] = {}
    if data.outcome not in CallOutcome.values:
        errors["outcome"] = [_("Choose how the call went: reached, not reached or wrong number.")]
    ratings = {name: getattr(data, name) for name in RATING_FIELDS}
    for name, value in ratings.items():
        if value is not None and not 1 <= int(value) <= 5:
            errors[name] = [_("A satisfaction rating is 1 to 5.")]
    if data.nps is not None and not 0 <= int(data.nps) <= 10:
        errors["nps"] = [_("The likelihood to recommend is 0 to 10.")]
    comment = (data.comment or "").strip()
    problem = (data.new_problem or "").strip()
    complaint = (data.complaint or "").strip()
    for name, text, limit in (
        ("comment", comment, MAX_COMMENT),
        ("new_problem", problem, MAX_PROBLEM),
        ("complaint", complaint, MAX_COMPLAINT),
    ):
        if len(text) > limit:
            errors[name] = [_("The text is longer than %(limit)d characters.") % {"limit": limit}]
    if problem and data.new_problem_type not in RequestType.values:
        errors["new_problem_type"] = [_("Choose the kind of request.")]
    staff = None
    if data.complaint_staff_id is not None:
        staff = User.objects.filter(pk=data.complaint_staff_id, is_active=True).exclude(role=Role.CUSTOMER).first()
        if staff is None:
            errors["complaint_staff"] = [_("Choose the member of staff the customer complains about.")]
    if complaint and data.complaint_staff_id is None:
        errors["complaint_staff"] = [_("Choose the member of staff the customer complains about.")]
    elif data.complaint_staff_id is not None and not complaint and "complaint_staff" not in errors:
        errors["complaint"] = [_("Write down what the customer complains about.")]
    if data.outcome in CallOutcome.values and data.outcome != CallOutcome.REACHED:
        answered = [n for n, v in ratings.items() if v is not None]
        answered += [n for n, v in (("nps", data.nps), ("new_problem", problem), ("complaint", complaint)) if v not in (None, "")]
        for name in answered:
            errors.setdefault(name, [_("Only a call that reached the customer records the customer's answers.")])
    if errors:
        raise ValidationFailed(errors, code="revisit_call_invalid")
    columns = {"outcome": data.outcome, **ratings, "nps": data.nps, "comment": comment, "new_problem": problem}
    return columns, staff


def _lock(revisit: Revisit, *, expected_version: int | None) -> Revisit:
    locked = Revisit.objects.select_for_update().select_related("customer").get(pk=revisit.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This revisit was changed since you read it (now version %(version)d); reload it and try again.")
            % {"version": locked.version},
            code="stale_version",
            field="version",
        )
    return locked


def _require_in_scope(revisit: Revisit, actor: User, *, allowed: bool) -> None:
    if not allowed or not revisits_visible_to(actor).filter(pk=revisit.pk).exists():
        raise PermissionDenied(_("You may not work on this revisit."), code="revisit_forbidden")


def _move(
    revisit: Revisit,
    *,
    to: str,
    actor: User | None,
    fields: dict[str, Any],
    changes: dict[str, Any],
    audit: RevisitAudit | None = None,
) -> None:
    """The one door of a revisit's status: the table allows the move, the row and audit follow."""
    before = revisit.status
    if to != before:
        REVISIT_STATES.check(before, to)
    updates: dict[str, Any] = {"status": to, "version": revisit.version + 1, "updated_at": clock.now(), **fields}
    for name, value in updates.items():
        setattr(revisit, name, value)
    revisit.save(update_fields=list(updates))
    audit = audit or (ARRIVAL_AUDIT[to] if to != before else RevisitAudit.CALL_RECORDED)
    audit_record(
        action=audit, obj=revisit, actor=actor, actor_label="" if actor else "system", changes={"status": [before, to], **changes}
    )


def escalation_recipients(revisit: Revisit) -> list[User]:
    """Who takes over an escalated revisit: the team's leader, the supervisors of its region, and
    failing those the supervisors who see every region."""
    people: list[User] = []
    if revisit.team_id and revisit.team is not None and revisit.team.leader_id:
        leader = revisit.team.leader
        if leader is not None:
            people.append(leader)
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True)
    if revisit.region_id:
        people += list(supervisors.filter(Q(region_id=revisit.region_id) | Q(team__region_id=revisit.region_id)))
    if not people:
        people += list(supervisors.filter(data_scope=DataScope.ALL))
    return people


def _escalate_notice(revisit: Revisit, *, event: str) -> None:
    """The editable "revisit_escalated" message (not reached) or "revisit_escalated.wrong_number"."""
    notify_staff(
        users=escalation_recipients(revisit),
        template="revisit_escalated",
        event=event,
        params={"code": revisit.code, "customer": revisit.customer.name, "count": revisit.attempts},
        link=reverse("revisits:detail", args=[revisit.pk]),
        link_text=_("Open the revisit:"),
    )


def _raise_ticket(*, revisit: Revisit, actor: User, text: str, request_type: str) -> Ticket:
    customer = revisit.customer
    if not customer.phone and not customer.email:
        raise ValidationFailed(
            {"new_problem": [_("The customer has neither a phone number nor an email; register the ticket by hand.")]},
            code="revisit_no_contact",
        )
    source = revisit.ticket
    data = IntakeInput(
        channel=Channel.HOTLINE,
        customer_name=customer.name,
        description=text,
        request_type=request_type,
        phone=customer.phone,
        email="" if customer.phone else customer.email,
        serial_number=(source.product_unit.serial_number if source is not None and source.product_unit is not None else ""),
        extra={"revisit": revisit.pk},
    )
    ticket = ticket_intake(data=data, actor=actor, idempotency_key=f"revisit-{revisit.pk}-call-{revisit.version}").ticket
    timeline(
        ticket=ticket,
        actor=actor,
        kind=EventKind.CALL,
        text=deferred(_("Registered on revisit call %(code)s."), code=revisit.code),
        data={"revisit": revisit.pk},
    )
    return ticket


@transaction.atomic
def revisit_record_call(*, revisit: Revisit, actor: User, data: CallInput, expected_version: int | None = None) -> RevisitCall:
    """Record one call of ``revisit`` by ``actor``.

    Reached: the revisit is done, with the customer's ratings and NPS; a new problem is registered
    as a new ticket through intake (linked to the revisit and the call); a complaint is recorded
    against the member of staff. Not reached: one more attempt; the ``max_attempts()``-th escalates
    to the supervisors (in-app notification). Wrong number: escalated at once. Refused, naming
    ``consent_contact``, when the customer does not consent to be contacted."""
    columns, staff = _clean(data)
    locked = _lock(revisit, expected_version=expected_version)
    _require_in_scope(locked, actor, allowed=records_calls(actor))
    customer = locked.customer
    if not customer.consent_contact or customer.erased_at is not None:
        raise DomainError(
            _("%(customer)s does not consent to service contact (consent_contact); no call may be recorded.")
            % {"customer": customer.name},
            code="revisit_no_consent",
            field="consent_contact",
        )
    if locked.status not in OPEN_STATUSES:
        raise DomainError(
            _("This revisit is %(status)s; no more calls are recorded on it.") % {"status": locked.get_status_display()},
            code="revisit_closed",
            field="status",
        )
    now = clock.now()
    call = RevisitCall.objects.create(revisit=locked, called_by=actor, called_at=now, **columns)
    outcome = columns["outcome"]
    changes: dict[str, Any] = {"outcome": outcome, "call": call.pk}
    if outcome == CallOutcome.REACHED:
        fields: dict[str, Any] = {"outcome": outcome, "completed_at": now}
        if columns["new_problem"]:
            ticket = _raise_ticket(revisit=locked, actor=actor, text=columns["new_problem"], request_type=data.new_problem_type)
            call.raised_ticket = ticket
            call.save(update_fields=["raised_ticket"])
            fields["raised_ticket"] = ticket
            changes["raised_ticket"] = ticket.number
            audit_record(action=RevisitAudit.TICKET_RAISED, obj=locked, actor=actor, changes={"ticket": ticket.number})
        if staff is not None:
            complaint = StaffComplaint.objects.create(
                staff=staff,
                customer=customer,
                revisit=locked,
                call=call,
                ticket=locked.ticket,
                text=(data.complaint or "").strip(),
                recorded_by=actor,
                created_at=now,
            )
            audit_record(action=RevisitAudit.STAFF_COMPLAINT, obj=complaint, actor=actor, changes={"staff": staff.username})
        _move(locked, to=S.DONE, actor=actor, fields=fields, changes=changes)
    elif outcome == CallOutcome.WRONG_NUMBER:
        _move(locked, to=S.ESCALATED, actor=actor, fields={"outcome": outcome, "escalated_at": now}, changes=changes)
        _escalate_notice(locked, event="revisit_escalated.wrong_number")
    else:
        attempts = locked.attempts + 1
        escalate = attempts >= max_attempts() and locked.status != S.ESCALATED
        to = S.ESCALATED if escalate or locked.status == S.ESCALATED else S.RETRY
        fields = {"attempts": attempts, "outcome": outcome}
        if escalate:
            fields["escalated_at"] = now
        audit = None if escalate else RevisitAudit.NOT_REACHED
        _move(locked, to=to, actor=actor, fields=fields, changes={**changes, "attempts": attempts}, audit=audit)
        if escalate:
            _escalate_notice(locked, event="revisit_escalated")
    return call


@transaction.atomic
def revisit_cancel(*, revisit: Revisit, actor: User, reason: str, expected_version: int | None = None) -> Revisit:
    """A supervisor (quality manager, administrator) cancels an open revisit, saying why."""
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed({"reason": [_("Say why the revisit is cancelled.")]}, code="revisit_cancel_invalid")
    if len(text) > MAX_COMMENT:
        raise ValidationFailed({"reason": [_("The text is longer than %(limit)d characters.") % {"limit": MAX_COMMENT}]})
    locked = _lock(revisit, expected_version=expected_version)
    _require_in_scope(locked, actor, allowed=oversees(actor))
    _move(locked, to=S.CANCELLED, actor=actor, fields={}, changes={"reason": text})
    return locked
