"""Each app's part of the staff handover (its ``receivers.staff_leaving``, through its own
services): work orders back to dispatch, revisits, appraisals, improvement actions, scheduled
reports, API keys — with and without a successor, and what stays."""

from __future__ import annotations

import pytest
from django.utils import translation

from aftersales.accounts.models import Role
from aftersales.accounts.offboarding import staff_holdings, staff_offboard
from aftersales.api.models import ApiKey
from aftersales.api.services import api_key_create, api_key_revoke
from aftersales.appraisal.models import Appraisal, AppraisalStatus
from aftersales.appraisal.selectors import appraiser_queue
from aftersales.audit.models import AuditEvent
from aftersales.fieldservice import services as fieldservice
from aftersales.fieldservice.models import WorkOrderStatus
from aftersales.notifications.models import Notification
from aftersales.quality.models import ActionOrigin, ActionStatus, ImprovementAction
from aftersales.quality.services import action_raise
from aftersales.reports.models import ReportSubscription
from aftersales.reports.services import report_subscription_set_active
from aftersales.revisits.models import Revisit, RevisitStatus
from aftersales.tickets.event_text import event_text
from aftersales.tickets.models import TicketEvent
from tests.appraisal.helpers import appraiser, walk
from tests.factories import TeamFactory
from tests.fieldservice.helpers import agent, dispatcher, fresh, in_progress_ticket, new_job, walk_to, window
from tests.fieldservice.helpers import technician as field_technician
from tests.reports.helpers import subscribe

from .handover_helpers import administrator, by_kind, revisit_for, staff

pytestmark = pytest.mark.django_db
W = WorkOrderStatus
A = AppraisalStatus


@pytest.fixture
def admin():
    return administrator()


def moved(done, kind: str) -> int:
    return sum(h.count for h in done.moved if h.kind == kind)


def test_a_leaving_technician_s_jobs_go_back_to_the_dispatch_board_and_are_dispatched_again(admin):
    handler, boss, tech, other = agent(), dispatcher(), field_technician(), field_technician()
    _t1, measure = in_progress_ticket(actor=handler)
    on_site = walk_to(new_job(handler=handler, measure=measure), "on_site", boss=boss, tech=tech)
    _t2, measure2 = in_progress_ticket(actor=handler)
    dispatched = walk_to(new_job(handler=handler, measure=measure2), "dispatched", boss=boss, tech=tech)
    done = staff_offboard(actor=admin, user_id=tech.pk, reason="离职")
    assert moved(done, "work_orders") == 2
    for job in (on_site, dispatched):
        job = fresh(job)
        assert (job.status, job.technician_id, job.dispatched_at) == (W.TO_DISPATCH, None, None)
        assert job.appointment_start is not None  # the window stays for the next technician
        assert AuditEvent.objects.filter(action="fieldservice.status.to_dispatch", object_id=str(job.pk), actor=admin).exists()
        entry = TicketEvent.objects.filter(ticket=job.ticket, data__action="status.to_dispatch").get()
        assert not entry.public  # internal: the customer hears of the next technician
        with translation.override("en"):
            assert f"Back to dispatch: {tech} has left." in event_text(entry)
    start, end = window(days=1)
    again = fieldservice.work_order_dispatch(
        work_order=fresh(dispatched), actor=boss, technician=other, appointment_start=start, appointment_end=end
    )
    assert again.status == W.DISPATCHED and again.technician_id == other.pk
    assert Notification.objects.filter(ticket=again.ticket, template="fieldservice.appointment").count() == 2


def test_revisits_go_to_a_successor_who_calls_or_back_unassigned(admin):
    team = TeamFactory()
    leaver, caller = staff(Role.AGENT, team=team), staff(Role.AGENT, team=TeamFactory())
    first, second = revisit_for(leaver), revisit_for(leaver)
    finished = revisit_for(leaver)
    Revisit.objects.filter(pk=finished.pk).update(status=RevisitStatus.DONE)
    assert by_kind(staff_holdings(actor=admin, user_id=leaver.pk).holdings)["revisit_tasks"] == 2
    done = staff_offboard(actor=admin, user_id=leaver.pk, successor_id=caller.pk, reason="离职")
    assert moved(done, "revisit_tasks") == 2
    for revisit in (first, second):
        revisit.refresh_from_db()
        assert (revisit.assignee_id, revisit.team_id, revisit.version) == (caller.pk, caller.team_id, 2)
    assert AuditEvent.objects.filter(action="revisit.reassigned", actor=admin).count() == 2
    assert Revisit.objects.get(pk=finished.pk).assignee_id == leaver.pk
    # A successor who records no calls (a technician): unassigned in the team's queue.
    other = staff(Role.AGENT, team=team)
    third = revisit_for(other)
    staff_offboard(actor=admin, user_id=other.pk, successor_id=staff(Role.TECHNICIAN).pk, reason="离职")
    third.refresh_from_db()
    assert (third.assignee_id, third.team_id) == (None, team.pk)


