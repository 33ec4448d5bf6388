"""Every change to improvement actions: one function per business action.

Each one locks the action row, checks the version the caller read, the caller's role and the
status (``states.ACTION_STATES``), writes the change and its audit row in one transaction. Input
is checked field by field: a refusal names the field, nothing is half-written.

``action_raise`` is also the door other apps use (the crisis app raises an action from a crisis
with ``origin="crisis"`` and the crisis number as ``origin_reference``; any active member of staff
may raise one from a crisis, the quality roles from anything).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductModel
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.tickets.models import Ticket

from .audit_actions import QualityAudit
from .checks import CheckResult, compute_check
from .effect import MAX_WINDOW, Effect, measure_effect
from .models import ActionOrigin, ActionOutcome, ActionStatus, ChangeKind, EffectVerdict, ImprovementAction
from .permissions import can_write
from .scope import scope_errors
from .states import ACTION_STATES, ARRIVAL_AUDIT

S = ActionStatus
MAX_TEXT = 10_000
LIMITS = {
    "title": 200,
    "origin_reference": 64,
    "batch": 64,
    "component": 128,
    "factory": 64,
    "supplier": 128,
    "first_batch": 64,
}


@dataclass
class ActionInput:
    """What a quality engineer edits on an action (the page's form and the API's body)."""

    title: str = ""
    problem: str = ""
    product_model_id: int | None = None
    batch: str = ""
    component: str = ""
    factory: str = ""
    supplier: str = ""
    why1: str = ""
    why2: str = ""
    why3: str = ""
    why4: str = ""
    why5: str = ""
    root_cause: str = ""
    fishbone_man: str = ""
    fishbone_machine: str = ""
    fishbone_material: str = ""
    fishbone_method: str = ""
    fishbone_measurement: str = ""
    fishbone_environment: str = ""
    owner_id: int | None = None
    due_date: dt.date | None = None
    change_kind: str = ""
    change_reason: str = ""
    change_content: str = ""
    effective_date: dt.date | None = None
    first_batch: str = ""
    effect_window_months: int | None = None

    @classmethod
    def of(cls, action: ImprovementAction) -> ActionInput:
        return cls(**{f.name: getattr(action, f.name) for f in fields(cls)})


def _require_writer(actor: User) -> None:
    if not can_write(actor):
        raise PermissionDenied(_("Your role does not work on improvement actions."), code="quality_writer_only")


def _clean(data: ActionInput) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    columns: dict[str, Any] = {}
    for f in fields(ActionInput):
        value = getattr(data, f.name)
        if isinstance(value, str):
            value = value.strip()
            limit = LIMITS.get(f.name, MAX_TEXT)
            if len(value) > limit:
                errors[f.name] = [_("This is longer than %(limit)d characters.") % {"limit": limit}]
        columns[f.name] = value
    if not columns["title"]:
        errors["title"] = [_("Enter a title.")]
    if not columns["problem"]:
        errors["problem"] = [_("Describe the problem.")]
    if columns["change_kind"] and columns["change_kind"] not in ChangeKind.values:
        errors["change_kind"] = [_("Choose design, supplier, process or training.")]
    if columns["product_model_id"] is not None and not ProductModel.objects.filter(pk=columns["product_model_id"]).exists():
        errors["product_model"] = [_("This product model does not exist.")]
    window = columns["effect_window_months"]
    if window is not None and not 1 <= window <= MAX_WINDOW:
        errors["effect_window_months"] = [_("Enter a number of months from 1 to %(limit)d.") % {"limit": MAX_WINDOW}]
    if not errors.keys() & {"product_model", "factory", "supplier", "component"}:
        errors |= scope_errors(
            model_id=columns["product_model_id"],
            factory=columns["factory"],
            supplier=columns["supplier"],
            component=columns["component"],
        )
    if columns["owner_id"] is not None:
        owner = User.objects.filter(pk=columns["owner_id"], is_active=True).first()
        if owner is None or owner.is_customer:
            errors["owner"] = [_("The owner must be an active member of staff.")]
    if errors:
        raise ValidationFailed(errors, code="action_invalid")
    return columns


def _lock(action: ImprovementAction, *, expected_version: int | None) -> ImprovementAction:
    locked = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This action was changed since you read it (now version %(version)d); reload it and try again.")
            % {"version": locked.version},
            code="stale_version",
            field="version",
        )
    return locked


@transaction.atomic
def action_raise(
    *,
    actor: User,
    title: str,
    problem: str,
    origin: str,
    origin_reference: str = "",
    origin_ticket: Ticket | None = None,
    model: ProductModel | None = None,
    batch: str = "",
    component: str = "",
    owner: User | None = None,
    due_date: dt.date | None = None,
    factory: str = "",
    supplier: str = "",
) -> ImprovementAction:
    """A new action in Plan, raised from a fault cluster, a crisis or a ticket; its scope is the
    model and/or a factory and/or a component supplier of the production register."""
    if origin != ActionOrigin.CRISIS or actor.is_customer or not actor.is_active:
        _require_writer(actor)
    errors: dict[str, list[Any]] = {}
    if origin not in ActionOrigin.values:
        errors["origin"] = [_("Choose where the action comes from: a fault cluster, a crisis or a ticket.")]
    if origin == ActionOrigin.TICKET and origin_ticket is None:
        errors["origin_ticket"] = [_("Name the ticket the action comes from.")]
    if len((origin_reference or "").strip()) > LIMITS["origin_reference"]:
        errors["origin_reference"] = [_("This is longer than %(limit)d characters.") % {"limit": LIMITS["origin_reference"]}]
    try:
        columns = _clean(
            ActionInput(
                title=title,
                problem=problem,
                product_model_id=model.pk if model is not None else None,
                batch=batch,
                component=component,
                factory=factory,
                supplier=supplier,
                owner_id=owner.pk if owner is not None else None,
                due_date=due_date,
            )
        )
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
        columns = {}
    if errors:
        raise ValidationFailed(errors, code="action_invalid")
    now = clock.now()
    action = ImprovementAction.objects.create(
        **columns,
        origin=origin,
        origin_reference=(origin_reference or "").strip(),
        origin_ticket=origin_ticket,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    audit_record(
        action=QualityAudit.ACTION_RAISED,
        obj=action,
        actor=actor,
        changes={
            "origin": origin,
            "origin_reference": action.origin_reference,
            "title": action.title,
            **{name: getattr(action, name) for name in ("factory", "supplier") if getattr(action, name)},
        },
    )
    return action


@transaction.atomic
def action_update(
    *, action: ImprovementAction, actor: User, data: ActionInput, expected_version: int | None
) -> ImprovementAction:
    """Edit the action's problem, root cause, owner, due date and the change made (not once closed)."""
    _require_writer(actor)
    locked = _lock(action, expected_version=expected_version)
    if locked.status == S.CLOSED:
        raise DomainError(_("A closed action cannot be changed."), code="action_closed")
    columns = _clean(data)
    changes = {
        name: [str(getattr(locked, name)), str(value)] for name, value in columns.items() if getattr(locked, name) != value
    }
    for name, value in columns.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save()
    audit_record(action=QualityAudit.ACTION_UPDATED, obj=locked, actor=actor, changes=changes)
    return locked


