"""A member of staff leaves (accounts/offboarding.py): the preview of what they hold, the
handover with and without a successor, what stays, who may, one transaction, the sessions and
the audit row."""

from __future__ import annotations

import pytest
from django.test import Client

from aftersales.accounts.effects import STAFF_HOLDINGS, STAFF_LEAVING
from aftersales.accounts.models import Role, Team, User
from aftersales.accounts.offboarding import staff_holdings, staff_offboard
from aftersales.api.models import ApiKey
from aftersales.api.services import api_key_authenticate
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.notifications.models import Notification
from aftersales.quality.models import ImprovementAction
from aftersales.revisits.models import Revisit
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.receivers import staff_leaving as tickets_leaving
from tests.factories import TeamFactory

from .handover_helpers import administrator, assigned_ticket, by_kind, leaving_technician, staff, technician

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin() -> User:
    return administrator()


@pytest.fixture
def world(admin):
    return leaving_technician(admin=admin)


def test_the_preview_counts_what_the_person_holds_and_what_needs_attention(admin, world):
    preview = staff_holdings(actor=admin, user_id=world["tech"].pk)
    assert by_kind(preview.holdings) == {
        "tickets": 2,  # the closed one is no longer work
        "work_orders": 2,  # dispatched and accepted; the job done is not
        "revisit_tasks": 2,
        "appraisals": 0,
        "improvement_actions": 1,
        "report_subscriptions": 0,
        "api_keys": 1,
        "travel_advances": 1,  # paid and not settled; the settled one is not listed
        "teams_led": 1,
        "crisis_teams": 0,
        "crisis_tasks": 0,
        "van_stock": 0,
        "van_requisitions": 0,
        "van_stock_left": 0,
    }
    attention = {h.kind for h in preview.holdings if not h.moved}
    assert attention == {"travel_advances", "teams_led", "van_stock_left"}  # kinds only a person sees to
    tickets = next(h for h in preview.holdings if h.kind == "tickets")
    assert tickets.url == f"/tickets/?assignee={world['tech'].pk}"
    assert preview.total == 10


def test_with_a_successor_every_kind_moves_and_the_rest_stays(admin, world):
    tech = world["tech"]
    successor = technician(team=world["team"])
    done = staff_offboard(actor=admin, user_id=tech.pk, successor_id=successor.pk, reason="个人原因离职")
    moved = {h.kind: h.count for h in done.moved}
    # A technician does not handle tickets nor record revisit calls: those go back to the queues.
    assert moved == {"tickets": 2, "work_orders": 2, "revisit_tasks": 2, "improvement_actions": 1, "api_keys": 1}
    assert {h.kind: h.count for h in done.attention} == {"travel_advances": 1, "teams_led": 1}
    assert not Ticket.objects.filter(pk__in=[t.pk for t in world["tickets"]], assignee__isnull=False).exists()
    assert Ticket.objects.get(pk=world["closed_ticket"].pk).assignee_id == tech.pk  # archived: untouched
    assert set(WorkOrder.objects.filter(pk__in=[j.pk for j in world["jobs"]]).values_list("status", "technician")) == {
        (WorkOrderStatus.TO_DISPATCH, None)
    }
    assert WorkOrder.objects.get(pk=world["done_job"].pk).technician_id == tech.pk
    assert not Revisit.objects.filter(assignee=tech).exists()
    assert ImprovementAction.objects.get(pk=world["action"].pk).owner_id == successor.pk
    assert ApiKey.objects.get(pk=world["key"].key.pk).revoked_at is not None
    tech.refresh_from_db()
    assert not tech.is_active