def test_appraisals_go_to_the_successor_appraiser_with_their_draft(admin):
    leaver, successor = appraiser(), appraiser()
    assigned = walk(to=A.ASSIGNED, who=leaver)
    started = walk(to=A.IN_PROGRESS, who=leaver)
    signed = walk(to=A.SIGNED, who=leaver)
    assert by_kind(staff_holdings(actor=admin, user_id=leaver.pk).holdings)["appraisals"] == 2
    done = staff_offboard(actor=admin, user_id=leaver.pk, successor_id=successor.pk, reason="离职")
    assert moved(done, "appraisals") == 2
    assert [(a.status, a.appraiser_id) for a in Appraisal.objects.filter(pk__in=[assigned.pk, started.pk]).order_by("pk")] == [
        (A.ASSIGNED, successor.pk),
        (A.IN_PROGRESS, successor.pk),
    ]
    assert Appraisal.objects.get(pk=signed.pk).appraiser_id == leaver.pk  # signed: the leaver's report
    assert AuditEvent.objects.filter(action="appraisal.assigned", actor=admin).count() == 2


def test_without_an_appraiser_to_succeed_appraisals_go_back_to_the_requests(admin):
    leaver = appraiser()
    started = walk(to=A.IN_PROGRESS, who=leaver)
    staff_offboard(actor=admin, user_id=leaver.pk, successor_id=staff(Role.SUPERVISOR).pk, reason="离职")
    started.refresh_from_db()
    assert (started.status, started.appraiser_id) == (A.REQUESTED, None)
    colleague = appraiser()
    assert started in appraiser_queue(user=colleague)["unassigned"]  # the appraisers take it there
    assert AuditEvent.objects.filter(action="appraisal.requested", object_id=str(started.pk), actor=admin).exists()


def test_improvement_actions_go_to_the_successor_or_wait_for_a_new_owner(admin):
    engineer = staff(Role.QUALITY_ENGINEER)
    leaver, successor = staff(Role.QUALITY_ENGINEER), staff(Role.QUALITY_ENGINEER)
    raised = [
        action_raise(actor=engineer, title=f"改进{n}", problem="漏水", origin=ActionOrigin.FAULT_CLUSTER, owner=leaver)
        for n in (1, 2)
    ]
    ImprovementAction.objects.filter(pk=raised[1].pk).update(status=ActionStatus.CLOSED)
    other = staff(Role.QUALITY_ENGINEER)
    waiting = action_raise(actor=engineer, title="改进3", problem="漏水", origin=ActionOrigin.FAULT_CLUSTER, owner=other)
    done = staff_offboard(actor=admin, user_id=other.pk, reason="离职")
    assert [(h.kind, h.count, h.moved) for h in done.attention if h.kind == "improvement_actions"] == [
        ("improvement_actions", 1, False)
    ]
    assert ImprovementAction.objects.get(pk=waiting.pk).owner_id == other.pk
    done = staff_offboard(actor=admin, user_id=leaver.pk, successor_id=successor.pk, reason="离职")
    assert moved(done, "improvement_actions") == 1
    assert ImprovementAction.objects.get(pk=raised[0].pk).owner_id == successor.pk
    assert ImprovementAction.objects.get(pk=raised[1].pk).owner_id == leaver.pk  # closed: history
    row = AuditEvent.objects.get(action="quality.action_updated", object_id=str(raised[0].pk))
    assert row.changes["owner_id"] == [str(leaver.pk), str(successor.pk)]


def test_scheduled_reports_are_paused_and_api_keys_revoked(admin):
    leaver = staff(Role.AGENT)
    running = subscribe(leaver)
    paused = subscribe(leaver, name="已暂停")
    report_subscription_set_active(actor=leaver, subscription=paused, active=False)
    key = api_key_create(name="CRM", owner=leaver, scopes=["tickets:read"], actor=admin).key
    old = api_key_revoke(key=api_key_create(name="旧", owner=leaver, scopes=["tickets:read"], actor=admin).key, actor=admin)
    holdings = by_kind(staff_holdings(actor=admin, user_id=leaver.pk).holdings)
    assert (holdings["report_subscriptions"], holdings["api_keys"]) == (1, 1)
    done = staff_offboard(actor=admin, user_id=leaver.pk, reason="离职")
    assert (moved(done, "report_subscriptions"), moved(done, "api_keys")) == (1, 1)
    assert not ReportSubscription.objects.get(pk=running.pk).active
    assert AuditEvent.objects.filter(action="report.subscription_paused", object_id=str(running.pk), actor=admin).exists()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert ApiKey.objects.get(pk=old.pk).revoked_at == old.revoked_at  # revoked before: unchanged
    assert AuditEvent.objects.filter(action="api.key_revoked", object_id=str(key.pk), actor=admin).exists()
