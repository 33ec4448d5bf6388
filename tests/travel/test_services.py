"""The travel services: every move of an advance and of a reimbursement, who may make it (never
one's own decision), amounts and rounding, the net both ways, a claim on one live reimbursement."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.fieldservice import services as fieldservice
from aftersales.fieldservice.models import ExpenseStatus
from aftersales.travel import selectors, services
from aftersales.travel.models import (
    AdvanceStatus,
    CashAdvance,
    LineKind,
    PaymentMethod,
    Reimbursement,
    ReimbursementLine,
    ReimbursementStatus,
)
from tests.factories import RegionFactory

from .factories import advance, claim, finance, job, paid_advance, staff, team_with_leader, technician

pytestmark = pytest.mark.django_db
A = AdvanceStatus
R = ReimbursementStatus


def actions_of(obj) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- advances ----------------------------------------------------------------------------------------


def test_a_technician_requests_an_advance_with_a_numbered_slip():
    tech = technician()
    mine = job(tech)
    requested = advance(tech, "1234.565", work_orders=[mine.number.lower()])
    today = clock.local_today()
    assert requested.number == f"JK-{today:%Y%m%d}-0001" and requested.status == A.REQUESTED
    assert requested.amount == Decimal("1234.57")  # rounded half up to the cent
    assert list(requested.work_orders.values_list("number", flat=True)) == [mine.number]
    assert advance(tech).number == f"JK-{today:%Y%m%d}-0002"
    assert actions_of(requested) == ["travel.advance_requested"] and requested.outstanding == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "0.004"}, "amount"),
        ({"purpose": "  "}, "purpose"),
        ({"trip_until": dt.date(2020, 1, 1)}, "trip_until"),
        ({"trip_from": None}, "trip_from"),
    ],
)
def test_a_bad_request_names_the_field(change, field):
    tech = technician()
    today = clock.local_today()
    data = {"purpose": "差旅", "amount": "100", "trip_from": today, "trip_until": today, **change}
    with pytest.raises(ValidationFailed) as caught:
        services.advance_request(actor=tech, **data)
    assert field in caught.value.errors
    assert not CashAdvance.objects.exists()


def test_the_work_orders_must_be_the_technicians_own():
    tech, other = technician(), technician()
    with pytest.raises(ValidationFailed) as caught:
        advance(tech, work_orders=[job(other).number])
    assert "work_orders" in caught.value.errors


@override_settings(TRAVEL_ADVANCE_MAX="1000")
def test_an_advance_above_the_configured_maximum_is_refused():
    tech = technician()
    with pytest.raises(ValidationFailed) as caught:
        advance(tech, "1000.01")
    assert caught.value.code == "amount_above_maximum" and "amount" in caught.value.errors
    assert advance(tech, "1000.00").amount == Decimal("1000.00")


@pytest.mark.parametrize("role", [Role.AGENT, Role.FINANCE, Role.SUPERVISOR])
def test_only_technicians_request_advances(role):
    with pytest.raises(PermissionDenied):
        advance(staff(role))


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR, Role.FINANCE])
def test_dispatchers_and_finance_approve(role):
    requested = advance(technician())
    approved = services.advance_approve(advance=requested, actor=staff(role), expected_version=1)
    assert approved.status == A.APPROVED and approved.version == 2 and approved.decided_by is not None


def test_the_team_leader_decides_his_members_advance_but_not_another_teams():
    team, leader = team_with_leader()
    member = technician(team=team)
    stranger = technician(team=team_with_leader()[0])
    rejected = services.advance_reject(advance=advance(member), actor=leader, reason="行程不需要预借")
    assert rejected.status == A.REJECTED and rejected.reject_reason == "行程不需要预借"
    with pytest.raises(PermissionDenied):
        services.advance_approve(advance=advance(stranger), actor=leader)


def test_nobody_decides_his_own_advance():
    _team, leader = team_with_leader()
    own = advance(leader)
    with pytest.raises(PermissionDenied) as caught:
        services.advance_approve(advance=own, actor=leader)
    assert caught.value.code == "own_advance"
    CashAdvance.objects.filter(pk=own.pk).update(technician=staff(Role.FINANCE).pk)  # a finance clerk's "own" advance
    boss = CashAdvance.objects.get(pk=own.pk).technician
    with pytest.raises(PermissionDenied):
        services.advance_approve(advance=own, actor=boss)


@pytest.mark.parametrize("role", [Role.AGENT, Role.WAREHOUSE, Role.QUALITY_MANAGER, Role.TECHNICIAN])
def test_other_staff_cannot_decide(role):
    with pytest.raises(PermissionDenied):
        services.advance_approve(advance=advance(technician()), actor=staff(role))


def test_a_region_scoped_supervisor_decides_only_his_regions_technicians():
    east, west = RegionFactory(), RegionFactory()
    supervisor = staff(Role.SUPERVISOR, data_scope=DataScope.REGION, region=east)
    services.advance_approve(advance=advance(technician(region=east)), actor=supervisor)
    with pytest.raises(PermissionDenied):
        services.advance_approve(advance=advance(technician(region=west)), actor=supervisor)


def test_rejecting_needs_a_reason():
    with pytest.raises(ValidationFailed) as caught:
        services.advance_reject(advance=advance(technician()), actor=finance(), reason=" ")
    assert "reason" in caught.value.errors


def test_finance_pays_an_approved_advance_and_it_is_outstanding():
    tech, payer = technician(), finance()
    approved = services.advance_approve(advance=advance(tech, "800"), actor=staff(Role.SUPERVISOR))
    with pytest.raises(PermissionDenied):
        services.advance_pay(advance=approved, actor=staff(Role.SUPERVISOR), method="cash", reference="R1")
    with pytest.raises(ValidationFailed) as caught:
        services.advance_pay(advance=approved, actor=payer, method="cheque", reference="R1")
    assert "payment_method" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        services.advance_pay(advance=approved, actor=payer, method="cash", reference="")
    assert "payment_reference" in caught.value.errors
    paid = services.advance_pay(advance=approved, actor=payer, method=PaymentMethod.CASH, reference="现金收据 001")
    assert paid.status == A.PAID and paid.paid_at is not None and paid.outstanding == Decimal("800.00")
    assert selectors.balance_of(tech).outstanding == Decimal("800.00")
    assert actions_of(paid) == ["travel.advance_requested", "travel.advance_approved", "travel.advance_paid"]


def test_a_requested_advance_cannot_be_paid_and_a_stale_version_is_a_conflict():
    requested = advance(technician())
    with pytest.raises(DomainError) as caught:
        services.advance_pay(advance=requested, actor=finance(), method="cash", reference="R")
    assert caught.value.code == "illegal_transition"
    with pytest.raises(Conflict):
        services.advance_approve(advance=requested, actor=finance(), expected_version=7)


def test_the_technician_cancels_his_request_only_while_it_is_requested():
    tech = technician()
    with pytest.raises(PermissionDenied):
        services.advance_cancel(advance=advance(tech), actor=technician())
    cancelled = services.advance_cancel(advance=advance(tech), actor=tech, reason="行程取消")
    assert cancelled.status == A.CANCELLED and cancelled.cancel_reason == "行程取消"
    approved = services.advance_approve(advance=advance(tech), actor=finance())
    with pytest.raises(DomainError):
        services.advance_cancel(advance=approved, actor=tech)


# --- reimbursements ----------------------------------------------------------------------------------


def test_a_positive_net_is_paid_to_the_technician_and_posting_settles_the_advance():
    tech, payer = technician(), finance()
    claims = [claim(tech, "650.00", decider=payer), claim(tech, "260.10", decider=payer)]
    claim(tech, "99.00")  # submitted, not approved: not on it
    earlier = paid_advance(tech, "800", payer=payer)
    drafted = services.reimbursement_draft(technician=tech, actor=payer)
    today = clock.local_today()
    assert drafted.number == f"BX-{today:%Y%m%d}-0001" and drafted.status == R.DRAFT
    assert (drafted.total_claims, drafted.total_advances, drafted.net) == (
        Decimal("910.10"),
        Decimal("800.00"),
        Decimal("110.10"),
    )
    assert drafted.direction == "pay"
    kinds = sorted(ReimbursementLine.objects.filter(reimbursement=drafted).values_list("kind", "amount"))
    assert kinds == [
        (LineKind.ADVANCE, Decimal("800.00")),
        (LineKind.CLAIM, Decimal("260.10")),
        (LineKind.CLAIM, Decimal("650.00")),
    ]
    # While a draft, the advance is still outstanding and the claims not reimbursed.
    assert CashAdvance.objects.get(pk=earlier.pk).status == A.PAID
    assert not services.eligible_claims(tech.pk).filter(pk__in=[c.pk for c in claims]).exists()
    posted = services.reimbursement_post(reimbursement=drafted, actor=payer, expected_version=1)
    assert posted.status == R.POSTED and posted.posted_at is not None
    settled = CashAdvance.objects.get(pk=earlier.pk)
    assert settled.status == A.SETTLED and settled.outstanding == 0 and settled.settled_at is not None
    assert selectors.balance_of(tech).outstanding == 0 and selectors.balance_of(tech).claims_due == 0
    assert "travel.advance_settled" in actions_of(settled)
    closed = services.reimbursement_close(reimbursement=posted, actor=payer, method="bank_transfer", reference="ICBC-9")
    assert closed.status == R.CLOSED and closed.payout_reference == "ICBC-9"
    assert actions_of(closed) == ["travel.reimbursement_drafted", "travel.reimbursement_posted", "travel.reimbursement_closed"]


def test_a_negative_net_means_the_technician_returns_cash():
    tech, payer = technician(), finance()
    claim(tech, "120.00", decider=payer)
    paid_advance(tech, "500", payer=payer)
    drafted = services.reimbursement_draft(technician=tech, actor=tech)  # the technician drafts his own
    assert drafted.net == Decimal("-380.00") and drafted.direction == "return"
    with pytest.raises(PermissionDenied):
        services.reimbursement_post(reimbursement=drafted, actor=tech)
    posted = services.reimbursement_post(reimbursement=drafted, actor=payer)
    assert posted.status == R.POSTED
    closed = services.reimbursement_close(reimbursement=posted, actor=payer, method="cash", reference="退回现金收据 17")
    assert closed.status == R.CLOSED


def test_a_zero_net_closes_on_posting():
    tech, payer = technician(), finance()
    claim(tech, "300.00", decider=payer)
    claim(tech, "200.00", decider=payer)
    paid_advance(tech, "500", payer=payer)
    posted = services.reimbursement_post(reimbursement=services.reimbursement_draft(technician=tech, actor=payer), actor=payer)
    assert posted.net == 0 and posted.status == R.CLOSED and posted.direction == "even"
    assert actions_of(posted)[-2:] == ["travel.reimbursement_posted", "travel.reimbursement_closed"]


def test_a_claim_is_on_one_live_reimbursement_only():
    tech, payer = technician(), finance()
    approved = claim(tech, "88.00", decider=payer)
    first = services.reimbursement_draft(technician=tech, actor=payer)
    with pytest.raises(ValidationFailed) as caught:
        services.reimbursement_draft(technician=tech, actor=payer)
    assert caught.value.code == "nothing_to_reimburse"
    with pytest.raises(ValidationFailed) as caught:
        services.reimbursement_draft(technician=tech, actor=payer, claims=[approved.pk])
    assert "claims" in caught.value.errors
    # The database refuses it too, whatever the code above does.
    with pytest.raises(IntegrityError), transaction.atomic():
        other = Reimbursement.objects.create(number="BX-X", technician=tech, drafted_at=clock.now(), updated_at=clock.now())
        ReimbursementLine.objects.create(reimbursement=other, kind=LineKind.CLAIM, claim=approved, amount=approved.amount)
    # Cancelling the draft frees it.
    services.reimbursement_cancel(reimbursement=first, actor=payer, reason="重做")
    again = services.reimbursement_draft(technician=tech, actor=payer)
    assert again.total_claims == Decimal("88.00")


def test_only_approved_unreimbursed_claims_and_paid_unsettled_advances_go_on_it():
    tech, payer = technician(), finance()
    submitted = claim(tech, "10.00")
    rejected = fieldservice.expense_claim_decide(claim=claim(tech), actor=payer, approve=False)
    approved_only = services.advance_approve(advance=advance(tech), actor=payer)
    for chosen in ({"claims": [submitted.pk]}, {"claims": [rejected.pk]}, {"advances": [approved_only.pk]}):
        with pytest.raises(ValidationFailed):
            services.reimbursement_draft(technician=tech, actor=payer, **chosen)
    assert rejected.status == ExpenseStatus.REJECTED
    assert not Reimbursement.objects.exists()


def test_who_drafts_posts_closes_and_cancels():
    tech, payer = technician(), finance()
    claim(tech, "50.00", decider=payer)
    for role in (Role.SUPERVISOR, Role.AGENT):
        with pytest.raises(PermissionDenied):
            services.reimbursement_draft(technician=tech, actor=staff(role))
    with pytest.raises(PermissionDenied):
        services.reimbursement_draft(technician=tech, actor=technician())
    drafted = services.reimbursement_draft(technician=tech, actor=payer)
    with pytest.raises(PermissionDenied):
        services.reimbursement_cancel(reimbursement=drafted, actor=technician(), reason="x")
    with pytest.raises(ValidationFailed) as caught:
        services.reimbursement_cancel(reimbursement=drafted, actor=tech, reason="")
    assert "reason" in caught.value.errors
    cancelled = services.reimbursement_cancel(reimbursement=drafted, actor=tech, reason="金额有误")
    assert cancelled.status == R.CANCELLED
    assert not ReimbursementLine.objects.filter(reimbursement=cancelled, live=True).exists()
    with pytest.raises(DomainError):
        services.reimbursement_post(reimbursement=cancelled, actor=payer)


def test_closing_needs_the_method_and_reference_and_a_posted_reimbursement():
    tech, payer = technician(), finance()
    claim(tech, "70.00", decider=payer)
    drafted = services.reimbursement_draft(technician=tech, actor=payer)
    with pytest.raises(DomainError) as caught:
        services.reimbursement_close(reimbursement=drafted, actor=payer, method="cash", reference="R")
    assert caught.value.code == "illegal_transition"
    posted = services.reimbursement_post(reimbursement=drafted, actor=payer)
    with pytest.raises(ValidationFailed) as caught:
        services.reimbursement_close(reimbursement=posted, actor=payer, method="", reference="R")
    assert "payout_method" in caught.value.errors
    with pytest.raises(Conflict):
        services.reimbursement_close(reimbursement=posted, actor=payer, method="cash", reference="R", expected_version=1)


def test_the_balances_add_up_per_technician():
    team, leader = team_with_leader()
    a, b = technician(team=team), technician()
    payer = finance()
    paid_advance(a, "300.00", payer=payer)
    paid_advance(a, "200.55", payer=payer)
    claim(a, "100.00", decider=payer)
    claim(b, "40.00", decider=payer)
    rows = {row.technician.pk: row for row in selectors.balances(user=payer)}
    assert rows[a.pk].outstanding == Decimal("500.55") and rows[a.pk].open_advances == 2
    assert rows[a.pk].net == Decimal("-400.55") and rows[b.pk].net == Decimal("40.00")
    assert [row.technician.pk for row in selectors.balances(user=leader)] == [a.pk]
    assert selectors.balances(user=staff(Role.AGENT)) == []
