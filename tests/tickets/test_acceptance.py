"""The quality manager's acceptance of results: every close path of a ticket the rule names waits
in AWAITING_ACCEPTANCE; accepting archives it, sending it back reopens it (二次处理); who may."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer
from aftersales.feedback.models import Survey
from aftersales.feedback.services import survey_signed_token, survey_submit
from aftersales.notifications.models import Notification
from aftersales.quality.acceptance_models import AcceptanceDecision, AcceptanceMode, AcceptanceRule, ResultAcceptance
from aftersales.tickets.choices import EventKind, Priority, Severity
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.process import ticket_close, ticket_confirm_result, tickets_auto_close
from aftersales.tickets.process.acceptance import ticket_accept_result, ticket_return_for_rework
from aftersales.tickets.states import FINAL_STATUSES, OPEN_STATUSES, TRANSITIONS, TicketStatus, customer_status
from tests.clock import freeze_time
from tests.factories import UserFactory
from tests.feedback.helpers import resolved
from tests.tickets.process_helpers import agent, refreshed, supervisor

pytestmark = pytest.mark.django_db

S = TicketStatus


def quality_manager(**kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.QUALITY_MANAGER, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def serious(handler=None) -> Ticket:  # type: ignore[no-untyped-def]
    """A resolved ticket the default rule names (serious severity)."""
    ticket = resolved(handler)
    Ticket.objects.filter(pk=ticket.pk).update(severity=Severity.SERIOUS)
    return refreshed(ticket)


def _pending(ticket: Ticket) -> ResultAcceptance:
    return ResultAcceptance.objects.get(ticket=ticket, decision=AcceptanceDecision.PENDING)


def test_the_status_sits_between_resolved_and_closed_out_of_the_working_set():
    assert S.AWAITING_ACCEPTANCE in TRANSITIONS[S.RESOLVED] and S.CLOSED in TRANSITIONS[S.RESOLVED]
    assert TRANSITIONS[S.AWAITING_ACCEPTANCE] == {S.CLOSED, S.REOPENED}
    assert S.AWAITING_ACCEPTANCE not in FINAL_STATUSES
    assert customer_status(S.AWAITING_ACCEPTANCE) == S.RESOLVED
    assert customer_status(S.IN_PROGRESS) == S.IN_PROGRESS
    assert S.AWAITING_ACCEPTANCE not in OPEN_STATUSES
    assert str(S.AWAITING_ACCEPTANCE.label) == "Awaiting quality acceptance"


def test_a_ticket_the_rule_does_not_name_closes_as_before():
    handler = agent()
    ticket = resolved(handler)  # normal priority, general severity, on-site repair

    closed = ticket_close(ticket=ticket, actor=handler)

    assert closed.status == S.CLOSED
    assert not ResultAcceptance.objects.filter(ticket=ticket).exists()


def test_staff_close_waits_for_acceptance_and_tells_the_quality_managers_once():
    handler = agent()
    manager, other_region_manager = quality_manager(), quality_manager(data_scope=DataScope.REGION)
    other_region_manager.region = Region.objects.create(code="north", name="华北")
    other_region_manager.save()
    ticket = serious(handler)

    waiting = ticket_close(ticket=ticket, actor=handler, note="已回访")

    assert waiting.status == S.AWAITING_ACCEPTANCE and waiting.closed_at is None
    record = _pending(ticket)
    assert (record.requested_via, record.reasons) == ("staff", ["serious"])
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.STATUS_CHANGED).latest("id")
    assert event.data["to"] == "awaiting_acceptance" and event.public is False
    notices = Notification.objects.filter(ticket=ticket, template="ticket_awaiting_acceptance")
    assert sorted(set(notices.values_list("user_id", flat=True))) == [manager.pk]  # not the other region's
    count = notices.count()
    with pytest.raises(DomainError):
        ticket_close(ticket=refreshed(ticket), actor=handler)  # no second close, no second notice
    assert Notification.objects.filter(ticket=ticket, template="ticket_awaiting_acceptance").count() == count
    assert AuditEvent.objects.filter(action="quality.acceptance_requested", object_id=str(record.pk)).exists()


def test_the_customers_confirmation_waits_too():
    handler = agent()
    ticket = serious(handler)
    customer_user = UserFactory(role=Role.CUSTOMER)
    Customer.objects.filter(pk=ticket.customer_id).update(user=customer_user)

    waiting = ticket_confirm_result(ticket=ticket, actor=customer_user, solved=True)

    assert waiting.status == S.AWAITING_ACCEPTANCE
    assert _pending(ticket).requested_via == "customer"


def test_the_survey_saying_solved_waits():
    ticket = serious()
    survey = Survey.objects.get(ticket=ticket)

    survey_submit(signed_token=survey_signed_token(survey=survey), overall=5, solved=True)

    assert refreshed(ticket).status == S.AWAITING_ACCEPTANCE
    record = _pending(ticket)
    assert record.requested_via == "survey"


def test_the_customer_saying_not_solved_while_waiting_reopens_and_withdraws_the_wait():
    handler = agent()
    ticket = serious(handler)
    ticket_close(ticket=ticket, actor=handler)

    survey = Survey.objects.get(ticket=ticket)  # the customer answers the survey's link after all

    survey_submit(signed_token=survey_signed_token(survey=survey), overall=2, solved=False, comment="还是漏水")

    assert refreshed(ticket).status == S.REOPENED
    assert ResultAcceptance.objects.get(ticket=ticket).decision == AcceptanceDecision.WITHDRAWN


def test_the_auto_close_sweep_sends_named_tickets_for_acceptance():
    with freeze_time(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
        plain = resolved()
        named = serious()
        Ticket.objects.filter(pk=named.pk).update(priority=Priority.URGENT)
    with freeze_time(dt.datetime(2026, 3, 20, 10, tzinfo=dt.UTC)):
        assert tickets_auto_close() == 2
    assert refreshed(plain).status == S.CLOSED
    assert refreshed(named).status == S.AWAITING_ACCEPTANCE
    assert (_pending(named).requested_via, _pending(named).reasons) == ("auto", ["urgent", "serious"])


def test_accepting_archives_with_the_record_the_timeline_and_the_audit():
    handler, manager = agent(), quality_manager()
    ticket = ticket_close(ticket=serious(handler), actor=handler)

    closed = ticket_accept_result(ticket=ticket, actor=manager, comment="资料齐全", expected_version=ticket.version)

    assert closed.status == S.CLOSED and closed.closed_at is not None
    record = ResultAcceptance.objects.get(ticket=ticket)
    assert (record.decision, record.decided_by, record.comment) == (AcceptanceDecision.ACCEPTED, manager, "资料齐全")
    assert record.checklist == {"acceptance_form": None, "photos": None, "costs": None, "customer_confirmed": False}
    note = TicketEvent.objects.get(ticket=ticket, data__action="result_accepted")
    assert (note.public, note.body, note.actor) == (False, "资料齐全", manager)
    assert AuditEvent.objects.filter(action="quality.acceptance_accepted", object_id=str(record.pk), actor=manager).exists()


def test_sending_back_reopens_and_tells_the_assignee():
    handler, manager = agent(), quality_manager()
    ticket = serious(handler)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=handler)
    ticket = ticket_close(ticket=refreshed(ticket), actor=handler)

    with pytest.raises(ValidationFailed) as missing:
        ticket_return_for_rework(ticket=ticket, actor=manager, reason=" ")
    assert "reason" in missing.value.errors

    reopened = ticket_return_for_rework(ticket=ticket, actor=manager, reason="缺少维修后照片")

    assert (reopened.status, reopened.escalation_level) == (S.REOPENED, 1)
    record = ResultAcceptance.objects.get(ticket=ticket)
    assert (record.decision, record.comment) == (AcceptanceDecision.RETURNED, "缺少维修后照片")
    told = Notification.objects.filter(ticket=ticket, template="ticket_returned_for_rework")
    assert set(told.values_list("user_id", flat=True)) == {handler.pk}
    # Resolved again and closed: a reopened ticket waits again (a new record).
    assert AuditEvent.objects.filter(action="quality.acceptance_returned", object_id=str(record.pk)).exists()


def test_who_may_accept_and_where():
    handler = agent()
    ticket = ticket_close(ticket=serious(handler), actor=handler)

    with pytest.raises(PermissionDenied) as refused:
        ticket_accept_result(ticket=ticket, actor=handler)
    assert refused.value.code == "acceptor_role"
    with pytest.raises(PermissionDenied):
        ticket_accept_result(ticket=ticket, actor=UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL))
    outside = quality_manager(data_scope=DataScope.OWN)
    with pytest.raises(PermissionDenied) as scoped:
        ticket_return_for_rework(ticket=ticket, actor=outside, reason="x")
    assert scoped.value.code == "out_of_scope"
    assert "accept_result" not in ticket_available_actions(user=handler, ticket=ticket)
    assert {"accept_result", "return_for_rework"} <= set(ticket_available_actions(user=quality_manager(), ticket=ticket))
    assert ticket_accept_result(ticket=ticket, actor=supervisor()).status == S.CLOSED
    with pytest.raises(DomainError) as archived:
        ticket_accept_result(ticket=refreshed(ticket), actor=quality_manager())
    assert archived.value.code == "ticket_final"


def test_not_before_it_waits():
    ticket = resolved()
    with pytest.raises(DomainError) as early:
        ticket_accept_result(ticket=ticket, actor=quality_manager())
    assert early.value.code == "action_not_available"


def test_the_rule_can_say_none_or_every_ticket():
    handler = agent()
    AcceptanceRule.objects.create(pk=1, mode=AcceptanceMode.NONE)
    assert ticket_close(ticket=serious(handler), actor=handler).status == S.CLOSED
    AcceptanceRule.objects.filter(pk=1).update(mode=AcceptanceMode.ALL)
    waiting = ticket_close(ticket=resolved(handler), actor=handler)
    assert waiting.status == S.AWAITING_ACCEPTANCE and _pending(waiting).reasons == ["all"]
