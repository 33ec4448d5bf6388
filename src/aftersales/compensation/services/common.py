"""What every refund and compensation service shares: the settings, the checks of input and
roles, locking and the version check, the status move with its audit row and timeline entry, the
messages, the approval routing, the measure's completion, and the generic decide, confirm and
cancel steps (``refunds`` and ``compensations`` hold the business actions)."""

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.notifications.services import notify_staff
from aftersales.remedies.selectors import ticket_daily_rate as remedy_daily_rate
from aftersales.tickets.choices import EventKind
from aftersales.tickets.locking import lock_ticket
from aftersales.tickets.models import (
    ApprovalRequest,
    ApprovalStatus,
    MeasureKind,
    MeasureStatus,
    PlanMeasure,
    PlanStatus,
    Ticket,
)
from aftersales.tickets.process.common import timeline
from aftersales.tickets.process.execution import ticket_update_measure
from aftersales.tickets.process.notify import notify_customer, ticket_link
from aftersales.tickets.process.planning import measure_approval_rules
from aftersales.tickets.selectors.scope import tickets_visible_to
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES
from aftersales.tickets.states import TicketStatus

from ..audit_actions import CompensationAudit
from ..effects import fulfilment_status_changed
from ..models import (
    Compensation,
    CompensationKind,
    FulfilmentStatus,
    Refund,
)
from ..states import COMPENSATION_MOVES, REFUND_MOVES, VOID_STATUSES

FS = FulfilmentStatus
Item = Refund | Compensation
MAX_MONEY = Decimal("1e10")
REQUESTERS = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR})
# Who pays or issues, by what is given (SPEC §2.8: warehouse, marketing or finance fulfil it).
FULFILLERS: dict[str, frozenset[str]] = {
    "refund": frozenset({Role.FINANCE, Role.ADMINISTRATOR}),
    CompensationKind.CASH: frozenset({Role.FINANCE, Role.ADMINISTRATOR}),
    CompensationKind.COUPON: frozenset({Role.MARKETING, Role.ADMINISTRATOR}),
    CompensationKind.POINTS: frozenset({Role.MARKETING, Role.ADMINISTRATOR}),
    CompensationKind.FREE_SERVICE: frozenset({Role.MARKETING, Role.ADMINISTRATOR}),
    CompensationKind.GIFT: frozenset({Role.WAREHOUSE, Role.ADMINISTRATOR}),
}
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def default_daily_rate() -> Decimal:
    """The depreciation rate a day (a fraction: 0.001 is 0.1 %) when no 三包 policy applies to
    the ticket (``ticket_daily_rate``): ``settings.COMPENSATION_DEFAULT_DAILY_RATE``."""
    return Decimal(str(getattr(settings, "COMPENSATION_DEFAULT_DAILY_RATE", "0.001")))


def ticket_daily_rate(ticket: Ticket) -> Decimal:
    """The depreciation rate a day of a refund on ``ticket``: its product category's 三包 policy
    (``remedies.selectors.ticket_daily_rate``), else ``default_daily_rate``."""
    rate = remedy_daily_rate(ticket=ticket)
    return default_daily_rate() if rate is None else rate.quantize(Decimal("0.000001"))


def recent_window_days() -> int:
    """How far back the abuse check looks for an earlier compensation of the same customer."""
    return int(getattr(settings, "COMPENSATION_RECENT_DAYS", 90))


# --- checks ------------------------------------------------------------------------------------


def money(value: object, *, field: str, allow_zero: bool = True) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field: [_("Enter an amount.")]}, code=f"{field}_invalid") from None
    if not amount.is_finite() or amount < 0 or (not allow_zero and amount == 0) or amount >= MAX_MONEY:
        raise ValidationFailed({field: [_("Enter a positive amount.")]}, code=f"{field}_invalid")
    return amount


