"""The parts documents' transition tables, move by move: every (from, to) pair of every document
is either in the table and accepted by its one door (status written, audit row recorded), or
refused with a stable code and nothing written. Then each requisition service from every status
its step does not start in, and each requisition action's statuses."""

from __future__ import annotations

from itertools import product
from typing import Any

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.parts import services
from aftersales.parts.actions import REQUISITION_ACTIONS
from aftersales.parts.audit_actions import PartsAudit
from aftersales.parts.models import (
    FaultyPartReturn,
    FaultyStatus,
    PartReturn,
    PartReturnStatus,
    Requisition,
    RequisitionStatus,
    Transfer,
    TransferStatus,
)
from aftersales.parts.states import (
    ALL_TABLES,
    CANCEL,
    DECIDE,
    FAULTY,
    ISSUE,
    PART_RETURN,
    REQUISITION,
    SUBMIT,
    TRANSFER,
    DocumentStates,
)

R, P, F, T = RequisitionStatus, PartReturnStatus, FaultyStatus, TransferStatus

# The tables as the business knows them, written out: a change to ``parts.states`` must change these.
EXPECTED_MOVES = {
    "requisition": {
        (R.DRAFT, R.SUBMITTED),
        (R.DRAFT, R.APPROVED),
        (R.DRAFT, R.CANCELLED),
        (R.SUBMITTED, R.APPROVED),
        (R.SUBMITTED, R.REJECTED),
        (R.SUBMITTED, R.CANCELLED),
        (R.APPROVED, R.ISSUED),
        (R.APPROVED, R.CANCELLED),
    },
    "return": {(P.SENT, P.RECEIVED)},
    "faulty": {(F.SENT, F.RECEIVED), (F.RECEIVED, F.APPRAISED)},
    "transfer": {(T.IN_TRANSIT, T.RECEIVED)},
}

# The refusal of a move that is not in the table: (from, to) → code; the document's own message
# where one existed before the tables (tests and API clients read these codes).
REQUISITION_REFUSALS = {
    R.DRAFT: "requisition_transition_not_allowed",
    R.SUBMITTED: "requisition_not_draft",
    R.APPROVED: "requisition_not_draft_or_submitted",
    R.REJECTED: "requisition_not_submitted",
    R.ISSUED: "requisition_not_approved",
    R.CANCELLED: "requisition_not_approved_or_draft_or_submitted",
}


def expected_refusal(table: DocumentStates, current: str, target: str) -> str:
    if table is REQUISITION:
        return REQUISITION_REFUSALS[RequisitionStatus(target)]
    if table is PART_RETURN and current == P.RECEIVED:
        return "return_already_received"
    if table is TRANSFER and current == T.RECEIVED:
        return "transfer_already_received"
    if table is FAULTY and target == F.APPRAISED:
        return "faulty_not_received"
    return f"{table.name}_transition_not_allowed"


@pytest.fixture
def documents(stocked, board, central, work_order, technician, keeper) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """One saved document of each kind, whose status each case sets."""
    requisition = services.requisition_create(work_order=work_order, warehouse=stocked, lines=[(board, 1)], actor=technician)
    van = services.warehouse_for_technician(technician=technician)
    part_return = PartReturn.objects.create(
        work_order=work_order, technician=technician, van=van, warehouse=stocked, created_by=technician, created_at=clock.now()
    )
    faulty = FaultyPartReturn.objects.create(part_return=part_return, part=board, serial="OLD-1")
    transfer = Transfer.objects.create(from_warehouse=stocked, to_warehouse=central, created_by=keeper, created_at=clock.now())
    return {"requisition": requisition, "return": part_return, "faulty": faulty, "transfer": transfer}


def test_the_tables_are_the_ones_the_business_knows():
    for table in ALL_TABLES:
        moves = {(a, b) for a, targets in table.transitions.items() for b in targets}
        assert moves == {(str(a), str(b)) for a, b in EXPECTED_MOVES[table.name]}, table.name
        assert set(table.transitions) == set(table.statuses.values)
    # Every final status is final: no way out of it.
    assert REQUISITION.transitions[R.ISSUED] == REQUISITION.transitions[R.REJECTED] == frozenset()
    assert REQUISITION.transitions[R.CANCELLED] == frozenset()


