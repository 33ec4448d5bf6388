"""Issue 14: the approval thresholds are configured in /admin/tickets/approvalrule/ — listed,
filtered, checked when saved — and a rule saved there is what the plan's submission follows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import ApprovalRule, MeasureKind, PlanStatus, Ticket, TicketPlan
from aftersales.tickets.process import ticket_submit_plan
from aftersales.tickets.states import TicketStatus
from tests.factories import UserFactory, make_ticket
from tests.tickets.process_helpers import agent, analysed, repair_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client():  # type: ignore[no-untyped-def]
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    return client


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "上门维修500元以上",
        "measure_kind": MeasureKind.ONSITE_REPAIR,
        "min_amount": "500",
        "approver_role": "supervisor",
        "active": "on",
    }
    data.update(overrides)
    return data


def test_the_rules_are_listed_with_what_they_apply_to_and_can_be_filtered(admin_client):
    ApprovalRule.objects.create(name="预算3000元以上", min_amount=Decimal("3000"), approver_role="administrator")
    ApprovalRule.objects.create(name="补偿200元以上", measure_kind=MeasureKind.COMPENSATION, min_amount=Decimal("200"))
    url = reverse("admin:tickets_approvalrule_changelist")
    page = admin_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "预算3000元以上" in html and "补偿200元以上" in html
    filtered = admin_client.get(url, {"approver_role__exact": "administrator"}).content.decode()
    assert "预算3000元以上" in filtered and "补偿200元以上" not in filtered
    assert admin_client.get(reverse("admin:tickets_approvalrule_add")).status_code == 200


def test_a_rule_added_in_the_admin_sends_a_matching_plan_for_approval(admin_client):
    response = admin_client.post(reverse("admin:tickets_approvalrule_add"), _form())
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = ApprovalRule.objects.get()
    assert (rule.measure_kind, rule.min_amount, rule.approver_role, rule.active) == (
        MeasureKind.ONSITE_REPAIR,
        Decimal("500.00"),
        "supervisor",
        True,
    )
    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    repair_plan(ticket, handler, amount="800")
    moved = ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    assert moved.status == TicketStatus.AWAITING_APPROVAL
    assert TicketPlan.objects.get(ticket=ticket).status == PlanStatus.AWAITING_APPROVAL


def test_the_admin_refuses_a_negative_amount_and_a_duplicate_rule(admin_client):
    url = reverse("admin:tickets_approvalrule_add")
    negative = admin_client.post(url, _form(min_amount="-1"))
    assert negative.status_code == 200 and not ApprovalRule.objects.exists()
    assert "errorlist" in negative.content.decode()
    assert admin_client.post(url, _form()).status_code == 302
    twin = admin_client.post(url, _form(name="同样的规则"))
    assert twin.status_code == 200 and ApprovalRule.objects.count() == 1
    assert "上门维修500元以上" in twin.content.decode()
    # An inactive copy is fine (kept for later), and so is a different approver.
    assert admin_client.post(url, _form(name="备用", active="")).status_code == 302
    assert admin_client.post(url, _form(name="管理员审批", approver_role="administrator")).status_code == 302
    assert ApprovalRule.objects.count() == 3


def test_staff_without_admin_rights_cannot_change_the_rules():
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, is_staff=False)
    client = Client()
    client.force_login(supervisor)
    response = client.get(reverse("admin:tickets_approvalrule_changelist"))
    assert response.status_code == 302  # to the admin's login