def _text(value: str | None, *, field: str, limit: int = 2000, required: bool = False, message: Any = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed({field: [message or _("This field is required.")]}, code=f"{field}_required")
    if len(text) > limit:
        raise ValidationFailed({field: [_("At most %(limit)d characters.") % {"limit": limit}]}, code=f"{field}_too_long")
    return text


def _sees(user: User, ticket: Ticket) -> bool:
    return tickets_visible_to(user).filter(pk=ticket.pk).exists()


def _check_role(user: User, roles: Iterable[str], message: Any, code: str) -> None:
    if not user.is_active or user.is_customer or not (user.is_superuser or user.role in set(roles)):
        raise PermissionDenied(message, code=code)


def can_request(user: User) -> bool:
    return bool(user.is_active and not user.is_customer and (user.is_superuser or user.role in REQUESTERS))


def fulfillers_of(item: Item) -> frozenset[str]:
    return FULFILLERS["refund"] if isinstance(item, Refund) else FULFILLERS[item.kind]


def can_fulfil(user: User, item: Item) -> bool:
    return bool(user.is_active and not user.is_customer and (user.is_superuser or user.role in fulfillers_of(item)))


def can_decide(user: User, item: Item) -> bool:
    if not user.is_active or user.is_customer:
        return False
    if user.is_superuser or user.role == Role.ADMINISTRATOR:
        return True
    return item.approver_role == Role.SUPERVISOR and user.role == Role.SUPERVISOR


def _measure_for(*, ticket: Ticket, measure: PlanMeasure, kind: str) -> PlanMeasure:
    fresh = PlanMeasure.objects.select_related("plan").filter(pk=measure.pk, plan__ticket=ticket).first()
    if fresh is None:
        raise ValidationFailed({"measure": [_("Choose a measure of this ticket's plan.")]}, code="measure_invalid")
    if fresh.kind != kind:
        raise ValidationFailed(
            {"measure": [_("This measure is not a %(kind)s.") % {"kind": MeasureKind(kind).label}]}, code="measure_kind_invalid"
        )
    if not fresh.plan.is_current or fresh.plan.status != PlanStatus.AGREED:
        raise DomainError(
            _("Only a measure of the current plan the customer agreed to can be carried out."),
            code="plan_not_agreed",
            field="measure",
        )
    if fresh.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED}:
        raise DomainError(_("This measure is already finished."), code="measure_finished", field="measure")
    if ticket.status not in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}:
        raise DomainError(
            _("Refunds and compensation are carried out while the ticket is in progress."),
            code="ticket_not_in_progress",
            field="status",
        )
    return fresh


