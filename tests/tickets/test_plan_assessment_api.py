"""The plan's assessment (方案评估) through API v1 and in the case file: staff propose it with the
plan and read it back; a customer's key and a customer's case file never hold it."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import translation
from pypdf import PdfReader

from aftersales.accounts.models import DataScope, Role
from aftersales.casefile.pdf import case_file_pdf
from aftersales.casefile.selectors import case_file_for
from aftersales.tickets.models import MeasureKind, Ticket, TicketPlan
from aftersales.tickets.plan_assessment import PLAN_ASSESSMENT_FIELDS
from aftersales.tickets.process import MeasureInput, ticket_propose_plan, ticket_submit_plan
from tests.api.conftest import api_client, customer_user
from tests.factories import UserFactory, make_ticket
from tests.tickets.process_helpers import analysed, refreshed

pytestmark = pytest.mark.django_db

NOTE = "经销商，年采购额大，处理结果会在同行中传开"
ASSESSED = {
    "customer_expectation": "希望支持下一次门店促销",
    "long_term_relationship": "yes",
    "repurchase_likelihood": "high",
    "word_of_mouth_risk": "high",
    "demand_reasonableness": "partly",
    "company_fault": "partial",
    "assessment_note": NOTE,
}


def pages_of(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():  # type: ignore[no-untyped-def]
    cache.clear()


@pytest.fixture
def handler():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, display_name="王芳")


def _offered(handler) -> Ticket:  # type: ignore[no-untyped-def]
    ticket = analysed(make_ticket(actor=handler, phone="13600000021"), handler)
    ticket_propose_plan(
        ticket=refreshed(ticket),
        actor=handler,
        diagnosis="运输途中外壳受损。",
        measures=[MeasureInput(kind=MeasureKind.COMPENSATION, owner=handler, amount=Decimal("80"))],
        **ASSESSED,
    )
    return ticket_submit_plan(ticket=refreshed(ticket), actor=handler)


def _propose_by_api(client, ticket: Ticket, **fields):  # type: ignore[no-untyped-def]
    etag = client.get(f"/api/v1/tickets/{ticket.number}")["ETag"]
    body = {"diagnosis": "外壳受损", "measures": [{"kind": "compensation", "amount": "50.00"}], **fields}
    return client.post(f"/api/v1/tickets/{ticket.number}/actions/propose-plan", body, headers={"If-Match": etag})


def test_staff_propose_the_assessment_with_the_plan_and_a_revision_keeps_what_it_leaves_out(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    client = api_client(handler)
    response = _propose_by_api(client, ticket, **ASSESSED)
    assert response.status_code == 200, response.json()
    plan = TicketPlan.objects.get(ticket=ticket)
    assert {name: getattr(plan, name) for name in PLAN_ASSESSMENT_FIELDS} == ASSESSED

    response = _propose_by_api(client, ticket, company_fault="none", assessment_note=None)
    assert response.status_code == 200, response.json()
    revised = TicketPlan.objects.get(ticket=ticket, is_current=True)
    assert revised.number == 2 and revised.company_fault == "none"
    assert revised.assessment_note == NOTE and revised.word_of_mouth_risk == "high"  # null / left out: carried over


def test_a_value_outside_the_list_is_a_422_naming_the_field(handler):
    ticket = analysed(make_ticket(actor=handler), handler)
    response = _propose_by_api(api_client(handler), ticket, demand_reasonableness="outrageous")
    assert response.status_code == 422
    assert "demand_reasonableness" in str(response.json())
    assert not TicketPlan.objects.filter(ticket=ticket).exists()


def test_staff_read_the_assessment_a_customers_key_reads_nulls(handler):
    ticket = _offered(handler)
    staff = api_client(handler).get(f"/api/v1/tickets/{ticket.number}", {"expand": ["plan"]}).json()["plan"]
    assert {name: staff[name] for name in PLAN_ASSESSMENT_FIELDS} == ASSESSED

    customer = api_client(customer_user(ticket))
    response = customer.get(f"/api/v1/tickets/{ticket.number}", {"expand": ["plan"]})
    assert response.status_code == 200
    plan = response.json()["plan"]
    assert plan is not None and plan["diagnosis"]  # the plan offered to them …
    assert all(plan[name] is None for name in PLAN_ASSESSMENT_FIELDS)  # … without the assessment
    assert NOTE not in response.content.decode()


@translation.override("en")
def test_the_internal_case_file_holds_the_assessment_the_customers_copy_does_not(handler):
    ticket = _offered(handler)
    staff_case = case_file_for(ticket=refreshed(ticket), viewer=handler)
    assert staff_case.plan is not None and staff_case.plan.assessment is not None
    assert staff_case.plan.assessment.values() == ASSESSED
    assert staff_case.plan.assessment.company_fault_label == "Partly at fault"
    assert len(staff_case.plan.assessment.guidance) == 4  # generous, reasonable part, keep, word of mouth

    owner = customer_user(ticket)
    customer_case = case_file_for(ticket=refreshed(ticket), viewer=owner)
    assert customer_case.plan is not None and customer_case.plan.assessment is None

    staff_pdf = "\n".join(pages_of(case_file_pdf(staff_case)))
    customer_pdf = "\n".join(pages_of(case_file_pdf(customer_case)))
    assert "Assessment" in staff_pdf and "经销商" in staff_pdf
    assert "Assessment" not in customer_pdf and "经销商" not in customer_pdf
