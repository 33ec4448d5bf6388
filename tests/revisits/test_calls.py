"""Recording a revisit call: outcomes, satisfaction and NPS, a new problem as a new ticket, a
complaint about staff, escalation after three unreached calls, consent."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Role, Team
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer, CustomerTier
from aftersales.notifications.models import Notification
from aftersales.revisits.models import Revisit, RevisitCall, RevisitStatus, StaffComplaint
from aftersales.revisits.services import CallInput, revisit_cancel, revisit_record_call
from aftersales.tickets.models import Ticket, TicketEvent
from tests.factories import UserFactory

from .helpers import agent, closed_ticket, customer, open_revisit, region, supervisor

pytestmark = pytest.mark.django_db


@pytest.fixture
def east():  # type: ignore[no-untyped-def]
    return region()


@pytest.fixture
def caller(east):  # type: ignore[no-untyped-def]
    return agent(region=east)


@pytest.fixture
def revisit(east, caller):  # type: ignore[no-untyped-def]
    return open_revisit(cust=customer(tier=CustomerTier.KEY, region=east), due=clock.local_today(), assignee=caller)


def _call(revisit, actor, **kw):  # type: ignore[no-untyped-def]
    return revisit_record_call(revisit=Revisit.objects.get(pk=revisit.pk), actor=actor, data=CallInput(**kw))


def test_a_reached_call_completes_the_revisit_with_ratings_and_nps(revisit, caller):
    call = _call(
        revisit, caller, outcome="reached", overall=5, speed=4, attitude=5, professionalism=4, result=5, nps=9, comment="满意"
    )
    revisit.refresh_from_db()
    assert (revisit.status, revisit.outcome, revisit.version) == (RevisitStatus.DONE, "reached", 2)
    assert revisit.completed_at is not None
    assert (call.overall, call.speed, call.nps, call.called_by) == (5, 4, 9, caller)
    assert AuditEvent.objects.filter(action="revisit.done", object_id=str(revisit.pk)).count() == 1


def test_a_new_problem_becomes_a_ticket_linked_to_the_revisit(revisit, caller):
    call = _call(revisit, caller, outcome="reached", nps=6, new_problem="空调又开始漏水了", new_problem_type="repair")
    revisit.refresh_from_db()
    ticket = Ticket.objects.get(pk=revisit.raised_ticket_id)
    assert call.raised_ticket == ticket
    assert ticket.customer_id == revisit.customer_id
    assert ticket.description == "空调又开始漏水了"
    assert ticket.request_type == "repair"
    entry = TicketEvent.objects.filter(ticket=ticket, kind="call").get()
    assert entry.data["revisit"] == revisit.pk
    assert AuditEvent.objects.filter(action="revisit.ticket_raised", object_id=str(revisit.pk)).count() == 1


def test_a_complaint_about_staff_is_recorded_against_that_person(east, caller):
    ticket = closed_ticket(closed=clock.local_today() - dt.timedelta(days=7))
    technician = UserFactory(role=Role.TECHNICIAN)
    revisit = open_revisit(
        cust=ticket.customer, due=clock.local_today(), assignee=caller, reason="after_ticket", ticket=ticket, period=None
    )
    _call(revisit, caller, outcome="reached", complaint="师傅迟到两小时", complaint_staff_id=technician.pk)
    complaint = StaffComplaint.objects.get()
    assert (complaint.staff, complaint.ticket, complaint.revisit_id, complaint.text) == (
        technician,
        ticket,
        revisit.pk,
        "师傅迟到两小时",
    )
    assert complaint.recorded_by == caller


def test_a_complaint_needs_the_person_and_the_person_a_complaint(revisit, caller):
    with pytest.raises(ValidationFailed) as refused:
        _call(revisit, caller, outcome="reached", complaint="态度差")
    assert "complaint_staff" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        _call(revisit, caller, outcome="reached", complaint_staff_id=caller.pk)
    assert "complaint" in refused.value.errors
    assert not RevisitCall.objects.exists()


def test_ratings_and_nps_are_checked_field_by_field(revisit, caller):
    with pytest.raises(ValidationFailed) as refused:
        _call(revisit, caller, outcome="reached", speed=6, nps=11)
    assert set(refused.value.errors) == {"speed", "nps"}
    with pytest.raises(ValidationFailed) as refused:
        _call(revisit, caller, outcome="")
    assert set(refused.value.errors) == {"outcome"}
    with pytest.raises(ValidationFailed) as refused:
        _call(revisit, caller, outcome="not_reached", nps=8, new_problem="x")
    assert set(refused.value.errors) == {"nps", "new_problem"}


def test_three_unreached_calls_escalate_to_the_supervisor(east, revisit, caller):
    boss = supervisor(region=east)
    elsewhere = supervisor(region=region("south", "华南"))
    _call(revisit, caller, outcome="not_reached")
    _call(revisit, caller, outcome="not_reached")
    revisit.refresh_from_db()
    assert (revisit.status, revisit.attempts) == (RevisitStatus.RETRY, 2)
    assert not Notification.objects.filter(template="revisit_escalated").exists()
    _call(revisit, caller, outcome="not_reached")
    revisit.refresh_from_db()
    assert (revisit.status, revisit.attempts) == (RevisitStatus.ESCALATED, 3)
    assert revisit.escalated_at is not None
    notices = Notification.objects.filter(template="revisit_escalated")
    assert [n.user_id for n in notices] == [boss.pk]
    assert elsewhere.pk not in [n.user_id for n in notices]
    assert AuditEvent.objects.filter(action="revisit.escalated", object_id=str(revisit.pk)).count() == 1
    # The supervisor reaches the customer after all.
    boss_call = _call(revisit, boss, outcome="reached", nps=7)
    revisit.refresh_from_db()
    assert revisit.status == RevisitStatus.DONE and boss_call.called_by == boss


def test_a_team_leader_is_told_of_an_escalation(east, caller):
    leader = supervisor(region=None, scope=DataScope.TEAM)
    team = Team.objects.create(name="回访组", region=east, leader=leader)
    revisit = open_revisit(cust=customer(region=east), due=clock.local_today(), assignee=caller, team=team)
    _call(revisit, caller, outcome="wrong_number")
    revisit.refresh_from_db()
    assert revisit.status == RevisitStatus.ESCALATED and revisit.attempts == 0
    assert list(Notification.objects.filter(template="revisit_escalated").values_list("user_id", flat=True)) == [leader.pk]


def test_a_call_on_a_customer_who_refused_contact_is_refused_naming_the_field(revisit, caller):
    Customer.objects.filter(pk=revisit.customer_id).update(consent_contact=False)
    with pytest.raises(DomainError) as refused:
        _call(revisit, caller, outcome="reached")
    assert (refused.value.code, refused.value.field) == ("revisit_no_consent", "consent_contact")
    assert "consent_contact" in str(refused.value)
    assert not RevisitCall.objects.exists()


def test_a_stale_version_and_a_closed_revisit_are_refused(revisit, caller):
    with pytest.raises(Conflict):
        revisit_record_call(revisit=revisit, actor=caller, data=CallInput(outcome="reached"), expected_version=7)
    _call(revisit, caller, outcome="reached")
    with pytest.raises(DomainError) as refused:
        _call(revisit, caller, outcome="reached")
    assert refused.value.code == "revisit_closed"


def test_only_callers_in_scope_record_calls(east, revisit):
    other_agent = agent(region=east)  # scope "own": not theirs
    with pytest.raises(PermissionDenied):
        _call(revisit, other_agent, outcome="reached")
    region_agent = agent(region=east, scope=DataScope.REGION)
    _call(revisit, region_agent, outcome="not_reached")
    technician = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL)
    with pytest.raises(PermissionDenied):
        _call(revisit, technician, outcome="reached")


def test_a_supervisor_cancels_with_a_reason(east, revisit, caller):
    boss = supervisor(region=east)
    with pytest.raises(PermissionDenied):
        revisit_cancel(revisit=revisit, actor=caller, reason="客户已搬家")
    with pytest.raises(ValidationFailed) as refused:
        revisit_cancel(revisit=revisit, actor=boss, reason=" ")
    assert "reason" in refused.value.errors
    revisit_cancel(revisit=revisit, actor=boss, reason="客户已搬家")
    revisit.refresh_from_db()
    assert revisit.status == RevisitStatus.CANCELLED
