"""The customer signs the plan agreement on the screen (signed in, or from the signed link): the
plan summary they sign shows each measure and what they pay; the drawn PNG is stored on the
agreement with its SHA-256; declining needs a reason."""

from __future__ import annotations

import base64
import hashlib
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.portal.links import portal_path_for, portal_token_for
from aftersales.tickets.models import AgreementMethod, CustomerAgreement, MeasureKind, Ticket
from aftersales.tickets.process import MeasureInput, ticket_propose_plan, ticket_submit_plan
from aftersales.tickets.states import TicketStatus
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import png_bytes, signature_data, unit_in_warranty
from tests.tickets.process_helpers import analysed

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, username="li.na")
    CustomerFactory(user=user, phone="+8613912345678", name="李娜")
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def offered(handler, phone: str = "13912345678", *, signed_agreement: bool = False) -> Ticket:  # type: ignore[no-untyped-def]
    ticket = analysed(make_ticket(actor=handler, phone=phone, customer_name="李娜"), handler)
    ticket_propose_plan(
        ticket=ticket,
        actor=handler,
        diagnosis="洗衣机排水泵损坏，已过保修期。",
        measures=[
            MeasureInput(
                kind=MeasureKind.ONSITE_REPAIR,
                description="上门更换排水泵",
                amount=Decimal("420"),
                customer_charge=Decimal("260"),
            ),
            MeasureInput(kind=MeasureKind.INSPECTION, amount=Decimal("60"), customer_charge=Decimal("25.50")),
            MeasureInput(kind=MeasureKind.COMPENSATION, amount=Decimal("50")),
        ],
        requires_signed_agreement=signed_agreement,
    )
    return ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)


