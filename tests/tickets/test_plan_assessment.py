"""The plan's assessment (方案评估, SPEC §2.5, seed [004] §3 "互相协商"): the agent weighs what the
customer expects, the relationship, word of mouth, the company's fault and whether the demand is
reasonable; the page shows the seed's advice for it; a revised plan starts from it; the customer
never sees it."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer, CustomerTier
from aftersales.demo.assessments import plan_assessment_for
from aftersales.demo.data import SCENARIOS
from aftersales.notifications.models import Notification
from aftersales.tickets import plan_assessment
from aftersales.tickets.action_forms import action_form
from aftersales.tickets.audit_actions import TicketAudit
from aftersales.tickets.choices import (
    CompanyFault,
    DemandReasonableness,
    LongTermRelationship,
    RepurchaseLikelihood,
    Responsibility,
    WordOfMouthRisk,
)
from aftersales.tickets.models import ApprovalRule, MeasureKind, Ticket, TicketEvent, TicketPlan
from aftersales.tickets.plan_assessment import PLAN_ASSESSMENT_FIELDS, plan_assessment_guidance
from aftersales.tickets.process import MAX_MEASURES, MeasureInput, ticket_propose_plan, ticket_submit_plan
from tests.clients import client_for
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.tickets.process_helpers import analysed, refreshed

NOTE = "老客户，去年采购过三台，口碑很重要"
EXPECTATION = "除赔偿外，希望公司书面道歉"
ASSESSED = {
    "customer_expectation": EXPECTATION,
    "long_term_relationship": LongTermRelationship.YES,
    "repurchase_likelihood": RepurchaseLikelihood.HIGH,
    "word_of_mouth_risk": WordOfMouthRisk.HIGH,
    "demand_reasonableness": DemandReasonableness.PARTLY,
    "company_fault": CompanyFault.MAJOR,
    "assessment_note": NOTE,
}


def advice(**values: str) -> list[str]:
    assessment = dict.fromkeys(("long_term_relationship", "repurchase_likelihood", "word_of_mouth_risk"), "unknown")
    assessment |= {"demand_reasonableness": "unknown", "company_fault": "unknown"} | values
    return [item.key for item in plan_assessment_guidance(**assessment)]


# --- The advice (a pure function) ---------------------------------------------------------------


def test_nothing_assessed_asks_the_agent_to_assess_before_offering_anything():
    assert advice() == ["not_assessed"]


def test_the_company_at_fault_compensates_more_generously():
    for fault in (CompanyFault.MINOR, CompanyFault.PARTIAL, CompanyFault.MAJOR, CompanyFault.FULL):
        assert advice(company_fault=fault) == ["generous"]
    assert advice(company_fault=CompanyFault.NONE) == []


def test_an_unreasonable_demand_without_future_business_gets_a_clear_polite_no():
    for demand in (DemandReasonableness.UNREASONABLE, DemandReasonableness.UNFOUNDED):
        assert advice(demand_reasonableness=demand, long_term_relationship="no", company_fault="none") == ["polite_no"]
        assert advice(demand_reasonableness=demand, long_term_relationship="no", repurchase_likelihood="low") == ["polite_no"]


def test_an_unreasonable_demand_of_a_customer_to_keep_is_answered_with_the_facts():
    assert advice(demand_reasonableness="unreasonable", long_term_relationship="yes") == ["show_the_facts", "keep_the_customer"]
    # Not a long-term customer but likely to buy again: not a flat no either.
    assert advice(demand_reasonableness="unfounded", long_term_relationship="no", repurchase_likelihood="high") == [
        "show_the_facts",
        "keep_the_customer",
    ]
    # The relationship not assessed yet: no "no" on a guess.
    assert advice(demand_reasonableness="unreasonable") == ["show_the_facts"]


def test_an_excessive_demand_where_the_company_is_at_fault_is_met_for_the_fault_not_refused():
    assert advice(demand_reasonableness="unreasonable", long_term_relationship="no", company_fault="minor") == [
        "generous",
        "show_the_facts",
    ]


def test_a_partly_reasonable_demand_and_a_high_word_of_mouth_risk():
    keys = advice(demand_reasonableness="partly", word_of_mouth_risk="high")
    assert keys == ["meet_the_reasonable_part", "word_of_mouth"]
    (_part, risk) = plan_assessment_guidance(
        long_term_relationship="unknown",
        repurchase_likelihood="unknown",
        word_of_mouth_risk="high",
        demand_reasonableness="partly",
        company_fault="unknown",
    )
    assert risk.caution and not _part.caution


def test_a_fair_demand_with_little_at_stake_needs_no_advice():
    assert advice(demand_reasonableness="reasonable", company_fault="none", word_of_mouth_risk="low") == []


def test_the_advice_never_says_no_and_be_generous_at_once_nor_no_to_a_customer_to_keep():
    vocabularies = [LongTermRelationship, RepurchaseLikelihood, WordOfMouthRisk, DemandReasonableness, CompanyFault]
    for values in itertools.product(*(v.values for v in vocabularies)):
        lt, rp, wom, demand, fault = values
        keys = advice(
            long_term_relationship=lt,
            repurchase_likelihood=rp,
            word_of_mouth_risk=wom,
            demand_reasonableness=demand,
            company_fault=fault,
        )
        assert len(keys) == len(set(keys))
        if "polite_no" in keys:
            assert "generous" not in keys and "keep_the_customer" not in keys


def test_every_piece_of_advice_is_translated():
    pieces = [value for value in vars(plan_assessment).values() if isinstance(value, plan_assessment.Guidance)]
    assert len(pieces) == 7
    with translation.override("zh-hans"):
        for item in pieces:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in str(item.text)), item.key


# --- The service ------------------------------------------------------------------------------


@pytest.fixture
def handler():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, display_name="王芳")


def propose(ticket: Ticket, actor, **assessment):  # type: ignore[no-untyped-def]
    return ticket_propose_plan(
        ticket=refreshed(ticket),
        actor=actor,
        diagnosis="压缩机故障，上门维修并补偿。",
        measures=[MeasureInput(kind=MeasureKind.COMPENSATION, owner=actor, amount=Decimal("300"))],
        **assessment,
    )


@pytest.mark.django_db
def test_a_plan_records_what_the_agent_weighed_and_the_audit_row_keeps_it(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    plan = propose(ticket, handler, **ASSESSED)
    stored = TicketPlan.objects.get(pk=plan.pk)
    assert {name: getattr(stored, name) for name in PLAN_ASSESSMENT_FIELDS} == ASSESSED
    assert [a.key for a in stored.assessment_guidance] == [
        "generous",
        "meet_the_reasonable_part",
        "keep_the_customer",
        "word_of_mouth",
    ]
    (audit,) = [a for a in AuditEvent.objects.filter(action=TicketAudit.PLAN_PROPOSED) if "assessment" in a.changes]
    assert audit.object_type.endswith("ticketplan") and audit.object_id == str(plan.pk)
    assert audit.changes["assessment"] == ASSESSED


@pytest.mark.django_db
def test_a_plan_without_an_assessment_is_not_assessed(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    plan = propose(ticket, handler)
    assert [getattr(plan, name) for name in PLAN_ASSESSMENT_FIELDS] == ["", *["unknown"] * 5, ""]
    assert [a.key for a in plan.assessment_guidance] == ["not_assessed"]


@pytest.mark.django_db
def test_a_revised_plan_starts_from_the_assessment_of_the_plan_it_replaces(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    first = propose(ticket, handler, **ASSESSED)
    # The approver refused: the agent revises the fault and the note only.
    second = propose(ticket, handler, company_fault=CompanyFault.MINOR, assessment_note="")
    assert second.number == first.number + 1
    assert second.company_fault == CompanyFault.MINOR and second.assessment_note == ""
    assert second.customer_expectation == EXPECTATION and second.word_of_mouth_risk == WordOfMouthRisk.HIGH
    assert second.long_term_relationship == LongTermRelationship.YES
    first.refresh_from_db()
    assert first.company_fault == CompanyFault.MAJOR and first.assessment_note == NOTE  # the old plan keeps its own


@pytest.mark.django_db
def test_a_value_outside_its_list_is_refused_on_its_field(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    with pytest.raises(ValidationFailed) as refused:
        propose(ticket, handler, company_fault="catastrophic", word_of_mouth_risk="viral", assessment_note="x" * 20001)
    assert refused.value.code == "assessment_invalid"
    assert set(refused.value.errors) == {"company_fault", "word_of_mouth_risk", "assessment_note"}
    assert not TicketPlan.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_the_assessment_never_reaches_the_timeline_or_the_customers_messages(handler):
    ticket = analysed(make_ticket(actor=handler, phone="13700000001"), handler)
    propose(ticket, handler, **ASSESSED)
    ticket_submit_plan(ticket=refreshed(ticket), actor=handler)  # offered: the customer is told
    assert Notification.objects.filter(ticket=ticket, template="ticket_plan_offered").exists()
    for event in TicketEvent.objects.filter(ticket=ticket):
        assert NOTE not in event.body and EXPECTATION not in event.body
        assert NOTE not in str(event.data) and "company_fault" not in str(event.data)
    for message in Notification.objects.filter(ticket=ticket):
        assert NOTE not in message.body and EXPECTATION not in message.body and NOTE not in str(message.params)


# --- The form and the pages -------------------------------------------------------------------


def _form_data(ticket: Ticket, **fields: str) -> dict[str, str]:
    return {
        "expected_version": str(refreshed(ticket).version),
        "diagnosis": "压缩机故障",
        "measures-TOTAL_FORMS": "1",
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": str(MAX_MEASURES),
        "measures-0-kind": MeasureKind.COMPENSATION,
        "measures-0-amount": "200",
        **fields,
    }


def _post(client: Client, ticket: Ticket, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(reverse("tickets:action", args=[ticket.number, "propose_plan"]), data, HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_the_plan_form_takes_the_assessment(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    response = _post(client_for(handler), ticket, _form_data(ticket, **ASSESSED))
    assert response.status_code == 200
    plan = TicketPlan.objects.get(ticket=ticket)
    assert {name: getattr(plan, name) for name in PLAN_ASSESSMENT_FIELDS} == ASSESSED


@pytest.mark.django_db
def test_the_form_refuses_a_value_outside_the_list_next_to_its_field(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    response = _post(client_for(handler), ticket, _form_data(ticket, company_fault="catastrophic"))
    html = response.content.decode()
    assert 'data-test-id="error-company_fault"' in html
    assert not TicketPlan.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_the_form_of_a_revised_plan_starts_from_the_current_assessment(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    propose(ticket, handler, **ASSESSED)
    form = action_form("propose_plan", ticket=refreshed(ticket), user=handler)
    assert {name: form[name].value() for name in PLAN_ASSESSMENT_FIELDS} == ASSESSED
    assert [a.key for a in form.assessment_guidance()] == [  # type: ignore[attr-defined]
        "generous",
        "meet_the_reasonable_part",
        "keep_the_customer",
        "word_of_mouth",
    ]
    # An older page that does not send the assessment keeps it.
    _post(client_for(handler), ticket, _form_data(ticket))
    revised = TicketPlan.objects.get(ticket=ticket, is_current=True)
    assert revised.number == 2 and revised.assessment_note == NOTE and revised.company_fault == CompanyFault.MAJOR


@pytest.mark.django_db
def test_a_key_customers_first_plan_is_offered_as_a_long_term_relationship(handler):
    ticket = analysed(make_ticket(actor=handler, phone="13700000002"), handler)
    form = action_form("propose_plan", ticket=refreshed(ticket), user=handler)
    assert form["long_term_relationship"].value() == "unknown"
    Customer.objects.filter(pk=ticket.customer_id).update(tier=CustomerTier.KEY)
    form = action_form("propose_plan", ticket=refreshed(ticket), user=handler)
    assert form["long_term_relationship"].value() == "yes"
    assert [a.key for a in form.assessment_guidance()] == ["keep_the_customer"]  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_the_plan_form_shows_the_assessment_and_its_advice_in_chinese(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    propose(ticket, handler, company_fault=CompanyFault.FULL)
    page = client_for(handler).get(reverse("tickets:detail", args=[ticket.number])).content.decode()  # zh-hans
    assert 'data-test-id="plan-assessment-fields"' in page and "方案评估" in page
    assert "公司方面有过失：对客户的补偿应更丰厚一些" in page
    assert 'data-test-id="field-company_fault"' in page and 'data-test-id="field-customer_expectation"' in page
    assert 'data-test-id="guidance-generous"' in page


@pytest.mark.django_db
def test_the_approver_reads_the_assessment_and_the_advice_on_the_plan_panel(handler):
    ApprovalRule.objects.create(
        name="补偿 100 元以上需主管审批", measure_kind=MeasureKind.COMPENSATION, min_amount=Decimal("100")
    )
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="孙总")
    ticket = analysed(make_ticket(actor=handler), handler)
    propose(ticket, handler, **ASSESSED)
    ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    assert refreshed(ticket).status == "awaiting_approval"
    response = client_for(boss).get(reverse("tickets:detail", args=[ticket.number]))
    page = response.content.decode()
    assert 'data-test-id="plan-assessment" open' in page
    assert 'data-test-id="assessment-company_fault" data-value="major"' in page
    assert NOTE in page and EXPECTATION in page
    assert 'data-test-id="guidance-generous"' in page and 'data-test-id="guidance-word_of_mouth"' in page
    assert 'data-test-id="action-decide_approval"' in page  # on the page where the approver decides


@pytest.mark.django_db
def test_the_customer_never_sees_the_assessment_in_the_portal(handler):
    user = UserFactory(role=Role.CUSTOMER, username="li.na")
    CustomerFactory(user=user, phone="+8613912345678", name="李娜")
    ticket = analysed(make_ticket(actor=handler, phone="13912345678", customer_name="李娜"), handler)
    propose(ticket, handler, **ASSESSED)
    ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    response = client_for(user).get(reverse("portal:ticket", args=[ticket.number]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-test-id="portal-plan-diagnosis"' in page  # the plan is offered to them …
    assert NOTE not in page and EXPECTATION not in page  # … without what the agent weighed
    assert "plan-assessment" not in page and 'data-test-id="plan-guidance"' not in page
    # Nor may a customer open the staff page that shows it.
    assert client_for(user).get(reverse("tickets:detail", args=[ticket.number])).status_code in (302, 403, 404)


# --- The demo's plans -------------------------------------------------------------------------


def test_the_demo_plans_are_assessed_as_an_agent_would():
    misuse = next(s for s in SCENARIOS if s.responsibility == Responsibility.CUSTOMER)
    ours = next(s for s in SCENARIOS if s.responsibility == Responsibility.INTERNAL and s.cause == "manufacturing")
    walk_in = plan_assessment_for(scenario=misuse, customer_kind="person", customer_tier="normal")
    assert walk_in["company_fault"] == "none" and walk_in["long_term_relationship"] == "no"
    assert walk_in["demand_reasonableness"] in ("unreasonable", "partly") and walk_in["repurchase_likelihood"] == "low"
    dealer = plan_assessment_for(scenario=ours, customer_kind="company", customer_tier="normal")
    assert dealer["company_fault"] == "major" and dealer["long_term_relationship"] == "yes"
    assert "促销" in dealer["customer_expectation"] and dealer["assessment_note"]
    key = plan_assessment_for(scenario=ours, customer_kind="person", customer_tier="key")
    assert key["repurchase_likelihood"] == "high"
    for scenario in SCENARIOS:  # every scenario gives values the service takes
        values = plan_assessment_for(scenario=scenario, customer_kind="person", customer_tier="normal")
        assert set(values) == set(PLAN_ASSESSMENT_FIELDS)
        assert plan_assessment_guidance(
            **{k: v for k, v in values.items() if k not in ("customer_expectation", "assessment_note")}
        )