def _store_check(action: ImprovementAction, result: CheckResult) -> dict[str, Any]:
    return {
        "check_before_units": result.before_units,
        "check_before_faulty": result.before_faulty,
        "check_after_units": result.after_units,
        "check_after_faulty": result.after_faulty,
        "check_p_value": result.p_value,
        "check_passed": result.passed,
        "check_detail": result.as_detail(),
        "checked_at": clock.now(),
    }


def _store_effect(effect: Effect) -> dict[str, Any]:
    return {"effect_verdict": effect.verdict, "effect": effect.as_detail(), "effect_measured_at": clock.now()}


def _measure(action: ImprovementAction) -> dict[str, Any]:
    """The check (the model's batches, Fisher's test) where a model is named, and the measured
    effect on the action's scope (model, factory, supplier; equal months in the field)."""
    updates = _store_effect(measure_effect(action))
    if action.product_model_id is not None:
        updates |= _store_check(action, compute_check(action))
    return updates


def _refuse_to_check(action: ImprovementAction) -> None:
    errors: dict[str, list[Any]] = {}
    if action.product_model_id is None and not action.factory and not action.supplier:
        errors["product_model"] = [
            _("Name the product model, the factory or the component supplier: the check compares their batches.")
        ]
    if action.effective_date is None and not action.first_batch:
        errors["effective_date"] = [_("Enter the date the change took effect or the first batch it applies to.")]
    if errors:
        raise ValidationFailed(errors, code="action_check_needs_change")


