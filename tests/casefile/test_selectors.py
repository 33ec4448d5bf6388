"""The case file's selector: everything the ticket page shows, cut and masked for each viewer."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import DataScope, Role
from aftersales.casefile.selectors import ALL_PARTS, PLAN, case_file_for
from aftersales.core.errors import NotFound
from aftersales.tickets.models import Attachment
from aftersales.tickets.process import ticket_submit_plan
from aftersales.tickets.selectors import ticket_get_for_user
from tests.api.conftest import customer_user
from tests.factories import UserFactory, make_ticket
from tests.fieldservice.helpers import unit_in_warranty
from tests.tickets.process_helpers import agent, analysed, repair_plan

from .world import INTERNAL_NOTE, PUBLIC_MESSAGE, lived_ticket, refreshed

pytestmark = pytest.mark.django_db


def test_a_handler_gets_every_part_of_the_closed_ticket():
    world = lived_ticket()
    ticket = ticket_get_for_user(user=world.handler, number=world.ticket.number)
    case = case_file_for(ticket=ticket, viewer=world.handler)

    assert case.archived and case.actions == ["reopen"]
    assert case.party.masked is False
    assert (case.party.name, case.party.phone, case.party.contact_email) == ("陈静", "139 1234 5678", "chen.jing@example.com")
    assert "漕溪北路88号3栋502室" in case.party.address
    assert case.unit is not None and case.warranty is not None

    plan = case.plan
    assert plan is not None and plan.status == "agreed" and plan.cost_budget is not None
    assert [m.id for m in plan.measures] == [world.measure.pk]
    assert plan.measures[0].owner == "李娜" and plan.measures[0].status == "done"
    assert [(a.status, a.decided_by, a.comment) for a in case.approvals] == [("approved", "王主管", "同意上门维修。")]
    assert [(a.decision, a.method, a.note) for a in case.agreements] == [("accepted", "phone", "客户电话同意。")]
    assert {c.metric for c in case.sla_clocks} == {"first_response", "solution", "resolution"}
    assert all(not c.paused for c in case.sla_clocks)

    (wo,) = case.work_orders
    assert (wo.number, wo.status, wo.technician, wo.technician_username) == (
        world.work_order.number,
        "customer_accepted",
        "刘强",
        world.tech.username,
    )
    assert wo.measure_id == world.measure.pk and wo.checked_in_at and wo.checked_out_at
    assert {line.kind for line in wo.charge_lines} >= {"labour"}
    assert all(line.reason for line in wo.charge_lines)
    assert wo.acceptance is not None and wo.acceptance.signer_name == "陈静"
    assert "漕溪北路88号3栋502室" in wo.site_address

    (survey,) = case.surveys
    assert (survey.status, survey.overall, survey.solved, survey.comment) == ("submitted", 5, True, "很满意")

    stored = {a.original_name: a for a in Attachment.objects.filter(ticket=ticket)}
    assert [(a.name, a.size, a.sha256, a.public) for a in case.attachments] == [
        (name, stored[name].size, stored[name].sha256, stored[name].public) for name in ("故障照片.png", "质检报告.pdf")
    ]
    bodies = [e.body for e in case.timeline]
    assert INTERNAL_NOTE in bodies and PUBLIC_MESSAGE in bodies
    assert any(e.status_to and e.kind == "status_changed" for e in case.timeline)
    assert [n for e in case.timeline for n in e.attachment_names] == ["故障照片.png", "质检报告.pdf"]


def test_a_role_without_need_for_personal_data_gets_the_customer_masked():
    world = lived_ticket()
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    case = case_file_for(ticket=ticket_get_for_user(user=finance, number=world.ticket.number), viewer=finance)

    assert case.party.masked is True
    assert (case.party.name, case.party.phone, case.party.contact_email) == ("陈*", "139 **** 5678", "c***@example.com")
    assert "漕溪北路88号3栋502室" not in case.party.address and "徐汇区" in case.party.address
    assert "漕溪北路88号3栋502室" not in case.work_orders[0].site_address
    assert case.work_orders[0].acceptance is not None and case.work_orders[0].acceptance.signer_name == "陈*"
    assert case.actions == []


def test_the_customer_gets_their_copy_without_internals():
    world = lived_ticket()
    customer = customer_user(world.ticket)
    case = case_file_for(ticket=ticket_get_for_user(user=customer, number=world.ticket.number), viewer=customer)

    assert case.party.masked is False and case.party.phone == "139 1234 5678"
    assert case.approvals == [] and case.sla_clocks == []
    assert case.plan is not None and case.plan.cost_budget is None
    measure = case.plan.measures[0]
    assert (measure.owner, measure.amount) == (None, None)  # the department's cost is not theirs
    assert [a.name for a in case.attachments] == ["故障照片.png"]
    bodies = [e.body for e in case.timeline]
    assert INTERNAL_NOTE not in bodies and PUBLIC_MESSAGE in bodies
    assert all(e.public for e in case.timeline)
    (wo,) = case.work_orders
    assert wo.technician_username is None and wo.site_address == "" and wo.charge_lines
    assert case.surveys[0].comment == "很满意"


def test_a_plan_not_yet_offered_is_not_in_the_customers_copy():
    handler = agent()
    draft = make_ticket(actor=handler, serial_number=unit_in_warranty().serial_number)
    draft = analysed(draft, handler)
    repair_plan(draft, handler)
    owner = customer_user(draft)
    assert case_file_for(ticket=refreshed(draft), viewer=owner).plan is None  # a draft is internal
    assert case_file_for(ticket=refreshed(draft), viewer=handler).plan is not None
    offered = ticket_submit_plan(ticket=refreshed(draft), actor=handler)
    assert case_file_for(ticket=offered, viewer=owner).plan is not None


def test_scope_is_the_ticket_pages_and_a_technician_sees_only_their_own_work_orders():
    world = lived_ticket()
    outsider = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)
    with pytest.raises(NotFound):
        ticket_get_for_user(user=outsider, number=world.ticket.number)
    # The technician's own job: they see it; another technician's: not theirs to see.
    other = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    assert [w.number for w in case_file_for(ticket=world.ticket, viewer=other).work_orders] == [world.work_order.number]
    stranger = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL)
    assert case_file_for(ticket=world.ticket, viewer=stranger).work_orders == []


def test_only_the_parts_asked_for_are_read():
    world = lived_ticket()
    full = case_file_for(ticket=world.ticket, viewer=world.handler)
    with CaptureQueriesContext(connection) as everything:
        case_file_for(ticket=world.ticket, viewer=world.handler)
    with CaptureQueriesContext(connection) as plan_only:
        case = case_file_for(ticket=world.ticket, viewer=world.handler, include=frozenset({PLAN}))
    assert case.plan == full.plan and case.work_orders == [] and case.timeline == [] and case.sla_clocks == []
    assert case.included == frozenset({PLAN}) and full.included == ALL_PARTS
    assert len(plan_only) < len(everything)
    # The whole case file in a bounded number of statements, whatever the number of events.
    assert len(everything) <= 15
    with pytest.raises(ValueError):
        case_file_for(ticket=world.ticket, viewer=world.handler, include=frozenset({"secrets"}))
