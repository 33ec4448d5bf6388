"""The moves of plans, measures and approval requests: every status has a row, every move the
table lists is accepted, every other is refused with ``illegal_transition``; the services change
these statuses only through the tables and audit every plan status change."""

from __future__ import annotations

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import DomainError
from aftersales.tickets.models import ApprovalStatus, MeasureStatus, PlanStatus
from aftersales.tickets.plan_states import APPROVAL_MOVES, MEASURE_MOVES, PLAN_MOVES, measure_check_move
from aftersales.tickets.process import ticket_record_agreement, ticket_submit_plan, ticket_update_measure
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent, analysed, repair_plan

TABLES = [(PLAN_MOVES, PlanStatus), (MEASURE_MOVES, MeasureStatus), (APPROVAL_MOVES, ApprovalStatus)]
MOVES = [
    (table, current, target, target.value in table.moves[current.value])
    for table, statuses in TABLES
    for current in statuses
    for target in statuses
    if current != target
]


@pytest.mark.parametrize(("table", "statuses"), TABLES, ids=["plan", "measure", "approval"])
def test_every_status_has_a_row_and_every_target_is_a_status(table, statuses):
    assert table.statuses == set(statuses.values)
    for targets in table.moves.values():
        assert targets <= set(statuses.values)


@pytest.mark.parametrize(
    ("table", "current", "target", "allowed"),
    MOVES,
    ids=[f"{t.name}:{c.value}->{g.value}" for t, c, g, _a in MOVES],
)
def test_each_move_is_accepted_or_refused_as_the_table_says(table, current, target, allowed):
    assert table.allows(current, target) is allowed
    if allowed:
        table.check(current, target)
    else:
        with pytest.raises(DomainError) as refused:
            table.check(current, target)
        assert (refused.value.code, refused.value.field) == ("illegal_transition", "status")


def test_final_plan_and_approval_states_allow_no_move():
    for status in (PlanStatus.REFUSED, PlanStatus.DECLINED, PlanStatus.SUPERSEDED):
        assert PLAN_MOVES.moves[status] == frozenset()
    for status in (ApprovalStatus.APPROVED, ApprovalStatus.REFUSED):
        assert APPROVAL_MOVES.moves[status] == frozenset()


def test_a_progress_note_without_a_new_status_is_no_move():
    for status in MeasureStatus:
        measure_check_move(status, status)


@pytest.mark.django_db
def test_the_plan_services_audit_every_status_change_of_the_plan():
    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    plan = repair_plan(ticket, handler)
    ticket_submit_plan(ticket=ticket, actor=handler)
    ticket_record_agreement(ticket=ticket, actor=None, accepted=True)

    changes = [
        e.changes["status"]
        for e in AuditEvent.objects.filter(action="ticket.plan_status_changed", object_id=str(plan.pk)).order_by("id")
    ]
    assert changes == [["draft", "awaiting_customer"], ["awaiting_customer", "agreed"]]
    # A second plan supersedes the agreed one, audited too.
    replacement_ticket = analysed(make_ticket(actor=handler, description="第二张工单"), handler)
    first = repair_plan(replacement_ticket, handler)
    repair_plan(replacement_ticket, handler)
    assert AuditEvent.objects.get(action="ticket.plan_status_changed", object_id=str(first.pk)).changes["status"] == [
        "draft",
        "superseded",
    ]


@pytest.mark.django_db
def test_a_measure_moves_only_as_its_table_allows():
    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    plan = repair_plan(ticket, handler)
    ticket_submit_plan(ticket=ticket, actor=handler)
    ticket_record_agreement(ticket=ticket, actor=None, accepted=True)
    measure = plan.measures.get()

    ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.CANCELLED)
    with pytest.raises(DomainError) as refused:
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE)
    assert refused.value.code == "illegal_transition"
    ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.IN_PROGRESS)
    ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DONE
