"""The trip log's services: opening (province, dates, own work orders and advance), logging days
(limits, 24 hours a day, own work orders only), submitting (the days enclosed), the reviewers'
approval (the labour reconciled per work order, differences flagged, the cost frozen) and return,
cancelling; who may do each; every change audited and raising the version."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.fieldservice.models import ChargePolicy, WorkOrder
from aftersales.travel import services
from aftersales.travel.models import Trip, TripLabour, TripStatus
from aftersales.travel.reconcile import reconcile

from .factories import advance, finance, job, staff, team_with_leader, technician
from .trip_factories import days_ago, log, submitted, trip

pytestmark = pytest.mark.django_db
T = TripStatus


def actions_of(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_id=str(obj.pk), object_type="travel.trip")
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def policy():
    return ChargePolicy.objects.create(name="2026", labour_cost_per_hour=Decimal("60.00"), valid_from=dt.date(2020, 1, 1))


def test_a_technician_opens_a_trip_numbered_per_day_with_the_province_normalised():
    tech = technician()
    wo = job(tech)
    money = advance(tech)
    opened = trip(tech, province="jiangsu", work_orders=[wo], advance=money.number)
    assert opened.number == f"CC-{clock.local_today():%Y%m%d}-0001" and opened.status == T.OPEN and opened.version == 1
    assert opened.province == "江苏省" and opened.destination == "江苏省苏州"
    assert list(opened.work_orders.all()) == [wo] and opened.advance == money
    assert trip(tech).number.endswith("-0002")
    assert actions_of(opened) == ["travel.trip_opened"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"province": "Atlantis"}, "province"),
        ({"purpose": "  "}, "purpose"),
        ({"planned_until": dt.date(2020, 1, 1)}, "planned_until"),
        ({"planned_from": None}, "planned_from"),
        ({"departed_on": clock.local_today() + dt.timedelta(days=1)}, "departed_on"),
        ({"advance": "JK-19990101-0001"}, "advance"),
    ],
)
def test_opening_refuses_bad_input_naming_the_field(change, field):
    with pytest.raises(ValidationFailed) as excinfo:
        trip(technician(), **change)
    assert field in excinfo.value.errors
    assert Trip.objects.count() == 0


def test_only_his_own_work_orders_and_only_a_technician_opens():
    tech, other = technician(), technician()
    with pytest.raises(ValidationFailed) as excinfo:
        trip(tech, work_orders=[job(other)])
    assert "work_orders" in excinfo.value.errors
    with pytest.raises(PermissionDenied):
        trip(finance())


def test_the_same_form_sent_twice_opens_one_trip():
    tech = technician()
    first = trip(tech, idempotency_key="k-1")
    again = trip(tech, idempotency_key="k-1")
    assert again.pk == first.pk and Trip.objects.count() == 1
    with pytest.raises(Conflict):
        trip(tech, idempotency_key="k-1", purpose="另一件事")


def test_logging_a_day_links_the_work_order_raises_the_version_and_is_audited():
    tech = technician()
    wo = job(tech)
    opened = trip(tech)
    entry = log(opened, work_order=wo, hours="6.5")
    opened.refresh_from_db()
    assert entry.working_hours == Decimal("6.50") and entry.km == Decimal("35.0") and entry.overnight
    assert list(opened.work_orders.all()) == [wo] and opened.version == 2
    assert actions_of(opened) == ["travel.trip_opened", "travel.trip_entry_added"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"day": days_ago(10)}, "day"),
        ({"day": clock.local_today() + dt.timedelta(days=1)}, "day"),
        ({"hours": "25"}, "working_hours"),
        ({"hours": "abc"}, "working_hours"),
        ({"travel_hours": "-1"}, "travel_hours"),
        ({"km": "-3"}, "km"),
        ({"activity": ""}, "activity"),
        ({"place": ""}, "place"),
    ],
)
def test_a_bad_line_is_refused_naming_the_field(change, field):
    opened = trip(technician())
    with pytest.raises(ValidationFailed) as excinfo:
        log(opened, **change)
    assert field in excinfo.value.errors
    assert opened.entries.count() == 0


def test_a_day_holds_at_most_24_hours_and_only_his_work_orders():
    tech = technician()
    opened = trip(tech)
    log(opened, hours="12", travel_hours="4")
    with pytest.raises(ValidationFailed) as excinfo:
        log(opened, hours="8", travel_hours="1")
    assert "working_hours" in excinfo.value.errors
    with pytest.raises(ValidationFailed) as excinfo:
        log(opened, day=days_ago(1), work_order=job(technician()))
    assert "work_order" in excinfo.value.errors or "work_orders" in excinfo.value.errors


def test_nobody_else_logs_on_his_trip_and_a_submitted_log_is_closed():
    tech = technician()
    wo = job(tech)
    opened = trip(tech)
    with pytest.raises(PermissionDenied):
        services.trip_entry_add(trip=opened, actor=technician(), day=days_ago(1), place="x", activity="y")
    log(opened, work_order=wo)
    done = services.trip_submit(trip=opened, actor=tech)
    with pytest.raises(DomainError) as excinfo:
        log(done)
    assert excinfo.value.code == "trip_not_editable"
    with pytest.raises(DomainError):
        services.trip_entry_remove(trip=done, actor=tech, entry_id=done.entries.first().pk)


def test_removing_a_line_is_audited_and_a_foreign_line_is_not_found():
    tech = technician()
    opened = trip(tech)
    entry = log(opened)
    other = log(trip(technician()))
    with pytest.raises(NotFound):
        services.trip_entry_remove(trip=opened, actor=tech, entry_id=other.pk)
    services.trip_entry_remove(trip=opened, actor=tech, entry_id=entry.pk)
    assert opened.entries.count() == 0
    assert actions_of(opened)[-1] == "travel.trip_entry_removed"


def test_submitting_needs_a_log_and_dates_that_enclose_it():
    tech = technician()
    opened = trip(tech, departed_on=None)
    with pytest.raises(ValidationFailed) as excinfo:
        services.trip_submit(trip=opened, actor=tech)
    assert "entries" in excinfo.value.errors
    log(opened, day=days_ago(2))
    log(opened, day=days_ago(1))
    with pytest.raises(ValidationFailed) as excinfo:
        services.trip_submit(trip=opened, actor=tech, returned_on=days_ago(2))
    assert "returned_on" in excinfo.value.errors
    with pytest.raises(ValidationFailed) as excinfo:
        services.trip_submit(trip=opened, actor=tech, departed_on=days_ago(1))
    assert "departed_on" in excinfo.value.errors
    done = services.trip_submit(trip=opened, actor=tech, expected_version=3)
    assert done.status == T.SUBMITTED and done.departed_on == days_ago(2) and done.returned_on == days_ago(1)
    assert done.submitted_at is not None and actions_of(done)[-1] == "travel.trip_submitted"


def test_a_stale_version_is_a_conflict():
    tech = technician()
    opened = trip(tech)
    log(opened)
    with pytest.raises(Conflict):
        services.trip_submit(trip=opened, actor=tech, expected_version=1)


def test_the_reconciliation_compares_the_work_order_hours_with_those_logged(policy):
    tech = technician()
    matching, short, linked_only = job(tech), job(tech), job(tech)
    WorkOrder.objects.filter(pk=matching.pk).update(labour_hours=Decimal("8.00"))
    WorkOrder.objects.filter(pk=short.pk).update(labour_hours=Decimal("2.00"))
    WorkOrder.objects.filter(pk=linked_only.pk).update(labour_hours=Decimal("3.00"))
    opened = trip(tech, work_orders=[linked_only])
    log(opened, day=days_ago(2), work_order=matching, hours="7.75")
    log(opened, day=days_ago(1), work_order=short, hours="6")
    log(opened, day=days_ago(1), hours="2")  # on no work order
    figures = reconcile(opened)
    rows = {row.work_order.number: row for row in figures.rows}
    assert set(rows) == {matching.number, short.number, linked_only.number}
    assert not rows[matching.number].flagged  # 0.25 h within the tolerance
    assert rows[short.number].difference == Decimal("4.00") and rows[short.number].flagged
    assert rows[linked_only.number].logged_hours == 0 and rows[linked_only.number].flagged
    assert rows[short.number].cost == Decimal("360.00") and figures.cost == Decimal("825.00")
    assert figures.working_hours == Decimal("15.75") and figures.unassigned_hours == Decimal("2.00")
    assert figures.nights == 2 and figures.days == 2 and figures.flagged == 2


def test_hours_logged_on_his_other_trips_count_against_the_work_order(policy):
    tech = technician()
    wo = job(tech)
    WorkOrder.objects.filter(pk=wo.pk).update(labour_hours=Decimal("12.00"))
    submitted(tech, wo, hours="6")
    second = trip(tech)
    log(second, work_order=wo, hours="6")
    row = reconcile(second).rows[0]
    assert row.other_trips_hours == Decimal("6.00") and row.difference == 0 and not row.flagged


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR, Role.FINANCE])
def test_a_reviewer_approves_and_the_labour_cost_is_frozen(policy, role):
    tech = technician()
    wo = job(tech)
    WorkOrder.objects.filter(pk=wo.pk).update(labour_hours=Decimal("8.00"))
    done = submitted(tech, wo)
    approved = services.trip_approve(trip=done, actor=staff(role), expected_version=done.version)
    assert approved.status == T.APPROVED and approved.decided_by is not None
    labour = TripLabour.objects.get(trip=approved)
    assert (labour.work_order_hours, labour.approved_hours, labour.rate, labour.cost) == (
        Decimal("8.00"),
        Decimal("8.00"),
        Decimal("60.00"),
        Decimal("480.00"),
    )
    event = AuditEvent.objects.get(object_id=str(approved.pk), action="travel.trip_approved")
    assert event.changes["cost"] == "480.00" and event.changes["labour"][0]["work_order"] == wo.number
    # The work order is the job's record: the approval does not rewrite it.
    wo.refresh_from_db()
    assert wo.labour_hours == Decimal("8.00") and wo.cost_labour == 0
    # Frozen: a new rate later leaves the approved cost alone.
    ChargePolicy.objects.create(name="2027", labour_cost_per_hour=Decimal("90.00"), valid_from=dt.date(2021, 1, 1))
    figures = reconcile(approved)
    assert figures.frozen and figures.cost == Decimal("480.00")


def test_a_difference_needs_the_reviewers_note(policy):
    tech = technician()
    wo = job(tech)  # 0 labour hours on the work order
    done = submitted(tech, wo)
    reviewer = staff(Role.SUPERVISOR)
    with pytest.raises(ValidationFailed) as excinfo:
        services.trip_approve(trip=done, actor=reviewer)
    assert "note" in excinfo.value.errors and TripLabour.objects.count() == 0
    approved = services.trip_approve(trip=done, actor=reviewer, note="工单工时漏填，已通知调度补录")
    assert approved.status == T.APPROVED and TripLabour.objects.get().cost == Decimal("480.00")


def test_returned_then_corrected_and_submitted_again():
    tech = technician()
    wo = job(tech)
    done = submitted(tech, wo)
    reviewer = finance()
    with pytest.raises(ValidationFailed) as excinfo:
        services.trip_return(trip=done, actor=reviewer, reason=" ")
    assert "reason" in excinfo.value.errors
    back = services.trip_return(trip=done, actor=reviewer, reason="12月5日工时有误")
    assert back.status == T.RETURNED and back.return_reason == "12月5日工时有误"
    log(back, day=days_ago(1), work_order=wo, hours="2")
    again = services.trip_submit(trip=back, actor=tech)
    assert again.status == T.SUBMITTED
    assert actions_of(again)[-4:] == [
        "travel.trip_submitted",
        "travel.trip_returned",
        "travel.trip_entry_added",
        "travel.trip_submitted",
    ]


def test_who_may_review():
    team, leader = team_with_leader()
    tech = technician(team=team)
    done = submitted(tech, job(tech))
    for refused in (tech, leader, technician(), staff(Role.AGENT)):
        with pytest.raises(PermissionDenied):
            services.trip_approve(trip=done, actor=refused, note="x")
    region = Region.objects.create(code="north", name="华北")
    elsewhere = staff(Role.SUPERVISOR, data_scope=DataScope.REGION, region=region)
    with pytest.raises(PermissionDenied):
        services.trip_return(trip=done, actor=elsewhere, reason="x")
    # A finance user on a trip of his own (were he a technician) — nobody reviews his own: the
    # superuser technician case.
    own = staff(Role.TECHNICIAN, is_superuser=True)
    mine = submitted(own, job(own))
    with pytest.raises(PermissionDenied) as excinfo:
        services.trip_approve(trip=mine, actor=own, note="x")
    assert excinfo.value.code == "own_trip"


def test_cancel_while_open_or_returned_only_by_him():
    tech = technician()
    opened = trip(tech)
    with pytest.raises(PermissionDenied):
        services.trip_cancel(trip=opened, actor=finance())
    cancelled = services.trip_cancel(trip=opened, actor=tech, reason="行程取消")
    assert cancelled.status == T.CANCELLED and actions_of(cancelled)[-1] == "travel.trip_cancelled"
    done = submitted(tech, job(tech))
    with pytest.raises(DomainError) as excinfo:
        services.trip_cancel(trip=done, actor=tech)
    assert excinfo.value.code == "illegal_transition"
