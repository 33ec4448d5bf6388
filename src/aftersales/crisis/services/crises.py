"""Crises: opened by hand (or from an alert), moved through the one table, their level, response
team and tasks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductModel
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed
from aftersales.notifications.services import notify_staff

from ..audit_actions import CrisisAudit
from ..models import Crisis, CrisisLevel, CrisisMember, CrisisStatus, CrisisTask, CrisisType, EmergencyPlan, TeamRole
from ..permissions import check_manage
from ..states import CRISIS_TRANSITIONS, STAMPS
from .resources import release_all_parts
from .review import review_figures
from .shared import bump, clean_text, emit_webhook, lock_crisis


def create_crisis(
    *,
    actor: User,
    title: str,
    crisis_type: str,
    level: CrisisLevel,
    plan: EmergencyPlan | None,
    is_drill: bool,
    summary: str,
    status: str,
    detected_at: dt.datetime,
    now: dt.datetime,
    region_id: int | None = None,
) -> Crisis:
    crisis = Crisis.objects.create(
        title=title,
        crisis_type=crisis_type,
        level=level,
        status=status,
        is_drill=is_drill,
        plan=plan,
        summary=summary,
        region_id=region_id,
        detected_at=detected_at,
        confirmed_at=now if status == CrisisStatus.CONFIRMED else None,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    audit_record(
        action=CrisisAudit.OPENED,
        obj=crisis,
        actor=actor,
        changes={"status": status, "level": level.code, "drill": is_drill, "type": crisis_type},
    )
    if status == CrisisStatus.CONFIRMED:
        _apply_plan(crisis, now)
    _inform_level(crisis)
    emit_webhook("crisis.opened", crisis)
    return crisis


def _apply_plan(crisis: Crisis, now: dt.datetime) -> None:
    """The plan's checklist becomes the crisis's tasks, due from the confirmation."""
    if crisis.plan_id is None or crisis.tasks.exists():
        return
    owners = {m.role: m.user_id for m in crisis.members.all()}
    CrisisTask.objects.bulk_create(
        CrisisTask(
            crisis=crisis,
            position=step.position,
            title=step.title,
            title_en=step.title_en,
            role=step.role,
            owner_id=owners.get(step.role),
            due_at=now + dt.timedelta(minutes=step.due_minutes),
        )
        for step in crisis.plan.steps.all()  # type: ignore[union-attr]
    )


def _inform_level(crisis: Crisis) -> None:
    """The level's roles (and the team) hear of the crisis, in their inbox."""
    users = list(User.objects.filter(is_active=True, role__in=crisis.level.roles)) if crisis.level.roles else []
    users += [m.user for m in crisis.members.select_related("user")]
    notify_staff(
        users=users,
        template="crisis.level",  # editable: notifications.template_events
        params={
            "code": crisis.code,
            "level": str(crisis.level),
            "title": crisis.title,
            "minutes": crisis.level.inform_within_minutes,
        },
        link=f"/crisis/{crisis.pk}/",
        link_text=_("Open the crisis:"),
    )


@transaction.atomic
def crisis_open(
    *,
    actor: User,
    title: str,
    crisis_type: str,
    level: CrisisLevel,
    plan: EmergencyPlan | None = None,
    is_drill: bool = False,
    summary: str = "",
    models: Iterable[ProductModel] = (),
    batches: Iterable[str] = (),
    regions: Iterable[Region] = (),
) -> Crisis:
    """Open a crisis by hand (status "detected"), e.g. a drill or a report from outside."""
    check_manage(actor)
    if crisis_type not in CrisisType.values:
        raise ValidationFailed({"crisis_type": [_("Choose a valid crisis type.")]}, code="crisis_type_invalid")
    now = clock.now()
    crisis = create_crisis(
        actor=actor,
        title=clean_text(title, field="title", limit=200),
        crisis_type=crisis_type,
        level=level,
        plan=plan,
        is_drill=is_drill,
        summary=clean_text(summary, field="summary", required=False),
        status=CrisisStatus.DETECTED,
        detected_at=now,
        now=now,
    )
    crisis.scope_models.add(*models)
    crisis.scope_regions.add(*regions)
    cleaned = sorted({b.strip() for b in batches if b.strip()})
    if cleaned:
        Crisis.objects.filter(pk=crisis.pk).update(scope_batches=cleaned)
        crisis.scope_batches = cleaned
    return crisis


