"""Every change of the crisis app: alerts (opened and merged by the detector, confirmed or
dismissed by a supervisor) and crises (opened, moved through the one table, team, tasks,
communications, customer notices, review). One transaction each, rows locked, versions checked,
an audit row, a ticket timeline entry where a ticket is concerned."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductModel
from aftersales.core import clock
from aftersales.core.errors import Conflict, NotFound, ValidationFailed
from aftersales.core.i18n import ACTOR_SYSTEM, deferred
from aftersales.feedback.models import Survey
from aftersales.notifications.services import notify_staff, notify_ticket_customer
from aftersales.tickets.choices import EventKind, Priority
from aftersales.tickets.models import Ticket, TicketCategory
from aftersales.tickets.process.common import timeline
from aftersales.webhooks.models import SUBSCRIBABLE_EVENTS
from aftersales.webhooks.services import webhook_emit

from .audit_actions import CrisisAudit
from .models import (
    Alert,
    AlertKind,
    AlertStatus,
    Audience,
    Communication,
    Crisis,
    CrisisLevel,
    CrisisMember,
    CrisisStatus,
    CrisisTask,
    CrisisType,
    Dimension,
    EmergencyPlan,
    TeamRole,
)
from .permissions import check_manage
from .safety import SafetyHit
from .spikes import Spike, curve, scan
from .states import CRISIS_TRANSITIONS, OPEN_STATUSES, STAMPS

logger = logging.getLogger(__name__)

MERGE_OVERLAP = 0.5  # a detection whose tickets are at least half in an open alert joins it
MERGE_WINDOW = dt.timedelta(hours=48)
QUIET_AFTER_DISMISSAL = dt.timedelta(hours=24)
NOTIFY_ROLES = (Role.SUPERVISOR, Role.ADMINISTRATOR, Role.QUALITY_MANAGER)


# --- Shared -------------------------------------------------------------------------------------


def _stale(thing: Any) -> Conflict:
    return Conflict(_("This was changed by someone else; reload and try again."), code="stale_version")


def _lock_alert(alert_id: int, expected_version: int | None) -> Alert:
    locked = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if locked is None:
        raise NotFound(_("No such alert."), code="not_found")
    if expected_version is not None and locked.version != expected_version:
        raise _stale(locked)
    return locked


def _lock_crisis(crisis_id: int, expected_version: int | None) -> Crisis:
    locked = Crisis.objects.select_for_update().filter(pk=crisis_id).first()
    if locked is None:
        raise NotFound(_("No such crisis."), code="not_found")
    if expected_version is not None and locked.version != expected_version:
        raise _stale(locked)
    return locked


def _bump(obj: Alert | Crisis, now: dt.datetime, **changes: Any) -> None:
    type(obj).objects.filter(pk=obj.pk).update(**changes, updated_at=now, version=F("version") + 1)
    obj.refresh_from_db()


def _watchers(region_id: int | None) -> list[User]:
    """Who hears of a new alert: supervisors, quality managers and administrators whose scope covers it."""
    qs = User.objects.filter(is_active=True, role__in=NOTIFY_ROLES)
    if region_id is not None:
        qs = qs.filter(Q(data_scope=DataScope.ALL) | Q(region_id=region_id) | Q(region__isnull=True))
    return list(qs)


def _text(value: str, *, field: str, required: bool = True, limit: int = 5000) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationFailed({field: [_("This field is required.")]}, code="required")
    if len(text) > limit:
        raise ValidationFailed({field: [_("At most %(limit)d characters.") % {"limit": limit}]}, code="too_long")
    return text


def _webhook(event: str, crisis: Crisis, **extra: Any) -> None:
    """``crisis.opened`` / ``crisis.level_changed`` to the subscribers, once the webhooks app
    declares the event type (``webhooks.models.EventType``); until then nothing is sent."""
    if event not in {str(e) for e in SUBSCRIBABLE_EVENTS}:
        return
    payload = {
        "crisis": crisis.pk,
        "code": crisis.code,
        "status": crisis.status,
        "level": crisis.level.code,
        "type": crisis.crisis_type,
        "drill": crisis.is_drill,
        **extra,
    }
    webhook_emit(event=event, payload=payload, region=crisis.region)


# --- The detector's decision on a ticket ---------------------------------------------------------


def ticket_mark_safety(*, ticket: Ticket, hit: SafetyHit) -> None:
    """Intake found safety words: the ticket is urgent and a safety hazard, at once (called on the
    new, not yet numbered ticket, before the SLA clocks start, so they start on urgent terms)."""
    if ticket.priority == Priority.URGENT and ticket.safety_hazard:
        return
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.URGENT, safety_hazard=True)
    ticket.priority, ticket.safety_hazard = Priority.URGENT, True


def ticket_record_safety(*, ticket: Ticket, hit: SafetyHit, was_priority: int) -> None:
    """Once numbered: the timeline entry and the audit row of the system's decision."""
    timeline(
        ticket=ticket,
        actor=None,
        kind=EventKind.FIELD_CHANGED,
        data={"action": "safety_words", "words": list(hit.words), "fields": {"priority": Priority.URGENT, "safety_hazard": True}},
        text=deferred(_("Safety words found (%(words)s): the ticket is urgent."), words=list(hit.words)),
    )
    audit_record(
        action=CrisisAudit.TICKET_MARKED_URGENT,
        obj=ticket,
        actor_label=ACTOR_SYSTEM,
        changes={"priority": [was_priority, Priority.URGENT], "safety_hazard": [False, True], "words": list(hit.words)},
    )