def _lock(model: Any, item: Item, *, expected_version: int | None, allow_final: bool = False) -> tuple[Ticket, Any]:
    ticket = lock_ticket(item.ticket_id)
    if ticket.status in TICKET_FINAL_STATUSES and not allow_final:
        raise DomainError(_("The ticket is closed; it takes no more changes."), code="ticket_final", field="status")
    locked = model.objects.select_for_update().get(pk=item.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This record was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    locked.ticket = ticket
    return ticket, locked


def _what(item: Item) -> str:
    return "refund" if isinstance(item, Refund) else "compensation"


def _label(item: Item) -> Any:
    if isinstance(item, Refund):
        return _("Refund")
    return CompensationKind(item.kind).label


def _record(
    item: Item, *, actor: User | None, action: CompensationAudit, text: Any, public: bool, changes: dict[str, Any]
) -> None:
    audit_record(action=action, obj=item, actor=actor, changes=changes)
    timeline(
        ticket=item.ticket,
        actor=actor,
        text=deferred(_("%(number)s (%(what)s): %(text)s"), number=item.number, what=_label(item), text=text),
        public=public,
        kind=EventKind.FIELD_CHANGED,
        data={_what(item): item.number, "action": str(action), "status": item.status},
    )


def _save(item: Item, fields: Iterable[str]) -> None:
    names = set(fields) | {"updated_at"}
    item.updated_at = clock.now()
    type(item).objects.filter(pk=item.pk).update(version=F("version") + 1, **{n: getattr(item, n) for n in names})
    item.version += 1


def _move(
    item: Item,
    *,
    to: str,
    actor: User | None,
    text: Any,
    public: bool,
    fields: Iterable[str] = (),
    changes: dict[str, Any] | None = None,
) -> None:
    """The one door for status changes: refuse a move the table does not have."""
    before = item.status
    (REFUND_MOVES if isinstance(item, Refund) else COMPENSATION_MOVES).check(before, to)
    item.status = to
    _save(item, {"status", *fields})
    _record(
        item,
        actor=actor,
        action=CompensationAudit(f"{_what(item)}.{to}"),
        text=text,
        public=public,
        changes={"status": [before, to], **(changes or {})},
    )
    fulfilment_status_changed(item=item, before=before)


def _staff(roles: Iterable[str], ticket: Ticket) -> list[User]:
    users = User.objects.filter(role__in=set(roles), is_active=True).order_by("id")[:50]
    return [u for u in users if u.data_scope == DataScope.ALL or _sees(u, ticket)]


def _detail_link(item: Item) -> str:
    name = "compensation:refund" if isinstance(item, Refund) else "compensation:compensation"
    return reverse(name, args=[item.number])


def _tell_staff(item: Item, roles: Iterable[str]) -> None:
    """The editable "<refund|compensation>_<status>" message (notifications.template_events)."""
    notify_staff(
        users=_staff(roles, item.ticket),
        template=f"{_what(item)}_{item.status}",
        ticket=item.ticket,
        params={"item": item.number, "amount": f"{item.amount:.2f}", "number": item.ticket.number},
        link=_detail_link(item),
        link_text=_("Open it here:"),
    )


def _tell_customer(item: Item, template: str, **params: Any) -> None:
    """The editable event ``template``'s message to the customer (notifications.template_events)."""
    notify_customer(
        ticket=item.ticket,
        template=template,
        params={"item": item.number, "amount": f"{item.amount:.2f}", **params},
        link=ticket_link(item.ticket),
        link_text=_("Follow your request here:"),
    )


def _next_number(model: Any, item: Item, prefix: str) -> None:
    item.number = f"{prefix}{item.pk:06d}"
    model.objects.filter(pk=item.pk).update(number=item.number)


def _route_approval(item: Item, *, measure: PlanMeasure, kind: str, actor: User) -> None:
    """The same thresholds as the plan's (``tickets.ApprovalRule``): no rule reached → approved
    at once; the plan's approval already covered this amount → approved; otherwise a
    supervisor (an administrator when a rule says so) decides."""
    rules = measure_approval_rules(kind=kind, amount=item.amount)
    if not rules:
        _move(item, to=FS.APPROVED, actor=actor, text=deferred(_("No approval needed for this amount.")), public=False)
        return
    plan_approved = ApprovalRequest.objects.filter(plan_id=measure.plan_id, status=ApprovalStatus.APPROVED).exists()
    if plan_approved and item.amount <= measure.amount:
        _move(item, to=FS.APPROVED, actor=actor, text=deferred(_("Covered by the approval of the plan.")), public=False)
        return
    item.approver_role = Role.ADMINISTRATOR if any(r.approver_role == Role.ADMINISTRATOR for r in rules) else Role.SUPERVISOR
    item.approval_rules = "; ".join(r.name for r in rules)[:300]
    _move(
        item,
        to=FS.AWAITING_APPROVAL,
        actor=actor,
        text=deferred("%(rules)s", rules=[r.name for r in rules]),
        public=False,
        fields={"approver_role", "approval_rules"},
        changes={"rules": [r.pk for r in rules]},
    )
    roles = {Role.ADMINISTRATOR} if item.approver_role == Role.ADMINISTRATOR else {Role.SUPERVISOR}
    _tell_staff(item, roles)


def _start_measure(measure: PlanMeasure, item: Item) -> None:
    if measure.status == MeasureStatus.PENDING:
        ticket_update_measure(
            measure=measure,
            actor=None,
            status=MeasureStatus.IN_PROGRESS,
            progress_text=deferred(_("%(number)s requested."), number=item.number),
        )


def complete_measure_if_done(item: Item) -> None:
    """Every refund or compensation of the measure that counts is done (at least one) → the
    measure is done (the system records it on the ticket), as field service does for work orders."""
    model = type(item)
    statuses = list(
        model.objects.filter(measure_id=item.measure_id).exclude(status__in=VOID_STATUSES).values_list("status", flat=True)
    )
    if not statuses or any(s != FS.DONE for s in statuses):
        return
    measure = PlanMeasure.objects.select_related("plan").get(pk=item.measure_id)
    if measure.status in {MeasureStatus.DONE, MeasureStatus.CANCELLED} or not measure.plan.is_current:
        return
    if item.ticket.status not in {TicketStatus.IN_PROGRESS, TicketStatus.ON_HOLD}:
        return
    numbers = list(model.objects.filter(measure_id=measure.pk, status=FS.DONE).order_by("id").values_list("number", flat=True))
    ticket_update_measure(
        measure=measure, actor=None, status=MeasureStatus.DONE, progress_text=deferred(_("Done: %(numbers)s."), numbers=numbers)
    )


def _after_approval(item: Item) -> None:
    if item.status == FS.APPROVED:
        roles = fulfillers_of(item) - {Role.ADMINISTRATOR}
        _tell_staff(item, roles)


def _decide(model: Any, item: Item, *, actor: User, approve: bool, comment: str, expected_version: int | None) -> Any:
    text = _text(comment, field="comment")
    if not approve and not text:
        raise ValidationFailed({"comment": [_("Say why it is refused.")]}, code="comment_required")
    ticket, locked = _lock(model, item, expected_version=expected_version)
    if not _sees(actor, ticket):
        raise NotFound(_("No such record."), code="not_found")
    if locked.status != FS.AWAITING_APPROVAL:
        raise DomainError(_("Nothing is awaiting approval here."), code="not_awaiting_approval", field="status")
    if not can_decide(actor, locked):
        message = (
            _("This needs an administrator's approval.")
            if locked.approver_role == Role.ADMINISTRATOR
            else _("Only a supervisor or an administrator may approve this.")
        )
        raise PermissionDenied(message, code="approver_role")
    if locked.requested_by_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot approve what you requested yourself."), code="approver_is_requester")
    locked.decided_by = actor
    locked.decided_at = clock.now()
    locked.decision_comment = text
    fields = {"decided_by", "decided_at", "decision_comment"}
    if approve:
        _move(
            locked,
            to=FS.APPROVED,
            actor=actor,
            text=deferred(_("approved.")),
            public=True,
            fields=fields,
            changes={"comment": text},
        )
        _after_approval(locked)
    else:
        _move(
            locked,
            to=FS.REFUSED,
            actor=actor,
            text=deferred(_("refused: %(comment)s"), comment=text),
            public=False,
            fields=fields,
        )
        if locked.requested_by is not None:
            notify_staff(
                users=[locked.requested_by],
                template=f"{_what(locked)}_refused",  # editable: notifications.template_events
                ticket=ticket,
                params={"item": locked.number, "number": ticket.number, "comment": text},
                link=_detail_link(locked),
                link_text=_("Open it here:"),
            )
    return locked


def _check_reference(value: str) -> str:
    reference = _text(value, field="payment_reference", limit=64, required=True, message=_("Enter the payment reference."))
    if (
        Refund.objects.filter(payment_reference=reference).exists()
        or Compensation.objects.filter(payment_reference=reference).exists()
    ):
        raise ValidationFailed(
            {"payment_reference": [_("This payment reference is already recorded for another payment.")]},
            code="payment_reference_taken",
        )
    return reference


def _save_reference(item: Item) -> None:
    try:
        with transaction.atomic():
            type(item).objects.filter(pk=item.pk).update(payment_reference=item.payment_reference)
    except IntegrityError:
        raise ValidationFailed(
            {"payment_reference": [_("This payment reference is already recorded for another payment.")]},
            code="payment_reference_taken",
        ) from None


def _check_fulfiller(actor: User, ticket: Ticket, item: Item) -> None:
    if not _sees(actor, ticket):
        raise NotFound(_("No such record."), code="not_found")
    if not can_fulfil(actor, item):
        raise PermissionDenied(_("Your role cannot fulfil this."), code="role_not_allowed")


def _check_approved(item: Item) -> None:
    if item.status == FS.PAID or item.status == FS.DONE:
        raise DomainError(_("This was already paid or issued."), code="already_fulfilled", field="status")
    if item.status != FS.APPROVED:
        raise DomainError(
            _("Only an approved refund or compensation can be paid or issued (it is “%(status)s”).")
            % {"status": FS(item.status).label},
            code="not_approved",
            field="status",
        )


def _confirm(model: Any, item: Item, *, actor: User, note: str, expected_version: int | None) -> Any:
    text = _text(note, field="note")
    ticket, locked = _lock(model, item, expected_version=expected_version)
    _check_fulfiller(actor, ticket, locked)
    if locked.status != FS.PAID:
        raise DomainError(_("Only what was paid or issued can be confirmed."), code="not_fulfilled", field="status")
    locked.done_at = clock.now()
    _move(locked, to=FS.DONE, actor=actor, text=deferred(_("done.")), public=True, fields={"done_at"}, changes={"note": text})
    complete_measure_if_done(locked)
    return locked


def _cancel(model: Any, item: Item, *, actor: User, reason: str, expected_version: int | None) -> Any:
    text = _text(reason, field="reason", required=True, message=_("Say why it is cancelled."))
    ticket, locked = _lock(model, item, expected_version=expected_version, allow_final=True)
    if not _sees(actor, ticket):
        raise NotFound(_("No such record."), code="not_found")
    if not can_request(actor):
        raise PermissionDenied(_("Your role cannot cancel this."), code="role_not_allowed")
    if locked.status in {FS.PAID, FS.DONE}:
        raise DomainError(_("What was paid or issued cannot be cancelled."), code="already_fulfilled", field="status")
    locked.cancel_reason = text
    _move(
        locked,
        to=FS.CANCELLED,
        actor=actor,
        text=deferred(_("cancelled: %(reason)s"), reason=text),
        public=True,
        fields={"cancel_reason"},
    )
    return locked
