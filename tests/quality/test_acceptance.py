"""The acceptance of results on the quality side: the rule's conditions, the checklist computed
from the work orders, the quality manager's worklist (scoped, urgent and oldest first, both
languages) and the rule's admin page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.core import clock
from aftersales.fieldservice.models import (
    CompletionAcceptance,
    WorkOrder,
    WorkOrderFile,
    WorkOrderFileKind,
    WorkOrderKind,
    WorkOrderStatus,
)
from aftersales.quality.acceptance_checklist import checklist_states
from aftersales.quality.acceptance_models import AcceptanceMode, AcceptanceRule, ResultAcceptance
from aftersales.quality.acceptance_rules import current_rule, reasons_for
from aftersales.quality.acceptance_selectors import awaiting_acceptance, awaiting_acceptance_count
from aftersales.tickets.choices import Priority, Severity
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.process import ticket_close
from aftersales.tickets.process.acceptance import ticket_return_for_rework
from aftersales.tickets.states import TicketStatus
from tests.clock import freeze_time
from tests.factories import UserFactory
from tests.feedback.helpers import resolved
from tests.tickets.process_helpers import agent, refreshed

pytestmark = pytest.mark.django_db
S = TicketStatus


def quality_manager(**kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.QUALITY_MANAGER, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def _client(user, language: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _waiting(handler, **fields) -> Ticket:  # type: ignore[no-untyped-def]
    """A resolved ticket made serious (the default rule names it), closed by the agent: it waits."""
    ticket = resolved(handler)
    Ticket.objects.filter(pk=ticket.pk).update(severity=Severity.SERIOUS, **fields)
    return ticket_close(ticket=refreshed(ticket), actor=handler)


def _work_order(ticket: Ticket, number: str, **fields) -> WorkOrder:  # type: ignore[no-untyped-def]
    now = clock.now()
    technician = UserFactory(role=Role.TECHNICIAN)
    return WorkOrder.objects.create(
        number=number,
        ticket=ticket,
        kind=WorkOrderKind.ONSITE_REPAIR,
        technician=technician,
        created_at=now,
        updated_at=now,
        **fields,
    )


def _photo(order: WorkOrder, kind: str) -> None:
    WorkOrderFile.objects.create(
        work_order=order,
        kind=kind,
        file=f"fieldservice/{order.pk}/{kind}.jpg",
        original_name=f"{kind}.jpg",
        content_type="image/jpeg",
        size=10,
        sha256="0" * 64,
        created_at=clock.now(),
    )


# --- The rule ----------------------------------------------------------------------------------


def test_the_default_rule_names_each_condition():
    ticket = resolved()
    rule = current_rule()
    assert rule.mode == AcceptanceMode.MATCHING and rule.pk == 1 and not AcceptanceRule.objects.exists()
    assert reasons_for(ticket, rule) == []
    Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.URGENT, severity=Severity.SERIOUS, safety_hazard=True)
    assert reasons_for(refreshed(ticket), rule) == ["urgent", "serious", "safety"]
    PlanMeasure.objects.filter(plan__ticket=ticket).update(kind=MeasureKind.REFUND)
    assert reasons_for(refreshed(ticket), rule) == ["urgent", "serious", "safety", "money_measure"]
    rule.urgent = rule.serious = rule.safety = False
    assert reasons_for(refreshed(ticket), rule) == ["money_measure"]
    rule.money_measures = False
    assert reasons_for(refreshed(ticket), rule) == []


def test_a_reopened_ticket_waits_again_but_an_sla_escalation_alone_does_not_count():
    handler = agent()
    ticket = resolved(handler)
    Ticket.objects.filter(pk=ticket.pk).update(escalation_level=2)  # as SLA escalations raise it
    assert reasons_for(refreshed(ticket), current_rule()) == []
    waiting = _waiting(handler)
    ticket_return_for_rework(ticket=waiting, actor=quality_manager(), reason="重新检查")
    assert reasons_for(refreshed(waiting), current_rule()) == ["serious", "reopened"]


# --- The checklist ----------------------------------------------------------------------------


def test_the_checklist_is_computed_from_the_work_orders():
    handler = agent()
    waiting = _waiting(handler)
    assert checklist_states([waiting.pk])[waiting.pk] == {
        "acceptance_form": None,
        "photos": None,
        "costs": None,
        "customer_confirmed": False,
    }
    done = _work_order(
        waiting, "WO-A1", status=WorkOrderStatus.CUSTOMER_ACCEPTED, costed_at=clock.now(), cost_total=Decimal("80")
    )
    _work_order(waiting, "WO-A2", status=WorkOrderStatus.CANCELLED)  # called off: not counted
    _photo(done, WorkOrderFileKind.BEFORE)
    state = checklist_states([waiting.pk])[waiting.pk]
    assert (state["acceptance_form"], state["photos"], state["costs"]) == (False, False, True)
    _photo(done, WorkOrderFileKind.AFTER)
    CompletionAcceptance.objects.create(work_order=done, method="signature", signer_name="赵敏", accepted_at=clock.now())
    state = checklist_states([waiting.pk])[waiting.pk]
    assert (state["acceptance_form"], state["photos"], state["costs"]) == (True, True, True)
    _work_order(waiting, "WO-A3", status=WorkOrderStatus.DONE)  # done, not costed, no form
    state = checklist_states([waiting.pk])[waiting.pk]
    assert (state["acceptance_form"], state["photos"], state["costs"]) == (False, False, False)


# --- The worklist ------------------------------------------------------------------------------


def test_the_worklist_is_scoped_urgent_first_then_oldest():
    handler = agent()
    east, north = Region.objects.create(code="east", name="华东"), Region.objects.create(code="north", name="华北")
    with freeze_time(dt.datetime(2026, 4, 1, 9, tzinfo=dt.UTC)):
        old_normal = _waiting(handler, region=east)
    with freeze_time(dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC)):
        new_urgent = _waiting(handler, region=east, priority=Priority.URGENT)
    with freeze_time(dt.datetime(2026, 4, 3, 9, tzinfo=dt.UTC)):
        newer_normal = _waiting(handler, region=east)
        elsewhere = _waiting(handler, region=north)
    resolved(handler)  # not waiting
    everyone = quality_manager()
    assert [t.pk for t in awaiting_acceptance(everyone)] == [new_urgent.pk, old_normal.pk, newer_normal.pk, elsewhere.pk]
    regional = quality_manager(data_scope=DataScope.REGION, region=east)
    assert [t.pk for t in awaiting_acceptance(regional)] == [new_urgent.pk, old_normal.pk, newer_normal.pk]
    assert awaiting_acceptance_count(regional) == 3
    assert awaiting_acceptance_count(handler) == 0


def test_the_worklist_page_in_both_languages_and_who_may_open_it():
    handler = agent()
    waiting = _waiting(handler)
    ResultAcceptance.objects.filter(ticket=waiting).update(requested_via="customer")
    url = reverse("quality:acceptance")

    en = _client(quality_manager(language="en"), "en").get(url)
    html = en.content.decode()
    assert en.status_code == 200
    assert "Results awaiting acceptance" in html and waiting.number in html
    assert "serious severity" in html and "Customer confirmation" in html
    assert 'data-test-id="acceptance-check-customer_confirmed" data-met="yes"' in html
    assert 'data-test-id="acceptance-check-photos" data-met="na"' in html
    assert "待质量验收" not in html and "验收" not in html

    zh = _client(quality_manager(language="zh-hans"), "zh-hans").get(url).content.decode()
    assert "待验收的处理结果" in zh and "严重程度为严重" in zh and "客户确认" in zh
    assert "Results awaiting acceptance" not in zh and "Customer confirmation" not in zh

    assert _client(handler, "en").get(url).status_code == 403
    assert _client(UserFactory(role=Role.QUALITY_ENGINEER, data_scope=DataScope.ALL), "en").get(url).status_code == 403
    assert _client(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL), "en").get(url).status_code == 200


def test_the_ticket_page_offers_the_acceptance_to_the_quality_manager_only():
    handler = agent()
    waiting = _waiting(handler)
    page = _client(quality_manager(language="zh-hans"), "zh-hans").get(reverse("tickets:detail", args=[waiting.number]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "待质量验收" in html and "质量验收" in html and "退回重新处理" in html
    other = _client(handler, "zh-hans").get(reverse("tickets:detail", args=[waiting.number])).content.decode()
    assert "退回重新处理" not in other


# --- The rule's admin page ---------------------------------------------------------------------


def test_the_administrator_adds_the_one_rule_in_the_admin_and_edits_it():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, language="zh-hans")
    client = _client(admin, "zh-hans")
    listed = client.get(reverse("admin:quality_acceptancerule_changelist"))
    assert listed.status_code == 200 and "验收规则" in listed.content.decode()
    form = client.get(reverse("admin:quality_acceptancerule_add"))
    assert form.status_code == 200 and "退款、换货或补偿" in form.content.decode()
    saved = client.post(
        reverse("admin:quality_acceptancerule_add"), {"mode": AcceptanceMode.MATCHING, "urgent": "on", "reopened": "on"}
    )
    assert saved.status_code == 302
    rule = AcceptanceRule.objects.get()
    assert rule.pk == 1
    assert (rule.urgent, rule.serious, rule.safety, rule.money_measures, rule.reopened) == (True, False, False, False, True)
    assert rule.updated_by == admin
    assert client.get(reverse("admin:quality_acceptancerule_add")).status_code == 403  # one rule
    assert client.post(reverse("admin:quality_acceptancerule_change", args=[1]), {"mode": AcceptanceMode.NONE}).status_code == 302
    assert current_rule().mode == AcceptanceMode.NONE