# --- Alerts -------------------------------------------------------------------------------------


def _open_alert(
    *,
    kind: str,
    dimension: str,
    key: str,
    key_label: str,
    tickets: list[Ticket],
    now: dt.datetime,
    observed: int = 0,
    expected: float = 0.0,
    p_value: float | None = None,
    words: Iterable[str] = (),
    points: list[dict[str, object]] | None = None,
) -> tuple[Alert, bool]:
    """Open an alert, or merge the detection into the open alert of the same cluster: the same
    kind and key, or (spikes) one already holding at least half of these tickets. Returns the
    alert and whether it is new."""
    ids = [t.pk for t in tickets]
    # Open and confirmed alerts of the last two days, and the ones dismissed in the last day (a
    # dismissed cluster stays quiet: its new tickets join it instead of raising it again).
    recent = Alert.objects.filter(kind=kind, updated_at__gte=now - MERGE_WINDOW).filter(
        Q(status__in=[AlertStatus.OPEN, AlertStatus.CONFIRMED])
        | Q(status=AlertStatus.DISMISSED, decided_at__gte=now - QUIET_AFTER_DISMISSAL)
    )
    existing = recent.filter(dimension=dimension, key=key).order_by("pk").first()
    if existing is None and kind == AlertKind.SPIKE and ids:
        for candidate in recent.order_by("pk"):
            shared = candidate.tickets.filter(pk__in=ids).count()
            if shared >= MERGE_OVERLAP * len(ids):
                existing = candidate
                break
    regions = {t.region_id for t in tickets}
    models_ = {t.product_model_id for t in tickets}
    batches = {t.reported_batch for t in tickets}
    if existing is not None:
        locked = _lock_alert(existing.pk, None)
        before = set(locked.tickets.values_list("pk", flat=True))
        new_ids = [i for i in ids if i not in before]
        locked.tickets.add(*new_ids)
        merged_words = list(dict.fromkeys([*locked.words, *words]))
        _bump(
            locked,
            now,
            ticket_count=len(before) + len(new_ids),
            observed=max(locked.observed, observed),
            expected=expected if observed > locked.observed else locked.expected,
            p_value=p_value if p_value is not None and (locked.p_value is None or p_value < locked.p_value) else locked.p_value,
            words=merged_words,
            curve=points if points is not None else locked.curve,
            merged_count=locked.merged_count + (1 if new_ids else 0),
        )
        if new_ids:
            audit_record(
                action=CrisisAudit.ALERT_MERGED, obj=locked, actor_label=ACTOR_SYSTEM, changes={"tickets": new_ids, "key": key}
            )
            if locked.crisis is not None:
                crisis_link_tickets(crisis=locked.crisis, tickets=[t for t in tickets if t.pk in new_ids], actor=None)
        return locked, False
    alert = Alert.objects.create(
        kind=kind,
        dimension=dimension,
        key=key,
        key_label=key_label[:200],
        region_id=regions.pop() if len(regions) == 1 else None,
        product_model_id=models_.pop() if len(models_) == 1 else None,
        batch=(batches.pop() if len(batches) == 1 else "")[:64],
        ticket_count=len(ids),
        observed=observed,
        expected=expected,
        p_value=p_value,
        words=list(words),
        curve=points or [],
        first_ticket_at=min((t.created_at for t in tickets), default=None),
        opened_at=now,
        updated_at=now,
    )
    alert.tickets.add(*ids)
    audit_record(
        action=CrisisAudit.ALERT_OPENED, obj=alert, actor_label=ACTOR_SYSTEM, changes={"kind": kind, "key": key, "tickets": ids}
    )
    notify_staff(
        users=_watchers(alert.region_id),
        template="crisis.alert_opened",
        subject=_("Crisis alert: %(what)s"),
        body=_("The detector opened an alert (%(kind)s) on %(what)s with %(count)s tickets; confirm or dismiss it."),
        params={"what": key_label, "kind": AlertKind(kind).label, "count": len(ids)},
        link=f"/crisis/alerts/{alert.pk}/",
        link_text=_("Open the alert:"),
    )
    return alert, True


