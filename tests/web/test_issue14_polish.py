"""Issue 14, daily polish: only the roles that register tickets see and open the phone intake; the
signed agreement on file opens from the ticket page (staff in scope, audited) and from the
customer's portal page (their own); the portal's ticket page links to the case file for the
signed-in customer only."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.portal.links import portal_path_for
from aftersales.tickets.models import AgreementMethod, CustomerAgreement, MeasureKind, Ticket
from aftersales.tickets.process import MeasureInput, ticket_propose_plan, ticket_record_agreement, ticket_submit_plan
from tests.api.conftest import customer_user
from tests.clients import client_for
from tests.factories import RegionFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import signature_data
from tests.tickets.media import PDF_BYTES
from tests.tickets.process_helpers import analysed

pytestmark = pytest.mark.django_db

REGISTERING = [Role.AGENT, Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR]
NOT_REGISTERING = [Role.TECHNICIAN, Role.WAREHOUSE, Role.MARKETING, Role.FINANCE]


# --- The phone intake: only for the roles that register tickets -----------------------------


@pytest.mark.parametrize("role", REGISTERING)
def test_the_roles_that_register_tickets_get_the_intake_button_and_form(role):
    client = client_for(UserFactory(role=role, data_scope=DataScope.ALL))
    listing = client.get(reverse("tickets:list"))
    assert listing.status_code == 200
    assert 'data-test-id="new-intake"' in listing.content.decode()
    assert client.get(reverse("tickets:intake")).status_code == 200


@pytest.mark.parametrize("role", NOT_REGISTERING)
def test_other_staff_see_no_intake_button_and_the_intake_refuses_them(role):
    user = UserFactory(role=role, data_scope=DataScope.ALL)
    client = client_for(user)
    listing = client.get(reverse("tickets:list"))
    assert listing.status_code == 200
    assert 'data-test-id="new-intake"' not in listing.content.decode()
    assert reverse("tickets:intake") not in listing.content.decode()

    assert client.get(reverse("tickets:intake")).status_code == 403
    refused = client.post(
        reverse("tickets:intake"),
        {
            "idempotency_key": "k-" + role,
            "phone": "138 1234 5678",
            "customer_name": "张伟",
            "request_type": "repair",
            "priority": "3",
            "description": "空调漏水。",
        },
    )
    assert refused.status_code == 403
    assert not Ticket.objects.exists()


# --- The signed agreement on file ------------------------------------------------------------


@pytest.fixture
def handler() -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


def _offered(handler: User, *, region=None, signed: bool = False, phone: str = "13912345678") -> Ticket:  # type: ignore[no-untyped-def]
    ticket = analysed(make_ticket(actor=handler, phone=phone, customer_name="李娜", region=region), handler)
    ticket_propose_plan(
        ticket=ticket,
        actor=handler,
        diagnosis="排水泵损坏。",
        measures=[MeasureInput(kind=MeasureKind.INSPECTION, amount=Decimal("60"), customer_charge=Decimal("25"))],
        requires_signed_agreement=signed,
    )
    return ticket_submit_plan(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler)


def _signed_in_portal(  # type: ignore[no-untyped-def]
    handler: User, *, region=None, phone: str = "13912345678"
) -> tuple[Ticket, CustomerAgreement, User]:
    """The customer accepts and signs the plan on their portal page."""
    ticket = _offered(handler, region=region, phone=phone)
    customer = customer_user(ticket, username=f"customer-{ticket.pk}")
    response = client_for(customer).post(
        reverse("portal:answer_plan", args=[ticket.number]),
        {"decision": "accept", "expected_version": ticket.version, "signature": signature_data(), "note": ""},
    )
    assert response.status_code == 302
    agreement = CustomerAgreement.objects.get(plan__ticket=ticket)
    assert agreement.method == AgreementMethod.PORTAL and agreement.document
    return Ticket.objects.get(pk=ticket.pk), agreement, customer


def _scan_on_file(handler: User) -> tuple[Ticket, CustomerAgreement]:
    """The handler records the agreement the customer signed on paper, with its scan (a PDF)."""
    ticket = _offered(handler, signed=True)
    scan = io.BytesIO(PDF_BYTES)
    scan.name = "协议.pdf"
    ticket_record_agreement(
        ticket=ticket,
        actor=handler,
        accepted=True,
        method=AgreementMethod.SIGNED_DOCUMENT,
        agreed_at=clock.now(),
        document=scan,
    )
    return Ticket.objects.get(pk=ticket.pk), CustomerAgreement.objects.get(plan__ticket=ticket)


def _document_url(ticket: Ticket, agreement: CustomerAgreement) -> str:
    return reverse("tickets:agreement_document", args=[ticket.number, agreement.pk])


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content)


def _views_of_agreements() -> list[AuditEvent]:
    return [
        event
        for event in AuditEvent.objects.filter(action=CustomerAudit.PERSONAL_DATA_VIEWED).order_by("pk")
        if "signed_agreement" in (event.changes or {}).get("fields", [])
    ]


def test_the_ticket_page_links_the_signed_agreement_and_shows_the_portal_signature_small(handler):
    ticket, agreement, _customer = _signed_in_portal(handler)
    html = client_for(handler).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    url = _document_url(ticket, agreement)
    assert f'href="{url}"' in html and 'data-test-id="agreement-document"' in html
    assert f'src="{url}?inline=1"' in html and 'data-test-id="agreement-signature"' in html


def test_staff_in_scope_download_the_portal_signature_with_its_type_and_the_view_is_audited(handler):
    ticket, agreement, _customer = _signed_in_portal(handler)
    stored = agreement.document.open("rb").read()
    response = client_for(handler).get(_document_url(ticket, agreement))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="{ticket.number}-plan-1-agreement.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert _body(response) == stored and stored.startswith(b"\x89PNG")
    (event,) = _views_of_agreements()
    assert event.actor_id == handler.pk and event.object_id == str(ticket.customer_id)
    assert event.changes["ticket"] == ticket.number and event.changes["agreement"] == agreement.pk
    assert event.changes["shown"] == "download"

    inline = client_for(handler).get(_document_url(ticket, agreement) + "?inline=1")
    assert inline.status_code == 200 and inline["Content-Type"] == "image/png"
    assert inline["Content-Disposition"].startswith("inline;")
    assert [e.changes["shown"] for e in _views_of_agreements()] == ["download", "inline"]


def test_an_uploaded_scan_downloads_as_a_pdf_and_is_never_shown_inline(handler):
    ticket, agreement = _scan_on_file(handler)
    html = client_for(handler).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-test-id="agreement-document"' in html
    assert 'data-test-id="agreement-signature"' not in html  # a scan is not a signature to show
    for suffix in ("", "?inline=1"):
        response = client_for(handler).get(_document_url(ticket, agreement) + suffix)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{ticket.number}-plan-1-agreement.pdf"'
        assert _body(response) == PDF_BYTES


def test_staff_out_of_scope_customers_and_strangers_cannot_open_it_on_the_staff_side(handler):
    north, south = RegionFactory(), RegionFactory()
    ticket, agreement, customer = _signed_in_portal(handler, region=north)
    url = _document_url(ticket, agreement)
    elsewhere = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=south)
    assert client_for(elsewhere).get(url).status_code == 404
    assert client_for(customer).get(url).status_code == 403  # customers use their portal page
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse(settings.LOGIN_URL))
    # An agreement id under another ticket's number finds nothing.
    other = make_ticket(actor=handler, phone="13700001111")
    assert client_for(handler).get(reverse("tickets:agreement_document", args=[other.number, agreement.pk])).status_code == 404
    # No file on record (an agreement by phone): nothing to download.
    by_phone = _offered(handler)
    ticket_record_agreement(ticket=by_phone, actor=handler, accepted=True, method=AgreementMethod.PHONE, agreed_at=clock.now())
    plain = CustomerAgreement.objects.get(plan__ticket=by_phone)
    assert client_for(handler).get(_document_url(by_phone, plain)).status_code == 404
    assert _views_of_agreements() == []


def test_the_customer_opens_their_own_signed_agreement_from_the_portal_only(handler):
    ticket, agreement, customer = _signed_in_portal(handler)
    page = client_for(customer).get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    url = reverse("portal:agreement_document", args=[ticket.number, agreement.pk])
    assert f'href="{url}"' in page and f'src="{url}?inline=1"' in page
    response = client_for(customer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert _body(response) == agreement.document.open("rb").read()
    assert client_for(customer).get(url + "?inline=1")["Content-Disposition"].startswith("inline;")
    assert _views_of_agreements() == []  # their own: no personal-data view to log

    # Another customer, and staff on the portal's address, get nothing.
    _stranger_ticket, _their_agreement, stranger = _signed_in_portal(handler, phone="13600003333")
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(handler).get(url).status_code == 403
    # The signed-link page names no file.
    linked = Client().get(portal_path_for(ticket)).content.decode()
    assert url not in linked and "agreement_document" not in linked


# --- The case file from the portal ------------------------------------------------------------


def test_the_signed_in_customer_downloads_their_case_file_from_the_portal(handler):
    ticket = make_ticket(actor=handler, phone="13912345678", customer_name="李娜")
    customer = customer_user(ticket, username="li.na")
    client = client_for(customer)
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    url = reverse("casefile:ticket_pdf", args=[ticket.number])
    assert 'data-test-id="portal-case-file"' in page and f'href="{url}"' in page
    pdf = client.get(url)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    # Someone else's ticket: no page, no case file.
    other = make_ticket(actor=handler, phone="13700002222", customer_name="王芳")
    assert client.get(reverse("casefile:ticket_pdf", args=[other.number])).status_code == 404


def test_the_signed_link_offers_no_case_file_only_a_sign_in_when_there_is_an_account(handler):
    ticket = make_ticket(actor=handler, phone="13912345678", customer_name="李娜")
    without_account = Client().get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-case-file"' not in without_account
    assert "case-file.pdf" not in without_account
    assert 'data-test-id="portal-case-file-sign-in"' not in without_account  # nobody to sign in as

    customer_user(ticket, username="li.na")
    with_account = Client().get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-case-file"' not in with_account
    assert 'data-test-id="portal-case-file-sign-in"' in with_account
    back = reverse("portal:ticket", args=[ticket.number]).replace("/", "%2F")
    assert f"?next={back}" in with_account
    # The link's holder, signed out, gets the login page for the file itself.
    assert Client().get(reverse("casefile:ticket_pdf", args=[ticket.number])).status_code == 302


def test_a_customer_who_opens_their_link_while_signed_in_gets_the_case_file(handler):
    ticket = make_ticket(actor=handler, phone="13912345678", customer_name="李娜")
    customer = customer_user(ticket, username="li.na")
    page = client_for(customer).get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-case-file"' in page