def test_a_successor_who_handles_tickets_gets_them_and_one_message(admin):
    leaver = staff(Role.AGENT)
    successor = staff(Role.AGENT)
    tickets = [assigned_ticket(leaver, by=admin) for _n in range(3)]
    told_before = Notification.objects.filter(user=leaver).count()
    audited = AuditEvent.objects.filter(action="ticket.assigned", object_id__in=[str(t.pk) for t in tickets], actor=admin)
    audited_before = audited.count()
    done = staff_offboard(actor=admin, user_id=leaver.pk, successor_id=successor.pk, reason="调岗")
    assert {h.kind: h.count for h in done.moved} == {"tickets": 3}
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("assignee", flat=True)) == {successor.pk}
    # One timeline entry and one audit row per ticket, as any reassignment.
    events = TicketEvent.objects.filter(ticket__in=tickets, kind=EventKind.ASSIGNMENT, data__how="handover")
    assert events.count() == 3 and {e.data["to"] for e in events} == {successor.pk}
    assert audited.count() == audited_before + 3
    assert [row.changes["assignee"] for row in audited.order_by("-id")[:3]] == [[leaver.pk, successor.pk]] * 3
    # The successor is told once, not three times; the leaver not at all.
    told = Notification.objects.filter(user=successor, template="tickets_handed_over")
    assert told.count() == 1 and "3" in told.get().body
    assert not Notification.objects.filter(user=successor, template="ticket_assigned").exists()
    assert Notification.objects.filter(user=leaver).count() == told_before


def test_without_a_successor_the_tickets_go_back_to_their_team_s_queue(admin):
    leaver = staff(Role.AGENT, team=TeamFactory())
    ticket = assigned_ticket(leaver, by=admin)
    assert ticket.team_id == leaver.team_id  # the ticket joined the assignee's team
    moved = tickets_leaving(user=leaver, successor=None, actor=admin, now=clock.now())
    assert moved[0].count == 1 and moved[0].url == "/tickets/?queue=unassigned"
    ticket.refresh_from_db()
    assert ticket.assignee_id is None and ticket.team_id == leaver.team_id


def test_only_administrators_offboard(admin):
    leaver = staff(Role.AGENT)
    for refused in (staff(Role.AGENT), staff(Role.SUPERVISOR), staff(Role.FINANCE)):
        with pytest.raises(PermissionDenied) as exc:
            staff_offboard(actor=refused, user_id=leaver.pk, reason="离职")
        assert exc.value.code == "offboard_not_allowed"
        with pytest.raises(PermissionDenied):
            staff_holdings(actor=refused, user_id=leaver.pk)
    boss = User.objects.create_superuser(username="root", password="x" * 20, role=Role.SUPERVISOR)
    staff_offboard(actor=boss, user_id=leaver.pk, reason="离职")
    assert not User.objects.get(pk=leaver.pk).is_active


def test_nobody_offboards_themselves_and_a_superuser_only_by_a_superuser(admin):
    with pytest.raises(PermissionDenied) as exc:
        staff_offboard(actor=admin, user_id=admin.pk, reason="离职")
    assert exc.value.code == "offboard_self"
    root = User.objects.create_superuser(username="root", password="x" * 20)
    with pytest.raises(PermissionDenied) as exc:
        staff_offboard(actor=admin, user_id=root.pk, reason="离职")
    assert exc.value.code == "offboard_superuser"
    assert User.objects.get(pk=root.pk).is_active and User.objects.get(pk=admin.pk).is_active


def test_refusals_name_their_field(admin):
    leaver = staff(Role.AGENT)
    gone = staff(Role.AGENT, is_active=False)
    customer = staff(Role.CUSTOMER)
    cases = [
        ({"successor_id": gone.pk}, "successor", "successor_invalid"),
        ({"successor_id": customer.pk}, "successor", "successor_invalid"),
        ({"successor_id": 999_999}, "successor", "successor_invalid"),
        ({"successor_id": leaver.pk}, "successor", "successor_is_leaver"),
        ({"reason": "   "}, "reason", "reason_required"),
        ({"reason": "长" * 1001}, "reason", "reason_too_long"),
    ]
    for change, field, code in cases:
        arguments = {"actor": admin, "user_id": leaver.pk, "reason": "离职", **change}
        with pytest.raises(ValidationFailed) as exc:
            staff_offboard(**arguments)
        assert (exc.value.field, exc.value.code) == (field, code)
    with pytest.raises(NotFound):
        staff_offboard(actor=admin, user_id=customer.pk, reason="离职")
    with pytest.raises(NotFound):
        staff_holdings(actor=admin, user_id=999_999)
    assert User.objects.get(pk=leaver.pk).is_active