@transaction.atomic
def crisis_transition(
    *,
    crisis: Crisis,
    actor: User,
    to: str,
    expected_version: int | None = None,
    lessons: str = "",
    improvements: str = "",
) -> Crisis:
    """The one door of a crisis's status (``states.CRISIS_TRANSITIONS``); "reviewed" needs the
    lessons and fills the measured figures."""
    check_manage(actor)
    locked = lock_crisis(crisis.pk, expected_version)
    if to not in CrisisStatus.values:
        raise ValidationFailed({"status": [_("Choose a valid status.")]}, code="status_invalid")
    CRISIS_TRANSITIONS.check(locked.status, to)
    now = clock.now()
    changes: dict[str, Any] = {"status": to}
    stamp = STAMPS.get(to)
    if stamp and getattr(locked, stamp) is None:
        changes[stamp] = now
    if to == CrisisStatus.REVIEWED:
        changes["lessons"] = clean_text(lessons, field="lessons")
        changes["improvements"] = clean_text(improvements, field="improvements", required=False)
    before = locked.status
    bump(locked, now, **changes)
    if to == CrisisStatus.CONFIRMED:
        _apply_plan(locked, now)
    if to == CrisisStatus.RECOVERED:
        release_all_parts(crisis=locked, actor=actor, now=now)
    if to == CrisisStatus.REVIEWED:
        Crisis.objects.filter(pk=locked.pk).update(review=review_figures(locked))
        locked.refresh_from_db()
    audit_record(action=CrisisAudit(f"crisis.{to}"), obj=locked, actor=actor, changes={"status": [before, to]})
    return locked


@transaction.atomic
def crisis_set_level(*, crisis: Crisis, actor: User, level: CrisisLevel, expected_version: int | None = None) -> Crisis:
    check_manage(actor)
    locked = lock_crisis(crisis.pk, expected_version)
    if locked.level_id == level.pk:
        return locked
    before, before_code = str(locked.level), locked.level.code
    bump(locked, clock.now(), level=level)
    audit_record(action=CrisisAudit.LEVEL_CHANGED, obj=locked, actor=actor, changes={"level": [before, str(level)]})
    _inform_level(locked)
    emit_webhook("crisis.level_changed", locked, previous_level=before_code)
    return locked


@transaction.atomic
def crisis_add_member(*, crisis: Crisis, actor: User, user: User, role: str) -> CrisisMember:
    check_manage(actor)
    if role not in TeamRole.values:
        raise ValidationFailed({"role": [_("Choose a valid role.")]}, code="role_invalid")
    if not user.is_active or user.is_customer:
        raise ValidationFailed({"user": [_("Choose an active member of staff.")]}, code="user_invalid")
    locked = lock_crisis(crisis.pk, None)
    member, _created = CrisisMember.objects.get_or_create(crisis=locked, user=user, role=role, defaults={"added_at": clock.now()})
    CrisisTask.objects.filter(crisis=locked, role=role, owner__isnull=True).update(owner=user)
    bump(locked, clock.now())
    audit_record(action=CrisisAudit.MEMBER_ADDED, obj=locked, actor=actor, changes={"user": user.username, "role": role})
    notify_staff(
        users=[user],
        template="crisis.member",  # editable: notifications.template_events
        params={"code": locked.code, "title": locked.title, "role": TeamRole(role).label},
        link=f"/crisis/{locked.pk}/",
        link_text=_("Open the crisis:"),
    )
    return member


@transaction.atomic
def crisis_add_task(
    *, crisis: Crisis, actor: User, title: str, owner: User | None = None, due_at: dt.datetime | None = None
) -> CrisisTask:
    check_manage(actor)
    locked = lock_crisis(crisis.pk, None)
    position = (locked.tasks.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    task = CrisisTask.objects.create(
        crisis=locked, position=position, title=clean_text(title, field="title", limit=200), owner=owner, due_at=due_at
    )
    bump(locked, clock.now())
    audit_record(action=CrisisAudit.TASK_ADDED, obj=locked, actor=actor, changes={"task": task.title})
    return task


@transaction.atomic
def crisis_task_done(*, task: CrisisTask, actor: User) -> CrisisTask:
    check_manage(actor)
    locked = lock_crisis(task.crisis_id, None)
    row = CrisisTask.objects.select_for_update().get(pk=task.pk)
    if row.done_at is None:
        now = clock.now()
        CrisisTask.objects.filter(pk=row.pk).update(done_at=now, done_by=actor)
        bump(locked, now)
        audit_record(action=CrisisAudit.TASK_DONE, obj=locked, actor=actor, changes={"task": row.title})
        row.refresh_from_db()
    return row
