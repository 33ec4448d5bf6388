"""Settlement with outlets: which work orders a statement takes, how the amounts are computed
(penalties for repeat repairs, adjustments), idempotent drafting, the status moves and their
guards, who may take each step, and the audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.outlets import services
from aftersales.outlets.models import Settlement, SettlementLine, SettlementStatus
from aftersales.outlets.services import Rates, line_amounts
from aftersales.outlets.tasks import draft_monthly_settlements

from .factories import OutletFactory, accepted_job, last_month, local, outlet_technician, outlet_with_people, staff

pytestmark = pytest.mark.django_db
S = SettlementStatus


@pytest.fixture
def setup():
    outlet, leader, tech = outlet_with_people()
    start, end = last_month()
    return {
        "outlet": outlet,
        "leader": leader,
        "tech": tech,
        "start": start,
        "end": end,
        "supervisor": staff(Role.SUPERVISOR),
        "finance": staff(Role.FINANCE),
    }


def draft(s, **kwargs):
    return services.settlement_draft(outlet=s["outlet"], actor=s["supervisor"], period_start=s["start"], **kwargs).settlement


def test_line_amounts_are_rounded_per_part_and_add_up():
    rates = Rates(Decimal("50"), Decimal("80.00"), Decimal("1.35"), Decimal("100"))
    parts = line_amounts(rates=rates, visits=1, hours=Decimal("1.25"), km=Decimal("12.3"), repeat=True, adjustment=Decimal("-5"))
    assert (parts.call_out, parts.labour, parts.travel, parts.penalty) == (
        Decimal("50.00"),
        Decimal("100.00"),
        Decimal("16.61"),  # 16.605 rounded half up
        Decimal("100.00"),
    )
    assert parts.amount == Decimal("61.61")
    assert line_amounts(rates=rates, visits=1, hours=Decimal(0), km=Decimal(0), repeat=False).penalty == 0


def test_a_month_statement_takes_the_outlets_accepted_jobs_of_the_period_only(setup):
    s = setup
    inside = accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"], 9), hours="2", km="10")
    last_day = accepted_job(outlet=s["outlet"], technician=s["leader"], accepted_at=local(s["end"], 23))
    accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["end"] + dt.timedelta(days=1), 0))  # next month
    accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"], 9), status="done")  # not accepted yet
    other = OutletFactory()
    accepted_job(outlet=other, technician=outlet_technician(other), accepted_at=local(s["start"], 12))
    accepted_job(outlet=None, technician=s["tech"], accepted_at=local(s["start"], 12))  # an own job of this technician

    statement = draft(s)
    lines = {line.work_order_id: line for line in statement.lines.all()}
    assert set(lines) == {inside.pk, last_day.pk}
    assert statement.status == S.DRAFT and statement.period_end == s["end"]
    line = lines[inside.pk]
    # 50 call-out + 2 h × 80 + 10 km × 1.50
    assert (line.call_out_amount, line.labour_amount, line.travel_amount, line.amount) == (
        Decimal("50.00"),
        Decimal("160.00"),
        Decimal("15.00"),
        Decimal("225.00"),
    )
    assert statement.line_count == 2 and statement.total_amount == Decimal("225.00") + lines[last_day.pk].amount
    assert statement.call_out_fee == Decimal("50.00") and statement.labour_rate == Decimal("80.00")
    event = AuditEvent.objects.get(action="outlets.settlement_drafted", object_id=str(statement.pk))
    assert event.actor == s["supervisor"] and event.changes["lines"] == 2


def test_drafting_again_returns_the_same_statement_and_a_job_is_never_on_two(setup):
    s = setup
    accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=3)))
    first = services.settlement_draft(outlet=s["outlet"], actor=s["supervisor"], period_start=s["start"])
    again = services.settlement_draft(outlet=s["outlet"], actor=s["finance"], period_start=s["start"], period_end=s["end"])
    assert first.created and not again.created and again.settlement.pk == first.settlement.pk
    assert Settlement.objects.count() == 1
    with pytest.raises(DomainError) as exc:  # another period overlapping the month
        services.settlement_draft(
            outlet=s["outlet"], actor=s["supervisor"], period_start=s["start"] + dt.timedelta(days=1), period_end=s["end"]
        )
    assert exc.value.code == "period_overlaps"
    line = SettlementLine.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():  # the database keeps it on one live statement
        SettlementLine.objects.create(
            settlement=Settlement.objects.create(
                number="X",
                outlet=s["outlet"],
                period_start=s["end"] + dt.timedelta(days=40),
                period_end=s["end"] + dt.timedelta(days=41),
                call_out_fee=0,
                labour_rate=0,
                travel_rate=0,
                repeat_penalty=0,
                drafted_at=line.completed_at,
                updated_at=line.completed_at,
            ),
            work_order=line.work_order,
            completed_at=line.completed_at,
        )


def test_a_cancelled_statement_frees_its_jobs_for_a_new_one(setup):
    s = setup
    job = accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=3)))
    first = draft(s)
    services.settlement_cancel(settlement=first, actor=s["supervisor"], reason="费率录错")
    assert not SettlementLine.objects.get(settlement=first).live
    second = draft(s)
    assert second.pk != first.pk and second.number != first.number
    assert list(second.lines.values_list("work_order_id", flat=True)) == [job.pk]


def test_a_repeat_repair_of_the_same_unit_within_the_window_is_penalised(setup, settings):
    s = setup
    settings.QUALITY_FTF_WINDOW_DAYS = 30
    first = accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=1)))
    serial = first.ticket.product_unit.serial_number
    # The customer calls again 5 days after the repair: same unit, a new repair ticket.
    again = accepted_job(
        outlet=s["outlet"], technician=s["leader"], accepted_at=local(s["start"] + dt.timedelta(days=7)), serial=serial
    )
    statement = draft(s)
    lines = {line.work_order_id: line for line in statement.lines.all()}
    assert lines[first.pk].penalty_amount == 0 and lines[first.pk].repeat_of == ""
    assert lines[again.pk].repeat_of == first.number and lines[again.pk].penalty_amount == Decimal("100.00")
    assert statement.total_penalty == Decimal("100.00")
    assert lines[again.pk].amount == lines[again.pk].call_out_amount + lines[again.pk].labour_amount + lines[
        again.pk
    ].travel_amount - Decimal("100.00")


def test_no_penalty_outside_the_window_or_for_another_outlets_repair(setup, settings):
    s = setup
    settings.QUALITY_FTF_WINDOW_DAYS = 3
    first = accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=1)))
    serial = first.ticket.product_unit.serial_number
    late = accepted_job(
        outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=10)), serial=serial
    )
    other = OutletFactory()
    elsewhere = accepted_job(
        outlet=other, technician=outlet_technician(other), accepted_at=local(s["start"] + dt.timedelta(days=2)), serial=serial
    )
    statement = draft(s)
    assert statement.total_penalty == 0
    assert SettlementLine.objects.get(work_order=late).repeat_of == ""
    assert services.repeat_of(elsewhere) is None  # the other outlet's first job of this unit


def test_adjusting_a_line_needs_a_reason_and_survives_recalculation(setup):
    s = setup
    accepted_job(
        outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=2)), hours="1", km="0"
    )
    statement = draft(s)
    line = statement.lines.get()
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_adjust_line(
            settlement=statement, line_id=line.pk, actor=s["supervisor"], adjustment="-20", reason=" "
        )
    assert exc.value.field == "reason"
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_adjust_line(
            settlement=statement, line_id=line.pk, actor=s["supervisor"], adjustment="abc", reason="x"
        )
    assert exc.value.field == "adjustment"
    services.settlement_adjust_line(
        settlement=statement, line_id=line.pk, actor=s["supervisor"], adjustment="-20", reason="客户投诉迟到"
    )
    statement.refresh_from_db()
    assert statement.total_adjustment == Decimal("-20.00") and statement.total_amount == Decimal("110.00")  # 50 + 80 − 20
    # A second job accepted in the period arrives; the contract's labour rate goes up.
    accepted_job(
        outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=4)), hours="1", km="0"
    )
    s["outlet"].labour_rate = Decimal("90.00")
    s["outlet"].save(update_fields=["labour_rate"])
    statement = services.settlement_recalculate(settlement=statement, actor=s["finance"], expected_version=statement.version)
    assert statement.line_count == 2 and statement.labour_rate == Decimal("90.00")
    assert statement.total_amount == Decimal("50") * 2 + Decimal("90") * 2 - Decimal("20")
    assert SettlementLine.objects.get(pk=line.pk).adjustment_reason == "客户投诉迟到"
    assert AuditEvent.objects.filter(action="outlets.settlement_line_adjusted", object_id=str(statement.pk)).count() == 1
    assert AuditEvent.objects.filter(action="outlets.settlement_recalculated", object_id=str(statement.pk)).count() == 1


def test_the_whole_way_from_draft_to_paid(setup):
    s = setup
    accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=2)))
    statement = draft(s)
    statement = services.settlement_dispute(settlement=statement, actor=s["leader"], reason="少算了一单")
    assert statement.status == S.DISPUTED and statement.dispute_reason == "少算了一单"
    statement = services.settlement_reopen(settlement=statement, actor=s["supervisor"])
    assert statement.status == S.DRAFT
    statement = services.settlement_confirm(settlement=statement, actor=s["leader"], expected_version=statement.version)
    assert statement.status == S.CONFIRMED and statement.confirmed_by == s["leader"]
    statement = services.settlement_approve(settlement=statement, actor=s["supervisor"])
    assert statement.status == S.APPROVED
    statement = services.settlement_pay(
        settlement=statement, actor=s["finance"], reference="ICBC-20261203-001", paid_on=s["end"] + dt.timedelta(days=3)
    )
    assert statement.status == S.PAID and statement.payment_reference == "ICBC-20261203-001"
    actions = list(
        AuditEvent.objects.filter(object_id=str(statement.pk), object_type="outlets.settlement")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "outlets.settlement_drafted",
        "outlets.settlement_disputed",
        "outlets.settlement_draft",
        "outlets.settlement_confirmed",
        "outlets.settlement_approved",
        "outlets.settlement_paid",
    ]


def test_moves_out_of_order_and_changes_after_the_draft_are_refused(setup):
    s = setup
    accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=2)))
    statement = draft(s)
    with pytest.raises(DomainError) as exc:
        services.settlement_approve(settlement=statement, actor=s["supervisor"])
    assert exc.value.code == "illegal_transition"
    with pytest.raises(DomainError) as exc:
        services.settlement_pay(settlement=statement, actor=s["finance"], reference="R1", paid_on=s["end"])
    assert exc.value.code == "illegal_transition"
    statement = services.settlement_confirm(settlement=statement, actor=s["leader"])
    line = statement.lines.get()
    with pytest.raises(DomainError) as exc:
        services.settlement_adjust_line(settlement=statement, line_id=line.pk, actor=s["supervisor"], adjustment="5", reason="x")
    assert exc.value.code == "settlement_not_draft"
    with pytest.raises(DomainError):
        services.settlement_cancel(settlement=statement, actor=s["supervisor"], reason="x")
    with pytest.raises(Conflict):
        services.settlement_approve(settlement=statement, actor=s["supervisor"], expected_version=statement.version - 1)
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_dispute(settlement=statement, actor=s["leader"], reason="")
    assert exc.value.field == "reason"


def test_payment_needs_a_unique_reference_and_a_past_day(setup):
    s = setup
    statements = []
    for _n in range(2):
        other, leader, tech = outlet_with_people()
        accepted_job(outlet=other, technician=tech, accepted_at=local(s["start"] + dt.timedelta(days=2)))
        st = services.settlement_draft(outlet=other, actor=s["supervisor"], period_start=s["start"]).settlement
        st = services.settlement_confirm(settlement=st, actor=leader)
        statements.append(services.settlement_approve(settlement=st, actor=s["finance"]))
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_pay(settlement=statements[0], actor=s["finance"], reference="", paid_on=s["end"])
    assert exc.value.field == "payment_reference"
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_pay(settlement=statements[0], actor=s["finance"], reference="R1", paid_on=dt.date(2099, 1, 1))
    assert exc.value.field == "paid_on"
    services.settlement_pay(settlement=statements[0], actor=s["finance"], reference="R1", paid_on=s["end"])
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_pay(settlement=statements[1], actor=s["finance"], reference="R1", paid_on=s["end"])
    assert exc.value.code == "reference_taken"


def test_who_may_take_each_step(setup):
    s = setup
    accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=2)))
    agent = staff(Role.AGENT)
    with pytest.raises(PermissionDenied):
        services.settlement_draft(outlet=s["outlet"], actor=agent, period_start=s["start"])
    with pytest.raises(PermissionDenied):
        services.settlement_draft(outlet=s["outlet"], actor=s["leader"], period_start=s["start"])
    statement = draft(s)
    _other_outlet, other_leader, _tech = outlet_with_people()
    for outsider in (s["tech"], other_leader, s["supervisor"], s["finance"]):
        with pytest.raises(PermissionDenied):  # only the outlet's own leader (or an administrator) answers
            services.settlement_confirm(settlement=statement, actor=outsider)
    statement = services.settlement_confirm(settlement=statement, actor=staff(Role.ADMINISTRATOR))
    with pytest.raises(PermissionDenied):
        services.settlement_approve(settlement=statement, actor=s["leader"])
    statement = services.settlement_approve(settlement=statement, actor=s["finance"])
    with pytest.raises(PermissionDenied):  # a supervisor approves but does not pay
        services.settlement_pay(settlement=statement, actor=s["supervisor"], reference="R9", paid_on=s["end"])
    assert Settlement.objects.get(pk=statement.pk).status == S.APPROVED


def test_the_monthly_job_drafts_once_per_active_outlet_with_work(setup):
    s = setup
    accepted_job(outlet=s["outlet"], technician=s["tech"], accepted_at=local(s["start"] + dt.timedelta(days=2)))
    OutletFactory()  # nothing to settle: no statement
    OutletFactory(active=False)
    assert draft_monthly_settlements.call() == 1
    assert draft_monthly_settlements.call() == 0
    statement = Settlement.objects.get()
    assert (
        statement.outlet == s["outlet"]
        and statement.drafted_by is None
        and (statement.period_start, statement.period_end) == (s["start"], s["end"])
    )
    services.settlement_cancel(settlement=statement, actor=s["supervisor"], reason="重新核对")
    assert draft_monthly_settlements.call() == 0  # a cancelled month is someone's decision


def test_a_period_that_has_not_started_is_refused(setup):
    s = setup
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_draft(outlet=s["outlet"], actor=s["supervisor"], period_start=dt.date(2099, 1, 1))
    assert exc.value.field == "period_start"
    with pytest.raises(ValidationFailed) as exc:
        services.settlement_draft(outlet=s["outlet"], actor=s["supervisor"], period_start=s["end"], period_end=s["start"])
    assert exc.value.field == "period_end"