def test_each_requisition_step_starts_where_every_outcome_is_a_legal_move():
    assert REQUISITION.sources(*SUBMIT) == {R.DRAFT}
    assert REQUISITION.sources(*DECIDE) == {R.SUBMITTED}
    assert REQUISITION.sources(*ISSUE) == {R.APPROVED}
    assert REQUISITION.sources(*CANCEL) == {R.DRAFT, R.SUBMITTED, R.APPROVED}


CASES = [
    (table, current, target) for table in ALL_TABLES for current, target in product(table.statuses.values, table.statuses.values)
]


@pytest.mark.parametrize(("table", "current", "target"), CASES, ids=[f"{t.name}:{a}->{b}" for t, a, b in CASES])
def test_every_move_is_accepted_by_the_table_or_refused(documents, keeper, table, current, target):
    obj = documents[table.name]
    type(obj).objects.filter(pk=obj.pk).update(status=current)
    obj.refresh_from_db()
    audit_before = AuditEvent.objects.count()
    if table.can_move(current, target):
        if target in table.audit:
            table.move(obj, to=target, actor=keeper)
            event = AuditEvent.objects.latest("id")
            assert event.action == table.audit[target] and event.object_id == str(obj.pk)
            assert event.changes == {"status": [current, target]}
            assert AuditEvent.objects.count() == audit_before + 1
        else:
            # Faulty parts arrive with their return: moved together, the return's row records it.
            assert table.move_all(type(obj).objects.filter(pk=obj.pk), source=current, to=target) == 1
        obj.refresh_from_db()
        assert obj.status == target
        return
    with pytest.raises(DomainError) as refused:
        table.move(obj, to=target, actor=keeper)
    assert refused.value.code == expected_refusal(table, current, target)
    assert refused.value.field == "status"
    with pytest.raises(DomainError):
        table.move_all(type(obj).objects.filter(pk=obj.pk), source=current, to=target)
    obj.refresh_from_db()
    assert obj.status == current, "a refused move writes nothing"
    assert AuditEvent.objects.count() == audit_before


def test_every_requisition_status_change_has_its_audit_action():
    for status in (R.SUBMITTED, R.APPROVED, R.REJECTED, R.ISSUED, R.CANCELLED):
        assert REQUISITION.audit[status] == PartsAudit(f"parts.requisition_{status}")
    assert PART_RETURN.audit == {P.RECEIVED: PartsAudit.RETURN_RECEIVED}
    assert FAULTY.audit == {F.APPRAISED: PartsAudit.FAULTY_APPRAISED}
    assert TRANSFER.audit == {T.RECEIVED: PartsAudit.TRANSFER_RECEIVED}


STEPS = {
    "submit": (SUBMIT, lambda r, who: services.requisition_submit(requisition=r, actor=who["technician"])),
    "decide": (DECIDE, lambda r, who: services.requisition_decide(requisition=r, actor=who["supervisor"], approve=True)),
    "issue": (ISSUE, lambda r, who: services.requisition_issue(requisition=r, actor=who["keeper"])),
    "cancel": (CANCEL, lambda r, who: services.requisition_cancel(requisition=r, actor=who["technician"])),
}
STEP_CASES = [
    (step, status)
    for step, (outcomes, _run) in STEPS.items()
    for status in R.values
    if status not in REQUISITION.sources(*outcomes)
]


@pytest.mark.parametrize(("step", "status"), STEP_CASES, ids=[f"{s}-from-{st}" for s, st in STEP_CASES])
def test_each_requisition_service_refuses_the_statuses_its_step_does_not_start_in(
    documents, technician, supervisor, keeper, step, status
):
    requisition: Requisition = documents["requisition"]
    Requisition.objects.filter(pk=requisition.pk).update(status=status, approver_role="supervisor")
    outcomes, run = STEPS[step]
    with pytest.raises(DomainError) as refused:
        run(requisition, {"technician": technician, "supervisor": supervisor, "keeper": keeper})
    allowed = "_or_".join(sorted(REQUISITION.sources(*outcomes)))
    assert refused.value.code == f"requisition_not_{allowed}"
    requisition.refresh_from_db()
    assert requisition.status == status


def test_each_requisition_action_is_offered_in_its_steps_statuses():
    assert list(REQUISITION_ACTIONS) == ["submit", "approve", "reject", "issue", "cancel"]
    assert {name: action.statuses for name, action in REQUISITION_ACTIONS.items()} == {
        "submit": {R.DRAFT},
        "approve": {R.SUBMITTED},
        "reject": {R.SUBMITTED},
        "issue": {R.APPROVED},
        "cancel": {R.DRAFT, R.SUBMITTED, R.APPROVED},
    }
