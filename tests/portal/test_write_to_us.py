"""Audit 3, finding 2: the customer answers "we need information" and writes to us from their
ticket page — a message, photos or files (the checks every upload gets), sent once however often
the button is pressed — and cancels the request where the process lets a customer cancel. The
request for information tells the customer to answer on their page or call the hotline, never
to "reply to our e-mail"."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core.upload_checks import EICAR_SIGNATURE
from aftersales.customers.models import Customer
from aftersales.notifications.models import Notification
from aftersales.portal.links import portal_path_for, portal_token_for
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Attachment, Ticket, TicketEvent
from aftersales.tickets.process import ticket_request_information, ticket_start_verification
from aftersales.tickets.states import TicketStatus
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import png_bytes
from tests.tickets.process_helpers import agent

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture(autouse=True)
def hotline(settings):  # type: ignore[no-untyped-def]
    settings.SERVICE_HOTLINE = "400-820-8820"


@pytest.fixture
def customer_user():  # type: ignore[no-untyped-def]
    user = UserFactory(role=Role.CUSTOMER, username="emily")
    CustomerFactory(user=user, phone="+86" + PHONE, name="Emily Carter", email="", consent_contact=True, language="en")
    return user


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _photo(name: str = "receipt.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(8, 8, varied=True), content_type="image/png")


def awaiting_info(handler, phone: str = PHONE) -> Ticket:  # type: ignore[no-untyped-def]
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler, phone=phone), actor=handler)
    return ticket_request_information(ticket=ticket, actor=handler, missing="a photo of the receipt")


def _message(ticket: Ticket, **data) -> dict:  # type: ignore[no-untyped-def]
    return {"idempotency_key": data.pop("key", "k-" + ticket.number), "body": "", **data}


def test_the_request_for_information_says_answer_on_your_page_or_call_the_hotline(customer_user):
    ticket = awaiting_info(agent())
    sent = Notification.objects.filter(ticket=ticket, template="ticket_information_requested")
    assert {n.channel for n in sent} >= {"sms", "in_app"}  # no e-mail address: no e-mail
    for message in sent:
        assert "e-mail" not in message.body and "email" not in message.body.lower(), message.body
        assert "Please answer on your service page (link below) or call 400-820-8820" in message.body
        assert "http://" in message.body or "https://" in message.body  # the page's absolute link
    sms = sent.get(channel="sms")
    assert sms.params["hotline"] == "400-820-8820" and sms.params["link"].startswith("http")


def test_without_a_hotline_set_the_message_says_our_service_hotline_in_the_customers_language(customer_user, settings):
    settings.SERVICE_HOTLINE = ""
    ticket = awaiting_info(agent())
    in_app = Notification.objects.get(ticket=ticket, template="ticket_information_requested", channel="in_app")
    assert "or call our service hotline" in in_app.body


def test_the_customer_answers_with_a_message_and_a_photo(customer_user):
    ticket = awaiting_info(agent())
    client = _client(customer_user)
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-test-id="portal-message-form"' in page and "Send us what we asked for" in page
    assert 'enctype="multipart/form-data"' in page and 'href="tel:4008208820"' in page
    response = client.post(
        reverse("portal:message", args=[ticket.number]),
        _message(ticket, body="Here is the receipt.", attachments=[_photo()]),
    )
    assert response.status_code == 302 and response["Location"].endswith("#messages")
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.MESSAGE_IN)
    assert (event.body, event.actor_id, event.public) == ("Here is the receipt.", customer_user.pk, True)
    attachment = Attachment.objects.get(ticket=ticket)
    assert (attachment.public, attachment.content_type, attachment.uploaded_by_id) == (True, "image/png", customer_user.pk)
    assert Ticket.objects.get(pk=ticket.pk).last_customer_contact_at is not None
    actions = set(AuditEvent.objects.filter(object_id=str(ticket.pk)).values_list("action", flat=True))
    assert {"ticket.message_in", "ticket.attachment_added"} <= actions
    # The customer reads it on their timeline; the agent still decides the next step.
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert "Here is the receipt." in page and "receipt.png" in page
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.AWAITING_INFO


def test_a_double_submit_sends_the_message_once_and_a_reused_key_is_refused(customer_user):
    ticket = awaiting_info(agent())
    client = _client(customer_user)
    url = reverse("portal:message", args=[ticket.number])
    for _ in range(2):
        assert client.post(url, _message(ticket, key="same", body="Receipt attached")).status_code == 302
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).count() == 1
    edited = client.post(url, _message(ticket, key="same", body="Another text"))
    assert edited.status_code == 200
    html = edited.content.decode()
    assert 'data-test-id="portal-message-errors"' in html and "already used" in html
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).count() == 1
    assert 'value="same"' not in html  # a fresh key: the next submit sends the edited text


def test_a_refused_file_or_an_empty_message_is_named_in_the_form_and_nothing_is_stored(customer_user):
    ticket = awaiting_info(agent())
    client = _client(customer_user)
    url = reverse("portal:message", args=[ticket.number])
    infected = SimpleUploadedFile("invoice.pdf", b"%PDF-1.4\n" + EICAR_SIGNATURE, content_type="application/pdf")
    refused = client.post(url, _message(ticket, body="See the files", attachments=[_photo(), infected]))
    assert refused.status_code == 200
    html = refused.content.decode()
    assert 'data-test-id="error-attachments"' in html and "invoice.pdf" in html
    empty = client.post(url, _message(ticket, key="k2"))
    assert empty.status_code == 200 and 'data-test-id="error-body"' in empty.content.decode()
    assert "Write a message or add a photo or file." in empty.content.decode()
    assert not TicketEvent.objects.filter(ticket=ticket, kind__in=[EventKind.MESSAGE_IN, EventKind.ATTACHMENT]).exists()
    assert not Attachment.objects.filter(ticket=ticket).exists()


def test_files_alone_are_a_fine_answer(customer_user):
    ticket = awaiting_info(agent())
    response = _client(customer_user).post(
        reverse("portal:message", args=[ticket.number]), _message(ticket, attachments=[_photo()])
    )
    assert response.status_code == 302
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).exists()


def test_only_the_tickets_customer_writes_to_it(customer_user):
    ticket = awaiting_info(agent())
    stranger = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=stranger, phone="+8613700000009")
    url = reverse("portal:message", args=[ticket.number])
    assert _client(stranger).post(url, _message(ticket, body="hi")).status_code == 404
    assert _client(agent()).post(url, _message(ticket, body="hi")).status_code == 403
    assert Client().post(url, _message(ticket, body="hi")).status_code == 302  # to the login page
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.MESSAGE_IN).exists()


def test_through_the_signed_link_a_customer_without_an_account_answers_too(client):
    ticket = awaiting_info(agent(), phone="13600000002")
    assert ticket.customer.user_id is None
    page = client.get(portal_path_for(ticket)).content.decode()
    assert 'data-test-id="portal-message-form"' in page
    assert 'data-test-id="portal-cancel-form"' not in page  # cancelling: the hotline, for them
    url = reverse("portal:message_by_link", kwargs={"token": portal_token_for(ticket)})
    response = client.post(url, _message(ticket, body="收据照片见附件", attachments=[_photo()]))
    assert response.status_code == 302 and response["Referrer-Policy"] == "same-origin"
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.MESSAGE_IN)
    assert event.actor_id is None and event.actor_label == ticket.customer.name
    assert (
        client.post(reverse("portal:message_by_link", kwargs={"token": "forged"}), _message(ticket, body="x")).status_code == 404
    )
    cancel = reverse("portal:cancel_by_link", kwargs={"token": portal_token_for(ticket)})
    assert client.post(cancel, {"reason": "不需要了", "expected_version": 99}).status_code == 403


def test_the_customer_cancels_before_the_work_starts(customer_user):
    handler = agent()
    ticket = make_ticket(actor=handler, phone=PHONE)
    client = _client(customer_user)
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-test-id="portal-cancel-form"' in page
    url = reverse("portal:cancel", args=[ticket.number])
    missing = client.post(url, {"reason": " ", "expected_version": ticket.version})
    assert missing.status_code == 200 and 'data-test-id="error-reason"' in missing.content.decode()
    stale = client.post(url, {"reason": "Fixed it myself", "expected_version": ticket.version + 5})
    assert stale.status_code == 200 and 'data-test-id="portal-cancel-errors"' in stale.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.REGISTERED
    done = client.post(url, {"reason": "Fixed it myself", "expected_version": ticket.version})
    assert done.status_code == 302
    cancelled = Ticket.objects.get(pk=ticket.pk)
    assert cancelled.status == TicketStatus.CANCELLED
    assert AuditEvent.objects.filter(object_id=str(ticket.pk), actor=customer_user).exists()
    # Archived: read-only, no forms; a late post is refused in the page, not a 500.
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-test-id="portal-message-form"' not in page and 'data-test-id="portal-cancel-form"' not in page
    late = client.post(reverse("portal:message", args=[ticket.number]), _message(ticket, body="one more thing"))
    assert late.status_code == 200 and "read-only" in late.content.decode()


def test_once_the_work_runs_the_customer_cannot_cancel_in_the_portal(customer_user):
    from tests.fieldservice.helpers import in_progress_ticket

    handler = agent()
    ticket, _measure = in_progress_ticket(actor=handler)
    Ticket.objects.filter(pk=ticket.pk).update(customer=Customer.objects.get(user=customer_user))
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == TicketStatus.IN_PROGRESS
    client = _client(customer_user)
    page = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
    assert 'data-test-id="portal-cancel-form"' not in page and 'data-test-id="portal-message-form"' in page
    refused = client.post(
        reverse("portal:cancel", args=[ticket.number]), {"reason": "too slow", "expected_version": ticket.version}
    )
    assert refused.status_code == 200 and 'data-test-id="portal-cancel-errors"' in refused.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.IN_PROGRESS


def test_the_forms_speak_both_languages(customer_user):
    ticket = awaiting_info(agent())
    for language, words in (
        ("en", ("Send us what we asked for", "Rather talk to us?", "Cancel this request")),
        ("zh-hans", ("发送我们所需的资料", "想直接和我们通话？", "撤销此申请")),
    ):
        client = _client(customer_user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        html = client.get(reverse("portal:ticket", args=[ticket.number])).content.decode()
        for text in words:
            assert text in html, (language, text)