def status_of(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


def _drawn_png(data_url: str) -> bytes:
    return base64.b64decode(data_url.split(",", 1)[1])


def test_the_customer_accepts_and_signs_and_the_signature_is_stored_on_the_agreement(handler, customer_user):
    ticket = offered(handler)
    signature = signature_data()
    client = _client(customer_user)
    response = client.post(
        reverse("portal:answer_plan", args=[ticket.number]),
        {"decision": "accept", "expected_version": ticket.version, "signature": signature, "note": "尽快安排"},
    )
    assert response.status_code == 302
    assert status_of(ticket) == TicketStatus.IN_PROGRESS
    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    assert (agreement.decision, agreement.method, agreement.recorded_by) == ("accepted", AgreementMethod.PORTAL, customer_user)
    png = _drawn_png(signature)
    with agreement.document.open("rb") as stored:
        assert stored.read() == png
    assert agreement.document.name.endswith(".png")
    assert agreement.document_sha256 == hashlib.sha256(png).hexdigest()
    # Afterwards the page shows what they signed: the measures, what they pay, when they signed.
    html = client.get(reverse("portal:ticket", args=[ticket.number]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'data-test-id="portal-plan"' not in html and 'data-test-id="portal-plan-agreed"' in html
    assert 'data-test-id="portal-total-pays">285.50' in html
    assert "同意并签署" in html


def test_from_the_signed_link_without_an_account_the_customer_signs_too(handler, client):
    ticket = offered(handler, phone="13600000002")
    assert ticket.customer.user_id is None
    html = client.get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-signature-pad"' in html and "signature-pad.js" in html
    response = client.post(
        reverse("portal:answer_plan_by_link", kwargs={"token": portal_token_for(ticket)}),
        {"decision": "accept", "expected_version": ticket.version, "signature": signature_data()},
    )
    assert response.status_code == 302
    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    assert (agreement.decision, agreement.recorded_by_id, agreement.method) == ("accepted", None, AgreementMethod.PORTAL)
    assert agreement.document and len(agreement.document_sha256) == 64


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("", "请用手指或鼠标在框内签名"),  # not signed
        (
            "data:image/png;base64," + base64.b64encode(png_bytes(200, 80, value=255)).decode(),
            "请用手指或鼠标在框内签名",
        ),  # blank
        ("data:image/png;base64,bm90IGEgcG5n", "无法识别签名"),  # not a PNG
        ("data:image/jpeg;base64,/9j/4AAQ", "无法识别签名"),
    ],
)
def test_accepting_without_a_real_signature_is_refused_on_the_pad(handler, customer_user, signature, message):
    ticket = offered(handler)
    response = _client(customer_user).post(
        reverse("portal:answer_plan", args=[ticket.number]),
        {"decision": "accept", "expected_version": ticket.version, "signature": signature},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="error-signature"' in html and message in html
    assert status_of(ticket) == TicketStatus.AWAITING_CUSTOMER
    assert not CustomerAgreement.objects.exists()


def test_declining_needs_a_reason_and_stores_no_signature(handler, customer_user):
    ticket = offered(handler)
    client = _client(customer_user)
    url = reverse("portal:answer_plan", args=[ticket.number])
    response = client.post(
        url, {"decision": "decline", "expected_version": ticket.version, "note": " "}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    assert 'data-test-id="error-note"' in response.content.decode()
    assert status_of(ticket) == TicketStatus.AWAITING_CUSTOMER

    response = client.post(
        url, {"decision": "decline", "expected_version": ticket.version, "note": "费用太高", "signature": signature_data()}
    )
    assert response.status_code == 302
    assert status_of(ticket) == TicketStatus.PLANNING
    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    assert (agreement.decision, agreement.note, agreement.document.name) == ("declined", "费用太高", "")


def test_the_plan_the_customer_signs_shows_each_measure_what_they_pay_and_the_total(handler, customer_user):
    ticket = offered(handler)
    html = (
        _client(customer_user)
        .get(reverse("portal:ticket", args=[ticket.number]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert html.count('data-test-id="portal-plan-measure"') == 3
    assert "上门更换排水泵" in html
    assert html.count('data-test-id="portal-measure-charge"') == 2 and "260.00" in html and "25.50" in html
    assert 'data-test-id="portal-measure-to-you"' in html and "50.00" in html
    assert 'data-test-id="portal-total-pays">285.50' in html  # 260 + 25.50; the compensation is paid to them
    assert 'data-test-id="portal-total-receives">50.00' in html
    assert "420" not in html  # the department's cost stays internal
    assert 'data-test-id="portal-plan-accept"' in html and "同意并签名" in html


def test_a_free_plan_says_the_customer_pays_nothing(handler, customer_user):
    unit = unit_in_warranty()
    ticket = analysed(make_ticket(actor=handler, phone="13912345678", serial_number=unit.serial_number), handler)
    ticket_propose_plan(
        ticket=ticket,
        actor=handler,
        diagnosis="保修期内免费维修。",
        measures=[MeasureInput(kind=MeasureKind.ONSITE_REPAIR, amount=Decimal("300"))],
    )
    ticket = ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)
    html = (
        _client(customer_user)
        .get(reverse("portal:ticket", args=[ticket.number]), HTTP_ACCEPT_LANGUAGE="zh-hans")
        .content.decode()
    )
    assert 'data-test-id="portal-total-pays">免费' in html


def test_a_plan_that_needs_a_signed_agreement_is_satisfied_by_the_signature_on_screen(handler, customer_user):
    ticket = offered(handler, signed_agreement=True)
    response = _client(customer_user).post(
        reverse("portal:answer_plan", args=[ticket.number]),
        {"decision": "accept", "expected_version": ticket.version, "signature": signature_data()},
    )
    assert response.status_code == 302
    assert status_of(ticket) == TicketStatus.IN_PROGRESS
    assert CustomerAgreement.objects.get(plan__ticket=ticket).document


def test_an_answer_without_a_decision_is_explained_not_a_500(handler, customer_user):
    ticket = offered(handler)
    response = _client(customer_user).post(
        reverse("portal:answer_plan", args=[ticket.number]), {"expected_version": ticket.version, "signature": signature_data()}
    )
    assert response.status_code == 200
    assert 'data-test-id="portal-plan-errors"' in response.content.decode()
    assert status_of(ticket) == TicketStatus.AWAITING_CUSTOMER
