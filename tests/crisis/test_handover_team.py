"""A member of a crisis response team leaves (the staff handover, docs/staff-handover.md): the
preview lists their places on open crises' teams and their open tasks there; on leaving a
successor who fits takes both over (as a member added by hand: audited, told), else the places
are left vacant and the tasks without an owner; the team's communication log says so."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.accounts.models import DataScope, Role, User
from aftersales.accounts.offboarding import staff_holdings, staff_offboard
from aftersales.audit.models import AuditEvent
from aftersales.crisis import services
from aftersales.crisis.models import Audience, Communication, Crisis, CrisisMember, CrisisStatus, CrisisTask, CrisisType, TeamRole
from aftersales.notifications.models import Notification
from tests.accounts.handover_helpers import administrator
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return administrator()


@pytest.fixture
def leaver(db) -> User:
    return UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL, username="leaver")


def crisis_with(supervisor: User, level: Any, leaver: User, *, title: str = "热水器起火") -> Crisis:
    """An open crisis: the leaver leads it and speaks for it, owns a task, another task is done."""
    crisis = services.crisis_open(actor=supervisor, title=title, crisis_type=CrisisType.PRODUCT_SAFETY, level=level)
    services.crisis_add_member(crisis=crisis, actor=supervisor, user=leaver, role=TeamRole.LEADER)
    services.crisis_add_member(crisis=crisis, actor=supervisor, user=leaver, role=TeamRole.SPOKESPERSON)
    services.crisis_add_task(crisis=crisis, actor=supervisor, title="暂停该批次发货", owner=leaver)
    done = services.crisis_add_task(crisis=crisis, actor=supervisor, title="通知经销商", owner=leaver)
    services.crisis_task_done(task=done, actor=supervisor)
    return crisis


def closed(crisis: Crisis, actor: User) -> Crisis:
    for status in (CrisisStatus.CONFIRMED, CrisisStatus.CONTAINED, CrisisStatus.RECOVERED):
        crisis = services.crisis_transition(crisis=crisis, actor=actor, to=status)
    return crisis


def kinds(holdings: list[Any]) -> dict[str, tuple[int, bool]]:
    return {h.kind: (h.count, h.moved) for h in holdings if h.kind.startswith("crisis_")}


def test_the_preview_lists_places_and_open_tasks_on_open_crises_only(admin, supervisor, level_ii, leaver):
    crisis_with(supervisor, level_ii, leaver)
    closed(crisis_with(supervisor, level_ii, leaver, title="去年的批次问题"), supervisor)  # recovered: history
    preview = staff_holdings(actor=admin, user_id=leaver.pk)
    assert kinds(preview.holdings) == {"crisis_teams": (2, True), "crisis_tasks": (1, True)}
    assert next(h for h in preview.holdings if h.kind == "crisis_teams").url == "/crisis/"


def test_a_successor_who_handles_crises_takes_the_places_and_the_tasks(admin, supervisor, level_ii, leaver):
    crisis = crisis_with(supervisor, level_ii, leaver)
    old = closed(crisis_with(supervisor, level_ii, leaver, title="去年的批次问题"), supervisor)
    successor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, username="successor")

    done = staff_offboard(actor=admin, user_id=leaver.pk, successor_id=successor.pk, reason="离职")

    assert {h.kind: h.count for h in done.moved if h.kind.startswith("crisis_")} == {"crisis_teams": 2, "crisis_tasks": 1}
    assert set(crisis.members.values_list("user__username", "role")) == {
        ("successor", TeamRole.LEADER),
        ("successor", TeamRole.SPOKESPERSON),
    }
    assert set(CrisisTask.objects.filter(crisis=crisis).values_list("title", "owner__username")) == {
        ("暂停该批次发货", "successor"),
        ("通知经销商", "leaver"),  # done: history keeps who did it
    }
    assert set(old.members.values_list("user__username", flat=True)) == {"leaver"}  # recovered: untouched
    added = AuditEvent.objects.filter(action="crisis.member_added", object_id=str(crisis.pk), actor=admin)
    assert {row.changes["role"] for row in added} == {TeamRole.LEADER, TeamRole.SPOKESPERSON}
    assert Notification.objects.filter(user=successor, template="crisis.member").count() == 2
    entry = Communication.objects.get(crisis=crisis)
    assert (entry.audience, entry.recorded_by_id) == (Audience.INTERNAL, admin.pk)
    assert str(leaver) in entry.body and str(successor) in entry.body
    logged = AuditEvent.objects.get(action="crisis.communication_recorded", object_id=str(crisis.pk))
    assert logged.changes["left"] == "leaver" and logged.changes["successor"] == "successor"
    assert logged.changes["tasks"] == 1 and sorted(logged.changes["roles"]) == sorted([TeamRole.LEADER, TeamRole.SPOKESPERSON])
    assert AuditEvent.objects.get(action="account.offboarded").changes["moved"]["crisis_teams"] == 2


@pytest.mark.parametrize("successor_role", [None, Role.TECHNICIAN])
def test_without_a_successor_who_fits_the_places_are_vacant_and_the_log_says_so(
    admin, supervisor, level_ii, leaver, successor_role
):
    crisis = crisis_with(supervisor, level_ii, leaver)
    # A technician neither handles crises nor has the leaver's role (quality manager): no fit.
    successor = UserFactory(role=successor_role) if successor_role else None

    done = staff_offboard(actor=admin, user_id=leaver.pk, successor_id=successor.pk if successor else None, reason="离职")

    assert {h.kind: h.count for h in done.attention if h.kind.startswith("crisis_")} == {"crisis_teams": 2, "crisis_tasks": 1}
    assert not CrisisMember.objects.filter(crisis=crisis).exists()
    assert CrisisTask.objects.get(crisis=crisis, title="暂停该批次发货").owner_id is None
    entry = Communication.objects.get(crisis=crisis)
    assert entry.audience == Audience.INTERNAL and str(leaver) in entry.body
    logged = AuditEvent.objects.get(action="crisis.communication_recorded", object_id=str(crisis.pk), actor=admin)
    assert logged.changes["successor"] is None and logged.changes["left"] == "leaver"
    assert not AuditEvent.objects.filter(action="crisis.member_added", actor=admin).exists()
    assert AuditEvent.objects.get(action="account.offboarded").changes["attention"]["crisis_teams"] == 2


def test_a_successor_of_the_leaver_s_own_role_fits(admin, supervisor, level_ii):
    """A technician on the technical side hands over to another technician."""
    tech, other = UserFactory(role=Role.TECHNICIAN, username="tech"), UserFactory(role=Role.TECHNICIAN, username="other")
    crisis = services.crisis_open(actor=supervisor, title="批量漏水", crisis_type=CrisisType.QUALITY_BATCH, level=level_ii)
    services.crisis_add_member(crisis=crisis, actor=supervisor, user=tech, role=TeamRole.TECHNICAL)
    staff_offboard(actor=admin, user_id=tech.pk, successor_id=other.pk, reason="离职")
    assert list(crisis.members.values_list("user__username", "role")) == [("other", TeamRole.TECHNICAL)]


def test_an_owner_of_a_task_who_is_not_on_the_team_hands_the_task_over(admin, supervisor, level_ii, leaver):
    crisis = services.crisis_open(actor=supervisor, title="媒体报道", crisis_type=CrisisType.PUBLIC_OPINION, level=level_ii)
    task = services.crisis_add_task(crisis=crisis, actor=supervisor, title="回应媒体", owner=leaver)
    successor = UserFactory(role=Role.QUALITY_MANAGER, username="successor")
    done = staff_offboard(actor=admin, user_id=leaver.pk, successor_id=successor.pk, reason="离职")
    assert {h.kind: h.count for h in done.moved if h.kind.startswith("crisis_")} == {"crisis_tasks": 1}
    task.refresh_from_db()
    assert task.owner_id == successor.pk
    assert not crisis.members.exists()  # not on the team: nobody added
    assert Communication.objects.filter(crisis=crisis).count() == 1