def _ticket_label(ticket: Ticket) -> str:
    return f"{ticket.number} {ticket.title}"[:200]


def alert_raise_safety(*, ticket: Ticket, hit: SafetyHit, now: dt.datetime | None = None) -> Alert:
    """A safety alert for the ticket; several on one product model within two days are one alert."""
    now = now or clock.now()
    if ticket.product_model_id:
        dimension, key, label = Dimension.MODEL, str(ticket.product_model_id), str(ticket.product_model)
    else:
        dimension, key, label = Dimension.TICKET, str(ticket.pk), _ticket_label(ticket)
    alert, _new = _open_alert(
        kind=AlertKind.SAFETY, dimension=dimension, key=key, key_label=label, tickets=[ticket], now=now, words=hit.words
    )
    return alert


def alert_raise_social(*, ticket: Ticket, now: dt.datetime | None = None) -> Alert:
    """A media / social-media report (channel "social" or the flag at intake) opens an alert."""
    now = now or clock.now()
    alert, _new = _open_alert(
        kind=AlertKind.SOCIAL,
        dimension=Dimension.TICKET,
        key=str(ticket.pk),
        key_label=_ticket_label(ticket),
        tickets=[ticket],
        now=now,
    )
    return alert


def _spike_label(spike: Spike) -> str:
    if spike.dimension == Dimension.MODEL:
        model = ProductModel.objects.filter(pk=spike.key).first()
        return str(model) if model else spike.key
    if spike.dimension == Dimension.REGION:
        region = Region.objects.filter(pk=spike.key).first()
        return str(region) if region else spike.key
    if spike.dimension == Dimension.CATEGORY:
        category = TicketCategory.objects.filter(pk=spike.key).first()
        return str(category) if category else spike.key
    return spike.key


@transaction.atomic
def alert_raise_spike(*, spike: Spike, now: dt.datetime | None = None) -> tuple[Alert, bool]:
    now = now or clock.now()
    tickets = list(Ticket.objects.filter(pk__in=spike.ticket_ids))
    return _open_alert(
        kind=AlertKind.SPIKE,
        dimension=spike.dimension,
        key=spike.key,
        key_label=_spike_label(spike),
        tickets=tickets,
        now=now,
        observed=spike.observed,
        expected=spike.expected,
        p_value=spike.p_value,
        points=curve(dimension=spike.dimension, key=spike.key, now=now),
    )