def test_offboarding_twice_is_a_conflict_that_moves_nothing(admin):
    leaver = staff(Role.AGENT)
    staff_offboard(actor=admin, user_id=leaver.pk, reason="离职")
    with pytest.raises(Conflict) as exc:
        staff_offboard(actor=admin, user_id=leaver.pk, reason="离职")
    assert exc.value.code == "already_inactive"
    assert AuditEvent.objects.filter(action="account.offboarded", object_id=str(leaver.pk)).count() == 1


def test_work_given_to_an_inactive_person_meanwhile_is_handed_over_once(admin):
    """The account stays inactive; the work moves (tests/accounts/test_inactive_handover.py)."""
    leaver = staff(Role.AGENT)
    staff_offboard(actor=admin, user_id=leaver.pk, reason="离职")
    ticket = assigned_ticket(staff(Role.AGENT), by=admin)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=leaver)  # as if given to them meanwhile
    done = staff_offboard(actor=admin, user_id=leaver.pk, reason="离职后仍有工单")
    assert not done.was_active and [(h.kind, h.count) for h in done.moved] == [("tickets", 1)]
    assert Ticket.objects.get(pk=ticket.pk).assignee_id is None  # back to the team's queue
    with pytest.raises(Conflict) as exc:
        staff_offboard(actor=admin, user_id=leaver.pk, reason="离职")
    assert exc.value.code == "already_inactive"
    assert AuditEvent.objects.filter(action="account.offboarded", object_id=str(leaver.pk)).count() == 2


def test_a_receiver_that_fails_undoes_the_whole_handover(admin, world):
    tech = world["tech"]

    def broken(**kwargs: object) -> list[object]:
        raise RuntimeError("the parts app is down")

    receivers = STAFF_LEAVING.receivers
    with STAFF_LEAVING.override(*receivers[:3], broken), pytest.raises(RuntimeError):
        staff_offboard(actor=admin, user_id=tech.pk, reason="离职")
    tech.refresh_from_db()
    assert tech.is_active and tech.session_epoch == 0
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in world["tickets"]]).values_list("assignee", flat=True)) == {tech.pk}
    assert set(WorkOrder.objects.filter(pk__in=[j.pk for j in world["jobs"]]).values_list("technician", flat=True)) == {tech.pk}
    assert Revisit.objects.filter(assignee=tech).count() == 2
    assert not AuditEvent.objects.filter(action__in=["account.offboarded", "fieldservice.status.to_dispatch"]).exists()


def test_every_session_of_the_person_ends(admin):
    leaver = staff(Role.AGENT)
    browser = Client()
    browser.force_login(leaver)
    assert browser.get("/tickets/").status_code == 200
    staff_offboard(actor=admin, user_id=leaver.pk, reason="离职")
    leaver.refresh_from_db()
    assert leaver.session_epoch == 1 and not leaver.is_active
    after = browser.get("/tickets/")
    assert after.status_code == 302 and "/accounts/login/" in after["Location"]


def test_one_audit_row_keeps_the_reason_the_successor_and_the_counts(admin, world):
    tech = world["tech"]
    successor = technician()
    staff_offboard(actor=admin, user_id=tech.pk, successor_id=successor.pk, reason="合同到期")
    row = AuditEvent.objects.get(action="account.offboarded")
    assert (row.object_type, row.object_id, row.actor_id) == ("accounts.user", str(tech.pk), admin.pk)
    assert row.changes["reason"] == "合同到期"
    assert row.changes["successor"] == successor.username and row.changes["successor_id"] == successor.pk
    assert row.changes["moved"] == {"tickets": 2, "work_orders": 2, "revisit_tasks": 2, "improvement_actions": 1, "api_keys": 1}
    assert row.changes["attention"] == {"travel_advances": 1, "teams_led": 1}
    assert row.changes["is_active"] == [True, False]


def test_a_revoked_key_of_the_person_no_longer_signs_in(admin, world):
    secret = world["key"].secret
    assert api_key_authenticate(raw_key=secret) is not None
    staff_offboard(actor=admin, user_id=world["tech"].pk, reason="离职")
    assert api_key_authenticate(raw_key=secret) is None


def test_the_preview_asks_each_app_once_with_one_count(admin, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(len(STAFF_HOLDINGS.paths) + 3):
        staff_holdings(actor=admin, user_id=world["tech"].pk)
    assert Team.objects.filter(leader=world["tech"]).count() == 1
