"""The customer answers the plan in the portal: only their own ticket, signed in or by link."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.portal.links import portal_path_for, portal_token_for
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_submit_plan
from aftersales.tickets.states import TicketStatus
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import signature_data, unit_in_warranty
from tests.tickets.process_helpers import analysed, repair_plan

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def handler():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, username="li.na")
    CustomerFactory(user=user, phone="+8613912345678", name="李娜")
    return user


def awaiting_customer(handler, phone: str = "13912345678") -> Ticket:  # type: ignore[no-untyped-def]
    # A free repair: the warranty covers it (out of warranty the plan must say what the customer pays).
    unit = unit_in_warranty()
    ticket = analysed(make_ticket(actor=handler, phone=phone, customer_name="李娜", serial_number=unit.serial_number), handler)
    repair_plan(ticket, handler)
    return ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)


def status_of(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


def test_another_customer_can_neither_see_nor_answer_the_plan(handler, customer_user):
    ticket = awaiting_customer(handler)
    stranger = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=stranger, phone="+8613700000009")
    client = _client(stranger)
    assert client.get(reverse("portal:ticket", args=[ticket.number])).status_code == 404
    response = client.post(
        reverse("portal:answer_plan", args=[ticket.number]), {"decision": "accept", "expected_version": ticket.version}
    )
    assert response.status_code == 404
    assert status_of(ticket) == TicketStatus.AWAITING_CUSTOMER


def test_staff_cannot_answer_as_the_customer_in_the_portal(handler):
    ticket = awaiting_customer(handler)
    response = _client(handler).post(
        reverse("portal:answer_plan", args=[ticket.number]), {"decision": "accept", "expected_version": ticket.version}
    )
    assert response.status_code == 403
    assert status_of(ticket) == TicketStatus.AWAITING_CUSTOMER


def test_a_stale_answer_is_shown_on_the_page_not_a_500(handler, customer_user):
    ticket = awaiting_customer(handler)
    response = _client(customer_user).post(
        reverse("portal:answer_plan", args=[ticket.number]),
        {"decision": "accept", "expected_version": ticket.version - 1, "signature": signature_data()},
    )
    assert response.status_code == 200
    assert 'data-test-id="portal-plan-errors"' in response.content.decode()
    assert status_of(ticket) == TicketStatus.AWAITING_CUSTOMER


def test_the_plan_is_offered_only_while_the_ticket_waits_for_the_customer(handler, customer_user):
    ticket = analysed(make_ticket(actor=handler, phone="13912345678", serial_number=unit_in_warranty().serial_number), handler)
    repair_plan(ticket, handler)
    html = _client(customer_user).get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-test-id="portal-plan"' not in html


def test_the_signed_link_answers_as_the_customers_portal_account(handler, customer_user, client):
    ticket = awaiting_customer(handler)
    html = client.get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-plan-accept"' in html
    response = client.post(
        reverse("portal:answer_plan_by_link", kwargs={"token": portal_token_for(ticket)}),
        {"decision": "accept", "expected_version": ticket.version, "signature": signature_data()},
    )
    assert response.status_code == 302
    assert status_of(ticket) == TicketStatus.IN_PROGRESS


def test_without_a_portal_account_the_customer_answers_through_the_signed_link(handler, client):
    from aftersales.tickets.models import AgreementMethod, CustomerAgreement

    ticket = awaiting_customer(handler, phone="13600000002")
    assert ticket.customer.user_id is None
    html = client.get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-plan"' in html
    assert 'data-test-id="portal-plan-decline"' in html
    response = client.post(
        reverse("portal:answer_plan_by_link", kwargs={"token": portal_token_for(ticket)}),
        {"decision": "decline", "note": "价格太高", "expected_version": ticket.version},
    )
    assert response.status_code == 302
    assert status_of(ticket) == TicketStatus.PLANNING
    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    assert (agreement.method, agreement.recorded_by_id, agreement.note) == (AgreementMethod.PORTAL, None, "价格太高")


def test_a_forged_or_other_tickets_link_cannot_answer(handler, client):
    ticket = awaiting_customer(handler, phone="13600000003")
    other = awaiting_customer(handler, phone="13600000004")
    forged = portal_token_for(ticket)[:-2] + "xx"
    response = client.post(
        reverse("portal:answer_plan_by_link", kwargs={"token": forged}),
        {"decision": "accept", "expected_version": ticket.version},
    )
    assert response.status_code == 404
    # The other ticket's link answers the other ticket only.
    client.post(
        reverse("portal:answer_plan_by_link", kwargs={"token": portal_token_for(other)}),
        {"decision": "accept", "expected_version": other.version, "signature": signature_data()},
    )
    assert status_of(ticket) == TicketStatus.AWAITING_CUSTOMER
    assert status_of(other) == TicketStatus.IN_PROGRESS


def test_the_customer_sees_what_they_pay_not_the_departments_cost(handler, client):
    from decimal import Decimal

    from aftersales.tickets.models import MeasureKind
    from aftersales.tickets.process import MeasureInput, ticket_propose_plan

    ticket = analysed(make_ticket(actor=handler, phone="13600000005", serial_number=unit_in_warranty().serial_number), handler)
    ticket_propose_plan(
        ticket=ticket,
        actor=handler,
        diagnosis="压缩机损坏，已过保修期。",
        measures=[
            MeasureInput(kind=MeasureKind.ONSITE_REPAIR, amount=Decimal("800"), customer_charge=Decimal("350")),
            MeasureInput(kind=MeasureKind.INSPECTION, amount=Decimal("60")),
            MeasureInput(kind=MeasureKind.COMPENSATION, amount=Decimal("100")),
        ],
    )
    ticket = ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    html = client.get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-measure-charge"' in html and "350" in html
    # The department's costs stay internal (a number on its own: a serial number may end in 800).
    assert not re.search(r"(?<![\w.])800(?![\w])", html) and "60.00" not in html
    assert 'data-test-id="portal-measure-free"' in html
    assert 'data-test-id="portal-measure-to-you"' in html and "100" in html


def test_a_refund_cannot_be_charged_to_the_customer(handler):
    from decimal import Decimal

    from aftersales.core.errors import ValidationFailed
    from aftersales.tickets.models import MeasureKind
    from aftersales.tickets.process import MeasureInput, ticket_propose_plan

    ticket = analysed(make_ticket(actor=handler, phone="13600000006"), handler)
    with pytest.raises(ValidationFailed) as refused:
        ticket_propose_plan(
            ticket=ticket,
            actor=handler,
            diagnosis="退款",
            measures=[MeasureInput(kind=MeasureKind.REFUND, amount=Decimal("100"), customer_charge=Decimal("5"))],
        )
    assert "measures.0.customer_charge" in refused.value.errors
