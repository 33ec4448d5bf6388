"""The trip log (出差日志): the technician opens a trip, logs his days (``TripLogEntry``), submits
it (its reviewers are told); a reviewer (supervisor, administrator, finance; never his own)
approves it — the labour per work order reconciled and its cost frozen in ``TripLabour``
(``reconcile``) — or returns it with the reason; the technician corrects and submits again, or cancels it while it is open or
returned. Every change is audited in its transaction and raises the trip's ``version``.

The approval records the reconciled hours and cost for production management's labour costing;
it does not change the work order (its labour hours are the job's record, costed and charged by
field service when the job is done) — see docs/travel.md, "Trip log".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.accounts.provinces import province_name
from aftersales.audit.services import audit_record
from aftersales.core import clock, idempotency
from aftersales.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from aftersales.core.money import read_amount

from .. import notify
from ..audit_actions import TravelAudit
from ..models import AdvanceStatus, CashAdvance, Trip, TripLabour, TripLogEntry, TripStatus
from ..reconcile import reconcile
from ..states import TRIP_EDITABLE, TRIP_MOVES
from ..trip_permissions import check_open, check_own_trip, check_review
from .advances import TRIP_AHEAD_DAYS, TRIP_MAX_DAYS, _work_orders
from .common import lock, move, next_number, text

T = TripStatus
HOURS_IN_DAY = Decimal("24")
MAX_KM = Decimal("5000")
HUNDREDTH = Decimal("0.01")


def _planned(planned_from: dt.date | None, planned_until: dt.date | None) -> tuple[dt.date, dt.date]:
    if planned_from is None:
        raise ValidationFailed({"planned_from": [_("Enter the first day of the trip.")]}, code="planned_from_required")
    if planned_until is None:
        raise ValidationFailed({"planned_until": [_("Enter the last day of the trip.")]}, code="planned_until_required")
    if planned_until < planned_from:
        raise ValidationFailed({"planned_until": [_("The trip cannot end before it starts.")]}, code="trip_invalid")
    if (planned_until - planned_from).days > TRIP_MAX_DAYS:
        raise ValidationFailed(
            {"planned_until": [_("A trip of at most %(days)d days.") % {"days": TRIP_MAX_DAYS}]}, code="trip_invalid"
        )
    if planned_from > clock.local_today() + dt.timedelta(days=TRIP_AHEAD_DAYS):
        raise ValidationFailed({"planned_from": [_("The trip is more than a year away.")]}, code="trip_invalid")
    return planned_from, planned_until


def _not_future(day: dt.date | None, *, field: str) -> dt.date | None:
    if day is not None and day > clock.local_today():
        raise ValidationFailed({field: [_("This day has not come yet.")]}, code=f"{field}_in_future")
    return day


def _advance(technician: User, number: str | None) -> CashAdvance | None:
    wanted = (number or "").strip().upper()
    if not wanted:
        return None
    found = (
        CashAdvance.objects.filter(technician=technician, number=wanted)
        .exclude(status__in=[AdvanceStatus.REJECTED, AdvanceStatus.CANCELLED])
        .first()
    )
    if found is None:
        raise ValidationFailed({"advance": [_("Not one of your cash advances.")]}, code="advance_invalid")
    return found


def _hours(value: object, *, field: str) -> Decimal:
    hours = read_amount(value, field=field).quantize(HUNDREDTH)
    if hours < 0 or hours > HOURS_IN_DAY:
        raise ValidationFailed({field: [_("Enter hours from 0 to 24.")]}, code=f"{field}_invalid")
    return hours


def _km(value: object) -> Decimal:
    km = read_amount(value, field="km").quantize(Decimal("0.1"))
    if km < 0 or km > MAX_KM:
        raise ValidationFailed({"km": [_("Enter a distance from 0 to %(max)s km.") % {"max": MAX_KM}]}, code="km_invalid")
    return km


def _remembered(owner: str, key: str | None, fingerprint: list[Any]) -> tuple[Any, Trip | None]:
    """The idempotency record of a trip being opened, or the trip a first sending opened."""
    clean = idempotency.clean_key(key, field="idempotency_key")
    if clean is None:
        return None, None
    digest = hashlib.sha256(json.dumps(fingerprint, ensure_ascii=False).encode()).hexdigest()
    try:
        with transaction.atomic():
            return idempotency.remember(owner=owner, key=clean, fingerprint=digest), None
    except IntegrityError:
        pass
    found = idempotency.find(owner=owner, key=clean, fingerprint=digest, field="idempotency_key")
    if found is not None and found.object_id is not None:
        return None, Trip.objects.get(pk=found.object_id)
    raise Conflict(_("This trip is being opened already; reload the page."), code="trip_in_progress")


@transaction.atomic
def trip_open(
    *,
    actor: User,
    province: str,
    city: str = "",
    purpose: str,
    planned_from: dt.date | None,
    planned_until: dt.date | None,
    departed_on: dt.date | None = None,
    work_orders: Sequence[str] = (),
    advance: str | None = None,
    idempotency_key: str | None = None,
) -> Trip:
    """A technician opens a trip for himself: where (a province of ``accounts.provinces`` and the
    city), what for, the planned days, optionally the day he left, his work orders and his cash
    advance for it. With ``idempotency_key`` a form sent twice opens one trip."""
    check_open(actor)
    where = province_name(province or "")
    if not where:
        raise ValidationFailed({"province": [_("Choose a province.")]}, code="province_invalid")
    town = text(city, field="city", limit=32)
    why = text(purpose, field="purpose", required=True, limit=500, message=_("Say what the trip is for."))
    start, end = _planned(planned_from, planned_until)
    departed = _not_future(departed_on, field="departed_on")
    jobs = _work_orders(actor, work_orders)
    money = _advance(actor, advance)
    record, earlier = _remembered(
        f"travel-trip:{actor.pk}",
        idempotency_key,
        [where, town, why, str(start), str(end), str(departed), [wo.number for wo in jobs], money.number if money else ""],
    )
    if earlier is not None:
        return earlier
    now = clock.now()
    trip = Trip.objects.create(
        number=next_number("CC"),
        technician=actor,
        province=where,
        city=town,
        purpose=why,
        planned_from=start,
        planned_until=end,
        departed_on=departed,
        advance=money,
        created_at=now,
        updated_at=now,
    )
    if jobs:
        trip.work_orders.set(jobs)
    if record is not None:
        record.object_id = trip.pk
        record.save(update_fields=["object_id"])
    audit_record(
        action=TravelAudit.TRIP_OPENED,
        obj=trip,
        actor=actor,
        changes={
            "destination": trip.destination,
            "planned": [str(start), str(end)],
            "departed_on": str(departed) if departed else None,
            "purpose": why,
            "work_orders": [wo.number for wo in jobs],
            "advance": money.number if money else None,
        },
    )
    return trip


def _editable(actor: User, trip_id: int, expected_version: int | None) -> Trip:
    locked = lock(Trip, trip_id, expected_version=expected_version)
    check_own_trip(actor, locked)
    if locked.status not in TRIP_EDITABLE:
        raise DomainError(
            _("The log of a submitted, approved or cancelled trip cannot be changed."), code="trip_not_editable", field="status"
        )
    return locked


def _touch(trip: Trip) -> None:
    trip.version += 1
    trip.updated_at = clock.now()
    trip.save(update_fields=["version", "updated_at"])


@transaction.atomic
def trip_entry_add(
    *,
    trip: Trip,
    actor: User,
    day: dt.date | None,
    place: str,
    activity: str,
    work_order: str | None = None,
    working_hours: object = 0,
    travel_hours: object = 0,
    overnight: bool = False,
    km: object = 0,
    expected_version: int | None = None,
) -> TripLogEntry:
    """One line of the log: the day (from the day he left, else the planned first day, to today;
    at most 24 hours on one day), the place, what he did, optionally the work order (one of his;
    linked to the trip if it was not), the hours worked and travelled, the night, the km."""
    locked = _editable(actor, trip.pk, expected_version)
    if day is None:
        raise ValidationFailed({"day": [_("Enter the day.")]}, code="day_required")
    _not_future(day, field="day")
    start = locked.departed_on or locked.planned_from
    if day < start:
        raise ValidationFailed(
            {"day": [_("The trip started on %(day)s; log days from then on.") % {"day": start.isoformat()}]},
            code="day_before_trip",
        )
    if (day - start).days > TRIP_MAX_DAYS:
        raise ValidationFailed({"day": [_("A trip of at most %(days)d days.") % {"days": TRIP_MAX_DAYS}]}, code="day_after_trip")
    where = text(place, field="place", required=True, limit=100, message=_("Say where you were."))
    what = text(activity, field="activity", required=True, message=_("Say what you did."))
    working = _hours(working_hours, field="working_hours")
    travelling = _hours(travel_hours, field="travel_hours")
    distance = _km(km)
    logged = locked.entries.filter(day=day).aggregate(w=Sum("working_hours"), t=Sum("travel_hours"))
    if (logged["w"] or 0) + (logged["t"] or 0) + working + travelling > HOURS_IN_DAY:
        raise ValidationFailed(
            {"working_hours": [_("With this line the hours of %(day)s pass 24.") % {"day": day.isoformat()}]},
            code="day_over_24_hours",
        )
    job = None
    if work_order:
        job = _work_orders(locked.technician, [work_order])[0]
        locked.work_orders.add(job)
    entry = TripLogEntry.objects.create(
        trip=locked,
        day=day,
        place=where,
        activity=what,
        work_order=job,
        working_hours=working,
        travel_hours=travelling,
        overnight=bool(overnight),
        km=distance,
        created_by=actor,
        created_at=clock.now(),
    )
    _touch(locked)
    audit_record(
        action=TravelAudit.TRIP_ENTRY_ADDED,
        obj=locked,
        actor=actor,
        changes={
            "entry": entry.pk,
            "day": str(day),
            "work_order": job.number if job else None,
            "working_hours": str(working),
            "travel_hours": str(travelling),
            "overnight": entry.overnight,
            "km": str(distance),
        },
    )
    return entry


@transaction.atomic
def trip_entry_remove(*, trip: Trip, actor: User, entry_id: int, expected_version: int | None = None) -> Trip:
    locked = _editable(actor, trip.pk, expected_version)
    entry = locked.entries.select_related("work_order").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("No such line in this trip's log."), code="entry_not_found")
    changes = {
        "entry": entry.pk,
        "day": str(entry.day),
        "work_order": entry.work_order.number if entry.work_order else None,
        "working_hours": str(entry.working_hours),
        "travel_hours": str(entry.travel_hours),
    }
    entry.delete()
    _touch(locked)
    audit_record(action=TravelAudit.TRIP_ENTRY_REMOVED, obj=locked, actor=actor, changes=changes)
    return locked


@transaction.atomic
def trip_submit(
    *,
    trip: Trip,
    actor: User,
    departed_on: dt.date | None = None,
    returned_on: dt.date | None = None,
    expected_version: int | None = None,
) -> Trip:
    """The technician hands in the log: the day he left and came back (by default the trip's, else
    its first and last logged day) enclose every logged day; he came back by today."""
    locked = lock(Trip, trip.pk, expected_version=expected_version)
    check_own_trip(actor, locked)
    TRIP_MOVES.check(locked.status, T.SUBMITTED)
    days = locked.entries.order_by("day").values_list("day", flat=True)
    first, last = days.first(), locked.entries.order_by("-day").values_list("day", flat=True).first()
    if first is None or last is None:
        raise ValidationFailed({"entries": [_("Log at least one day before submitting.")]}, code="log_empty")
    departed = _not_future(departed_on, field="departed_on") or locked.departed_on or first
    # By default the later of the day given before (a returned log) and the last logged day.
    returned = _not_future(returned_on, field="returned_on") or max(locked.returned_on or last, last)
    if departed > first:
        raise ValidationFailed(
            {"departed_on": [_("Days are logged from %(day)s, before this day.") % {"day": first.isoformat()}]},
            code="departed_after_log",
        )
    if returned < last:
        raise ValidationFailed(
            {"returned_on": [_("Days are logged until %(day)s, after this day.") % {"day": last.isoformat()}]},
            code="returned_before_log",
        )
    _not_future(returned, field="returned_on")
    locked.departed_on, locked.returned_on, locked.submitted_at = departed, returned, clock.now()
    submitted = move(
        locked,
        table=TRIP_MOVES,
        kind="trip",
        to=T.SUBMITTED,
        actor=actor,
        fields={"departed_on", "returned_on", "submitted_at"},
        changes={"departed_on": str(departed), "returned_on": str(returned)},
    )
    notify.trip_submitted(submitted, hours=submitted.entries.aggregate(h=Sum("working_hours"))["h"] or Decimal("0.00"))
    return submitted


@transaction.atomic
def trip_approve(*, trip: Trip, actor: User, note: str = "", expected_version: int | None = None) -> Trip:
    """A reviewer approves the log: the labour per work order is reconciled and frozen in
    ``TripLabour`` (the hours logged on this trip approved, priced at the policy's labour cost per
    hour). With a difference flagged the reviewer says why he accepts it (``note``)."""
    why = text(note, field="note")
    locked = lock(Trip, trip.pk, expected_version=expected_version)
    check_review(actor, locked)
    TRIP_MOVES.check(locked.status, T.APPROVED)
    figures = reconcile(locked)
    if figures.flagged and not why:
        raise ValidationFailed(
            {"note": [_("The hours differ from the work orders'; say why you approve them anyway.")]},
            code="note_required",
        )
    TripLabour.objects.bulk_create(
        [
            TripLabour(
                trip=locked,
                work_order=row.work_order,
                work_order_hours=row.work_order_hours,
                logged_hours=row.logged_hours,
                approved_hours=row.logged_hours,
                rate=row.rate,
                cost=row.cost,
            )
            for row in figures.rows
        ]
    )
    locked.decided_by, locked.decided_at = actor, clock.now()
    approved = move(
        locked,
        table=TRIP_MOVES,
        kind="trip",
        to=T.APPROVED,
        actor=actor,
        fields={"decided_by", "decided_at"},
        changes={
            "note": why,
            "rate": str(figures.rate),
            "cost": str(figures.cost),
            "flagged": figures.flagged,
            "labour": [
                {
                    "work_order": row.work_order.number,
                    "work_order_hours": str(row.work_order_hours),
                    "approved_hours": str(row.logged_hours),
                    "cost": str(row.cost),
                }
                for row in figures.rows
            ],
        },
    )
    notify.trip_approved(approved, hours=sum((row.logged_hours for row in figures.rows), Decimal("0.00")), cost=figures.cost)
    return approved


@transaction.atomic
def trip_return(*, trip: Trip, actor: User, reason: str, expected_version: int | None = None) -> Trip:
    """A reviewer sends the log back to the technician, saying what to correct."""
    why = text(reason, field="reason", required=True, message=_("Say what is to be corrected."))
    locked = lock(Trip, trip.pk, expected_version=expected_version)
    check_review(actor, locked)
    TRIP_MOVES.check(locked.status, T.RETURNED)
    locked.decided_by, locked.decided_at, locked.return_reason = actor, clock.now(), why
    returned = move(
        locked,
        table=TRIP_MOVES,
        kind="trip",
        to=T.RETURNED,
        actor=actor,
        fields={"decided_by", "decided_at", "return_reason"},
        changes={"reason": why},
    )
    notify.trip_returned(returned)
    return returned


@transaction.atomic
def trip_cancel(*, trip: Trip, actor: User, reason: str = "", expected_version: int | None = None) -> Trip:
    """The technician cancels an open or returned trip (it did not happen, or was opened twice)."""
    why = text(reason, field="reason")
    locked = lock(Trip, trip.pk, expected_version=expected_version)
    check_own_trip(actor, locked)
    locked.cancel_reason = why
    return move(
        locked,
        table=TRIP_MOVES,
        kind="trip",
        to=T.CANCELLED,
        actor=actor,
        fields={"cancel_reason"},
        changes={"reason": why},
    )