@transaction.atomic
def action_transition(
    *,
    action: ImprovementAction,
    actor: User,
    to: str,
    expected_version: int | None,
    outcome: str = "",
    reason: str = "",
) -> ImprovementAction:
    """Move the action along Plan → Do → Check → Act → Closed (or back, as the table allows).

    To Do: the change is described (kind and content). To Check and to Act: the system computes
    the check. To Closed: an outcome; "effective" only if the check passed or with a reason."""
    _require_writer(actor)
    locked = _lock(action, expected_version=expected_version)
    ACTION_STATES.check(locked.status, to)
    updates: dict[str, Any] = {}
    reason = (reason or "").strip()
    if to == S.DO and locked.status == S.PLAN:
        errors: dict[str, list[Any]] = {}
        if not locked.change_kind:
            errors["change_kind"] = [_("Say what kind of change is made before starting it.")]
        if not locked.change_content.strip():
            errors["change_content"] = [_("Describe the change before starting it.")]
        if errors:
            raise ValidationFailed(errors, code="action_change_missing")
    if to in (S.CHECK, S.ACT):
        _refuse_to_check(locked)
        updates |= _measure(locked)
    if to == S.CLOSED:
        if outcome not in ActionOutcome.values:
            raise ValidationFailed({"outcome": [_("Choose whether the action was effective.")]}, code="action_outcome_missing")
        shown = locked.check_passed or locked.effect_verdict == EffectVerdict.FELL
        if outcome == ActionOutcome.EFFECTIVE and not shown and not reason:
            raise ValidationFailed(
                {
                    "outcome_reason": [
                        _(
                            "Neither the check nor the measured effect showed a significant drop: give the reason "
                            "for closing it as effective."
                        )
                    ]
                },
                code="check_not_passed",
            )
        if len(reason) > MAX_TEXT:
            raise ValidationFailed({"outcome_reason": [_("This is longer than %(limit)d characters.") % {"limit": MAX_TEXT}]})
        updates |= {"outcome": outcome, "outcome_reason": reason, "closed_at": clock.now()}
    if to == S.PLAN and locked.status == S.ACT:
        updates |= {"outcome": "", "outcome_reason": ""}
    before = locked.status
    updates |= {"status": to, "version": locked.version + 1, "updated_at": clock.now()}
    for name, value in updates.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(updates))
    changes: dict[str, Any] = {"status": [before, to]}
    if outcome:
        changes["outcome"] = outcome
    if reason:
        changes["reason"] = reason
    if "check_p_value" in updates:
        changes["check"] = {"passed": locked.check_passed, "p_value": locked.check_p_value}
    if "effect_verdict" in updates:
        changes["effect"] = _effect_change(locked)
    audit_record(action=ARRIVAL_AUDIT[to], obj=locked, actor=actor, changes=changes)
    return locked


@transaction.atomic
def action_run_check(*, action: ImprovementAction, actor: User) -> ImprovementAction:
    """Compute the check again (new faults or shipments since); not on a closed action."""
    _require_writer(actor)
    locked = _lock(action, expected_version=None)
    if locked.status == S.CLOSED:
        raise DomainError(_("A closed action cannot be changed."), code="action_closed")
    _refuse_to_check(locked)
    updates = _measure(locked) | {"version": locked.version + 1, "updated_at": clock.now()}
    for name, value in updates.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(updates))
    audit_record(
        action=QualityAudit.ACTION_CHECKED,
        obj=locked,
        actor=actor,
        changes={"passed": locked.check_passed, "p_value": locked.check_p_value, "effect": _effect_change(locked)},
    )
    return locked


def _effect_change(action: ImprovementAction) -> dict[str, Any]:
    e = action.effect or {}
    return {
        "verdict": action.effect_verdict,
        "reason": e.get("reason", ""),
        "window_months": e.get("window_months"),
        "before": [e.get("before_faulty"), e.get("before_units")],
        "after": [e.get("after_faulty"), e.get("after_units")],
    }
