"""Improvement actions: raised from a fault cluster, a crisis or a ticket; PDCA moves through the
one table, audited; the check computed from the batches before and after the change (Fisher's
exact test); closing as effective needs a passed check or a reason; stale versions refused."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.quality.checks import compute_check
from aftersales.quality.models import ImprovementAction
from aftersales.quality.services import ActionInput, action_raise, action_run_check, action_transition, action_update
from tests.factories import UserFactory, make_ticket

from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date


def _faults(m, batch: str, produced: dt.date, faulty: int) -> None:  # type: ignore[no-untyped-def]
    for _n in range(faulty):
        u = unit(m, batch, production_date=produced, purchase_date=produced + dt.timedelta(days=10))
        fault(u, on=produced + dt.timedelta(days=40))


@pytest.fixture
def batches():  # type: ignore[no-untyped-def]
    """Before the change: B1, B2 (1,000 units each, 8 and 4 faulty); after: B3 (1,000 units, none faulty)."""
    m = model("KFR-72LW")
    for batch, month, faulty in (("B1", D(2026, 1, 1), 8), ("B2", D(2026, 2, 1), 4), ("B3", D(2026, 4, 1), 0)):
        ship(m, batch, 1000, month)
        _faults(m, batch, month, faulty)
    refresh()
    return m


def _ready(m, actor, **change) -> ImprovementAction:  # type: ignore[no-untyped-def]
    action = action_raise(actor=actor, title="电容失效", problem="B1 批次不制冷集中", origin="fault_cluster", model=m, batch="B1")
    data = ActionInput.of(action)
    data.root_cause = "电容膜厚不足"
    data.change_kind = "supplier"
    data.change_content = "更换电容供应商"
    for name, value in change.items():
        setattr(data, name, value)
    return action_update(action=action, actor=actor, data=data, expected_version=action.version)


def test_check_compares_batches_before_and_after_with_fishers_test(batches):  # type: ignore[no-untyped-def]
    actor = engineer()
    action = _ready(batches, actor, effective_date=D(2026, 3, 15))
    result = compute_check(action, today=D(2026, 9, 1))
    assert (result.before_units, result.before_faulty, result.after_units, result.after_faulty) == (2000, 12, 1000, 0)
    assert [b.after for b in result.batches] == [False, False, True]
    assert result.window_months == 5
    # One-sided Fisher: P(no faulty among the 1,000 after | 12 faulty of 3,000) = C(2000,12)/C(3000,12).
    assert result.p_value == pytest.approx(0.007623, rel=0.001)
    assert result.passed
    # Naming the first batch instead of a date gives the same split.
    action.effective_date, action.first_batch = None, "B3"
    assert compute_check(action, today=D(2026, 9, 1)).after_units == 1000


def test_the_before_side_is_the_same_span_just_before_the_change(batches):  # type: ignore[no-untyped-def]
    """Batches made long before the change (here 2023, 50,000 units, no faults kept) would dilute
    the before rate to below the after rate's noise: only the span of production just before the
    change counts (as long as the after side has run: 5 months, so from 2025-10-15)."""
    for batch, month in (("OLD1", D(2023, 3, 1)), ("OLD2", D(2024, 6, 1)), ("OLD3", D(2025, 10, 1))):
        ship(batches, batch, 25_000 if batch != "OLD3" else 1000, month)
        unit(batches, batch, production_date=month, purchase_date=month + dt.timedelta(days=10))
    refresh()
    action = _ready(batches, engineer(), effective_date=D(2026, 3, 15))
    result = compute_check(action, today=D(2026, 9, 1))
    assert [b.batch for b in result.batches] == ["B1", "B2", "B3"]
    assert (result.before_units, result.before_faulty, result.after_units, result.after_faulty) == (2000, 12, 1000, 0)
    assert result.passed
    # Ten months later the after side has run longer, and so does the span before it (OLD3 joins).
    later = compute_check(action, today=D(2027, 7, 1))
    assert [b.batch for b in later.batches] == ["OLD3", "B1", "B2", "B3"] and later.before_units == 3000


def test_pdca_moves_compute_the_check_and_are_audited(batches):  # type: ignore[no-untyped-def]
    actor = engineer()
    action = _ready(batches, actor, effective_date=D(2026, 3, 15))
    action = action_transition(action=action, actor=actor, to="do", expected_version=action.version)
    action = action_transition(action=action, actor=actor, to="check", expected_version=action.version)
    assert action.status == "check" and action.check_passed is True
    assert action.check_before_units == 2000 and action.check_after_faulty == 0
    assert action.check_detail["batches"][2]["batch"] == "B3"
    action = action_transition(action=action, actor=actor, to="act", expected_version=action.version)
    action = action_transition(action=action, actor=actor, to="closed", expected_version=action.version, outcome="effective")
    assert action.status == "closed" and action.outcome == "effective" and action.closed_at
    actions = list(
        AuditEvent.objects.filter(object_id=str(action.pk), action__startswith="quality.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[0] == "quality.action_raised"
    assert actions[-4:] == ["quality.action_do", "quality.action_check", "quality.action_act", "quality.action_closed"]
    with pytest.raises(DomainError) as closed:
        action_update(action=action, actor=actor, data=ActionInput.of(action), expected_version=action.version)
    assert closed.value.code == "action_closed"


def test_an_illegal_move_and_a_stale_version_are_refused(batches):  # type: ignore[no-untyped-def]
    actor = engineer()
    action = _ready(batches, actor, effective_date=D(2026, 3, 15))
    with pytest.raises(DomainError) as illegal:
        action_transition(action=action, actor=actor, to="closed", expected_version=action.version)
    assert illegal.value.code == "illegal_transition"
    with pytest.raises(Conflict):
        action_transition(action=action, actor=actor, to="do", expected_version=action.version - 1)


def test_do_needs_the_change_and_check_needs_its_date(batches):  # type: ignore[no-untyped-def]
    actor = engineer()
    bare = action_raise(actor=actor, title="t", problem="p", origin="fault_cluster", model=batches)
    with pytest.raises(ValidationFailed) as missing:
        action_transition(action=bare, actor=actor, to="do", expected_version=bare.version)
    assert set(missing.value.errors) == {"change_kind", "change_content"}
    action = _ready(batches, actor)
    action = action_transition(action=action, actor=actor, to="do", expected_version=action.version)
    with pytest.raises(ValidationFailed) as no_date:
        action_transition(action=action, actor=actor, to="check", expected_version=action.version)
    assert no_date.value.code == "action_check_needs_change" and "effective_date" in no_date.value.errors


def test_closing_as_effective_without_a_passed_check_needs_a_reason(batches):  # type: ignore[no-untyped-def]
    actor = engineer()
    action = _ready(batches, actor, effective_date=D(2025, 12, 1))  # every batch after: no "before" side
    for status in ("do", "check", "act"):
        action = action_transition(action=action, actor=actor, to=status, expected_version=action.version)
    assert action.check_passed is False and action.check_detail["reason"] == "no_before_batches"
    with pytest.raises(ValidationFailed) as refused:
        action_transition(action=action, actor=actor, to="closed", expected_version=action.version, outcome="effective")
    assert refused.value.code == "check_not_passed" and "outcome_reason" in refused.value.errors
    with pytest.raises(ValidationFailed):
        action_transition(action=action, actor=actor, to="closed", expected_version=action.version)  # no outcome
    closed = action_transition(
        action=action,
        actor=actor,
        to="closed",
        expected_version=action.version,
        outcome="effective",
        reason="客户投诉归零，现场确认",
    )
    assert closed.outcome_reason == "客户投诉归零，现场确认"


def test_run_check_again_after_new_faults(batches):  # type: ignore[no-untyped-def]
    actor = engineer()
    action = _ready(batches, actor, effective_date=D(2026, 3, 15))
    for status in ("do", "check"):
        action = action_transition(action=action, actor=actor, to=status, expected_version=action.version)
    _faults(batches, "B3", D(2026, 4, 1), 7)
    refresh()
    action = action_run_check(action=action, actor=actor)
    assert action.check_after_faulty == 7 and action.check_passed is False


def test_raise_from_a_ticket_or_a_crisis_and_who_may(batches):  # type: ignore[no-untyped-def]
    ticket = make_ticket()
    actor = engineer()
    with pytest.raises(ValidationFailed) as no_ticket:
        action_raise(actor=actor, title="t", problem="p", origin="ticket")
    assert "origin_ticket" in no_ticket.value.errors
    from_ticket = action_raise(actor=actor, title="t", problem="p", origin="ticket", origin_ticket=ticket)
    assert from_ticket.origin_ticket == ticket and from_ticket.status == "plan"
    agent = UserFactory(role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        action_raise(actor=agent, title="t", problem="p", origin="fault_cluster")
    # The crisis app raises actions for its team with the crisis number as reference.
    crisis = action_raise(actor=agent, title="起火风险", problem="p", origin="crisis", origin_reference="WJ20261206-001")
    assert crisis.origin_reference == "WJ20261206-001"
    with pytest.raises(ValidationFailed) as bad:
        action_raise(actor=actor, title="", problem="", origin="nowhere")
    assert {"title", "problem", "origin"} <= set(bad.value.errors)