def alerts_detect_spikes(*, now: dt.datetime | None = None, only: Ticket | None = None) -> list[Alert]:
    """Run the spike scan at ``now`` and open or merge an alert per spiking key. Returns the new alerts."""
    now = now or clock.now()
    opened = []
    for spike in scan(now=now, only=only):
        alert, new = alert_raise_spike(spike=spike, now=now)
        if new:
            opened.append(alert)
    return opened


@transaction.atomic
def alert_dismiss(*, alert: Alert, actor: User, reason: str, expected_version: int | None = None) -> Alert:
    check_manage(actor)
    reason = _text(reason, field="reason")
    locked = _lock_alert(alert.pk, expected_version)
    if locked.status != AlertStatus.OPEN:
        raise Conflict(_("This alert was already decided."), code="alert_decided")
    now = clock.now()
    _bump(locked, now, status=AlertStatus.DISMISSED, reason=reason, decided_at=now, decided_by=actor)
    audit_record(action=CrisisAudit.ALERT_DISMISSED, obj=locked, actor=actor, changes={"reason": reason})
    return locked


@transaction.atomic
def alert_confirm(
    *,
    alert: Alert,
    actor: User,
    level: CrisisLevel,
    title: str = "",
    crisis_type: str = "",
    plan: EmergencyPlan | None = None,
    crisis: Crisis | None = None,
    expected_version: int | None = None,
) -> Crisis:
    """Confirm the alert as a crisis: a new one (status "confirmed", detected when the alert
    opened, its tickets linked, its scope from them, the plan's checklist as tasks), or an open
    crisis it belongs to."""
    check_manage(actor)
    locked = _lock_alert(alert.pk, expected_version)
    if locked.status != AlertStatus.OPEN:
        raise Conflict(_("This alert was already decided."), code="alert_decided")
    now = clock.now()
    tickets = list(locked.tickets.all())
    if crisis is None:
        if crisis_type and crisis_type not in CrisisType.values:
            raise ValidationFailed({"crisis_type": [_("Choose a valid crisis type.")]}, code="crisis_type_invalid")
        kind = (
            crisis_type
            or (plan.crisis_type if plan else "")
            or {
                AlertKind.SAFETY: CrisisType.PRODUCT_SAFETY,
                AlertKind.SPIKE: CrisisType.QUALITY_BATCH,
                AlertKind.SOCIAL: CrisisType.PUBLIC_OPINION,
            }[AlertKind(locked.kind)]
        )
        if plan is None:
            plan = EmergencyPlan.objects.filter(crisis_type=kind, active=True).first()
        crisis = _create_crisis(
            actor=actor,
            title=_text(title, field="title", required=False, limit=200) or locked.key_label or str(locked),
            crisis_type=kind,
            level=level,
            plan=plan,
            is_drill=False,
            summary="",
            status=CrisisStatus.CONFIRMED,
            detected_at=locked.opened_at,
            now=now,
            region_id=locked.region_id,
        )
        models_ = {t.product_model_id for t in tickets if t.product_model_id}
        crisis.scope_models.add(*models_)
        crisis.scope_regions.add(*{t.region_id for t in tickets if t.region_id})
        batches = sorted({t.reported_batch for t in tickets if t.reported_batch})
        Crisis.objects.filter(pk=crisis.pk).update(scope_batches=batches)
        crisis.scope_batches = batches
    else:
        crisis = _lock_crisis(crisis.pk, None)
        if crisis.status not in OPEN_STATUSES:
            raise Conflict(_("This crisis is no longer open."), code="crisis_closed")
    _bump(locked, now, status=AlertStatus.CONFIRMED, decided_at=now, decided_by=actor, crisis=crisis)
    audit_record(action=CrisisAudit.ALERT_CONFIRMED, obj=locked, actor=actor, changes={"crisis": crisis.pk})
    crisis_link_tickets(crisis=crisis, tickets=tickets, actor=actor)
    crisis.refresh_from_db()
    return crisis


