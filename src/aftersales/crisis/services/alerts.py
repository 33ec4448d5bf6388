"""Alerts: the detector's decision on a new ticket (urgent on safety words), alerts opened or
merged by the detector (safety words, spikes, media reports), confirmed as a crisis or dismissed
by a supervisor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductModel
from aftersales.core import clock
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.i18n import ACTOR_SYSTEM, deferred
from aftersales.notifications.services import notify_staff
from aftersales.parts.models import Part
from aftersales.tickets.choices import EventKind, Priority
from aftersales.tickets.models import Ticket, TicketCategory
from aftersales.tickets.process.common import timeline

from ..audit_actions import CrisisAudit
from ..models import Alert, AlertKind, AlertStatus, Crisis, CrisisLevel, CrisisStatus, CrisisType, Dimension, EmergencyPlan
from ..permissions import check_manage
from ..safety import SafetyHit
from ..spikes import FIELDS, Spike, curve, scan
from ..states import OPEN_STATUSES
from .crises import create_crisis
from .links import crisis_link_tickets
from .shared import MERGE_OVERLAP, MERGE_WINDOW, QUIET_AFTER_DISMISSAL, bump, clean_text, lock_alert, lock_crisis, watchers

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
        if existing is not None and existing.dimension in FIELDS:
            # The same cluster seen through another key (the batch's tickets as a spike of their
            # region): only the tickets of the alert's own key join it as evidence, not the
            # region's other tickets, and the alert keeps its own curve.
            field = FIELDS[existing.dimension]
            ids = [t.pk for t in tickets if str(getattr(t, field)) == existing.key]
            points = None
    regions = {t.region_id for t in tickets}
    models_ = {t.product_model_id for t in tickets}
    batches = {t.reported_batch for t in tickets}
    if existing is not None:
        locked = lock_alert(existing.pk, None)
        before = set(locked.tickets.values_list("pk", flat=True))
        new_ids = [i for i in ids if i not in before]
        locked.tickets.add(*new_ids)
        merged_words = list(dict.fromkeys([*locked.words, *words]))
        bump(
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
        users=watchers(alert.region_id),
        template="crisis.alert_opened",  # editable: notifications.template_events
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
    if spike.dimension == Dimension.COMPONENT:
        part = Part.objects.filter(pk=spike.key).first()
        return str(part) if part else spike.key
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
    reason = clean_text(reason, field="reason")
    locked = lock_alert(alert.pk, expected_version)
    if locked.status != AlertStatus.OPEN:
        raise Conflict(_("This alert was already decided."), code="alert_decided")
    now = clock.now()
    bump(locked, now, status=AlertStatus.DISMISSED, reason=reason, decided_at=now, decided_by=actor)
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
    locked = lock_alert(alert.pk, expected_version)
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
        crisis = create_crisis(
            actor=actor,
            title=clean_text(title, field="title", required=False, limit=200) or locked.key_label or str(locked),
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
        crisis = lock_crisis(crisis.pk, None)
        if crisis.status not in OPEN_STATUSES:
            raise Conflict(_("This crisis is no longer open."), code="crisis_closed")
    bump(locked, now, status=AlertStatus.CONFIRMED, decided_at=now, decided_by=actor, crisis=crisis)
    audit_record(action=CrisisAudit.ALERT_CONFIRMED, obj=locked, actor=actor, changes={"crisis": crisis.pk})
    crisis_link_tickets(crisis=crisis, tickets=tickets, actor=actor)
    crisis.refresh_from_db()
    return crisis