# --- Crises -------------------------------------------------------------------------------------


def _create_crisis(
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
    _webhook("crisis.opened", crisis)
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
        template="crisis.level",
        subject=_("Crisis %(code)s: level %(level)s"),
        body=_("%(title)s is a level %(level)s crisis; inform within %(minutes)s minutes."),
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
    crisis = _create_crisis(
        actor=actor,
        title=_text(title, field="title", limit=200),
        crisis_type=crisis_type,
        level=level,
        plan=plan,
        is_drill=is_drill,
        summary=_text(summary, field="summary", required=False),
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


def _review_figures(crisis: Crisis) -> dict[str, Any]:
    """The measured figures of the review: times between the stamps (minutes), the tickets and
    customers affected, their resolution times and satisfaction."""

    def minutes(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
        if start is None or end is None:
            return None
        return round((end - start).total_seconds() / 60, 1)

    tickets = list(crisis.tickets.all())
    first = crisis.first_ticket_at or min((t.created_at for t in tickets), default=None)
    resolved = [(t.resolved_at - t.created_at).total_seconds() / 3600 for t in tickets if t.resolved_at]
    scores: list[int] = [
        s
        for s in Survey.objects.filter(ticket__in=tickets, overall__isnull=False).values_list("overall", flat=True)
        if s is not None
    ]
    return {
        "first_ticket_at": first.isoformat() if first else None,
        "minutes_to_detection": minutes(first, crisis.detected_at),
        "minutes_to_confirmation": minutes(first or crisis.detected_at, crisis.confirmed_at),
        "minutes_to_first_notice": minutes(first or crisis.detected_at, crisis.first_notice_at),
        "minutes_to_containment": minutes(first or crisis.detected_at, crisis.contained_at),
        "minutes_to_recovery": minutes(first or crisis.detected_at, crisis.recovered_at),
        "tickets": len(tickets),
        "customers": len({t.customer_id for t in tickets}),
        "tickets_resolved": len(resolved),
        "mean_resolution_hours": round(sum(resolved) / len(resolved), 1) if resolved else None,
        "satisfaction": round(sum(scores) / len(scores), 2) if scores else None,
        "surveys": len(scores),
        "tasks": crisis.tasks.count(),
        "tasks_done": crisis.tasks.filter(done_at__isnull=False).count(),
        "drill": crisis.is_drill,
    }


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
    locked = _lock_crisis(crisis.pk, expected_version)
    if to not in CrisisStatus.values:
        raise ValidationFailed({"status": [_("Choose a valid status.")]}, code="status_invalid")
    CRISIS_TRANSITIONS.check(locked.status, to)
    now = clock.now()
    changes: dict[str, Any] = {"status": to}
    stamp = STAMPS.get(to)
    if stamp and getattr(locked, stamp) is None:
        changes[stamp] = now
    if to == CrisisStatus.REVIEWED:
        changes["lessons"] = _text(lessons, field="lessons")
        changes["improvements"] = _text(improvements, field="improvements", required=False)
    before = locked.status
    _bump(locked, now, **changes)
    if to == CrisisStatus.CONFIRMED:
        _apply_plan(locked, now)
    if to == CrisisStatus.REVIEWED:
        Crisis.objects.filter(pk=locked.pk).update(review=_review_figures(locked))
        locked.refresh_from_db()
    audit_record(action=CrisisAudit(f"crisis.{to}"), obj=locked, actor=actor, changes={"status": [before, to]})
    return locked


@transaction.atomic
def crisis_set_level(*, crisis: Crisis, actor: User, level: CrisisLevel, expected_version: int | None = None) -> Crisis:
    check_manage(actor)
    locked = _lock_crisis(crisis.pk, expected_version)
    if locked.level_id == level.pk:
        return locked
    before, before_code = str(locked.level), locked.level.code
    _bump(locked, clock.now(), level=level)
    audit_record(action=CrisisAudit.LEVEL_CHANGED, obj=locked, actor=actor, changes={"level": [before, str(level)]})
    _inform_level(locked)
    _webhook("crisis.level_changed", locked, previous_level=before_code)
    return locked


@transaction.atomic
def crisis_add_member(*, crisis: Crisis, actor: User, user: User, role: str) -> CrisisMember:
    check_manage(actor)
    if role not in TeamRole.values:
        raise ValidationFailed({"role": [_("Choose a valid role.")]}, code="role_invalid")
    if not user.is_active or user.is_customer:
        raise ValidationFailed({"user": [_("Choose an active member of staff.")]}, code="user_invalid")
    locked = _lock_crisis(crisis.pk, None)
    member, _created = CrisisMember.objects.get_or_create(crisis=locked, user=user, role=role, defaults={"added_at": clock.now()})
    CrisisTask.objects.filter(crisis=locked, role=role, owner__isnull=True).update(owner=user)
    _bump(locked, clock.now())
    audit_record(action=CrisisAudit.MEMBER_ADDED, obj=locked, actor=actor, changes={"user": user.username, "role": role})
    notify_staff(
        users=[user],
        template="crisis.member",
        subject=_("You are on the response team of crisis %(code)s"),
        body=_("Your role in %(title)s: %(role)s."),
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
    locked = _lock_crisis(crisis.pk, None)
    position = (locked.tasks.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    task = CrisisTask.objects.create(
        crisis=locked, position=position, title=_text(title, field="title", limit=200), owner=owner, due_at=due_at
    )
    _bump(locked, clock.now())
    audit_record(action=CrisisAudit.TASK_ADDED, obj=locked, actor=actor, changes={"task": task.title})
    return task


@transaction.atomic
def crisis_task_done(*, task: CrisisTask, actor: User) -> CrisisTask:
    check_manage(actor)
    locked = _lock_crisis(task.crisis_id, None)
    row = CrisisTask.objects.select_for_update().get(pk=task.pk)
    if row.done_at is None:
        now = clock.now()
        CrisisTask.objects.filter(pk=row.pk).update(done_at=now, done_by=actor)
        _bump(locked, now)
        audit_record(action=CrisisAudit.TASK_DONE, obj=locked, actor=actor, changes={"task": row.title})
        row.refresh_from_db()
    return row


@transaction.atomic
def crisis_record_communication(*, crisis: Crisis, actor: User, audience: str, body: str, subject: str = "") -> Communication:
    """A line of the communication log: what was said to whom (internal, media, regulator…)."""
    check_manage(actor)
    if audience not in Audience.values:
        raise ValidationFailed({"audience": [_("Choose a valid audience.")]}, code="audience_invalid")
    locked = _lock_crisis(crisis.pk, None)
    now = clock.now()
    entry = Communication.objects.create(
        crisis=locked,
        audience=audience,
        subject=_text(subject, field="subject", required=False, limit=200),
        body=_text(body, field="body"),
        recorded_by=actor,
        created_at=now,
    )
    _bump(locked, now)
    audit_record(action=CrisisAudit.COMMUNICATION_RECORDED, obj=locked, actor=actor, changes={"audience": audience})
    return entry


@transaction.atomic
def crisis_notify_customers(*, crisis: Crisis, actor: User, body: str) -> Communication:
    """The customer notice: every affected customer (one message set per customer, about their
    latest linked ticket), through the notifications outbox in their language and channels."""
    check_manage(actor)
    text = _text(body, field="body", limit=1000)
    locked = _lock_crisis(crisis.pk, None)
    now = clock.now()
    latest: dict[int, Ticket] = {}
    for ticket in locked.tickets.select_related("customer", "customer__user").order_by("created_at", "pk"):
        latest[ticket.customer_id] = ticket
    queued = 0
    for ticket in latest.values():
        queued += len(
            notify_ticket_customer(
                ticket=ticket,
                template="crisis.customer_notice",
                subject=_("Important notice about your product"),
                body=_("about your request %(number)s we would like to inform you: %(message)s"),
                params={"message": text},
            )
        )
        timeline(
            ticket=ticket,
            actor=actor,
            kind=EventKind.NOTE,
            public=True,
            body=text,
            data={"action": "crisis_notice", "crisis": locked.pk},
        )
    entry = Communication.objects.create(
        crisis=locked,
        audience=Audience.CUSTOMERS,
        subject="",
        body=text,
        recipients=len(latest),
        messages=queued,
        recorded_by=actor,
        created_at=now,
    )
    changes: dict[str, Any] = {}
    if locked.first_notice_at is None and latest:
        changes["first_notice_at"] = now
    _bump(locked, now, **changes)
    audit_record(
        action=CrisisAudit.CUSTOMERS_NOTIFIED, obj=locked, actor=actor, changes={"customers": len(latest), "messages": queued}
    )
    return entry


def crisis_link_tickets(*, crisis: Crisis, tickets: Iterable[Ticket], actor: User | None) -> int:
    """Link tickets to the crisis (each once), with a timeline entry on each; keeps the first ticket's time."""
    tickets = list(tickets)
    if not tickets:
        return 0
    have = set(crisis.tickets.filter(pk__in=[t.pk for t in tickets]).values_list("pk", flat=True))
    new = [t for t in tickets if t.pk not in have]
    if not new:
        return 0
    crisis.tickets.add(*new)
    first = min(t.created_at for t in new)
    changes: dict[str, Any] = {}
    if crisis.first_ticket_at is None or first < crisis.first_ticket_at:
        changes["first_ticket_at"] = first
    Crisis.objects.filter(pk=crisis.pk).update(**changes, updated_at=clock.now())
    for ticket in new:
        timeline(
            ticket=ticket,
            actor=actor,
            kind=EventKind.NOTE,
            data={"action": "crisis_linked", "crisis": crisis.pk},
            text=deferred(_("Linked to crisis %(code)s."), code=crisis.code),
        )
    audit_record(
        action=CrisisAudit.TICKETS_LINKED,
        obj=crisis,
        actor=actor,
        actor_label="" if actor else ACTOR_SYSTEM,
        changes={"tickets": [t.number for t in new]},
    )
    return len(new)


def crises_link_new_ticket(*, ticket: Ticket) -> list[Crisis]:
    """A new ticket joins every open crisis whose scope it matches (its model, batch or region
    as the crisis names them: every named kind must match)."""
    linked = []
    for crisis in Crisis.objects.filter(status__in=OPEN_STATUSES).prefetch_related("scope_models", "scope_regions"):
        models_ = {m.pk for m in crisis.scope_models.all()}
        regions = {r.pk for r in crisis.scope_regions.all()}
        batches = set(crisis.scope_batches or [])
        if not (models_ or batches):
            continue  # a crisis without a product scope takes tickets by hand only
        if models_ and ticket.product_model_id not in models_:
            continue
        if batches and ticket.reported_batch not in batches:
            continue
        if regions and ticket.region_id not in regions:
            continue
        if crisis_link_tickets(crisis=crisis, tickets=[ticket], actor=None):
            linked.append(crisis)
    return linked


@transaction.atomic
def crisis_link_ticket_numbers(*, crisis: Crisis, actor: User, numbers: Iterable[str]) -> int:
    check_manage(actor)
    locked = _lock_crisis(crisis.pk, None)
    wanted = [n.strip() for n in numbers if n.strip()]
    found = list(Ticket.objects.filter(number__in=wanted))
    missing = sorted(set(wanted) - {t.number for t in found})
    if missing:
        raise ValidationFailed(
            {"tickets": [_("No ticket has the number %(number)s.") % {"number": missing[0]}]}, code="ticket_unknown"
        )
    return crisis_link_tickets(crisis=locked, tickets=found, actor=actor)
