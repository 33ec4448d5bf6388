"""A bouncing e-mail address is known (docs/customers.md, "E-mail bounced"): a permanent bounce of
an e-mail to the customer's own address marks it on the customer (audited, the system the actor);
a delay, or the ticket's other contact address, marks nothing; customer e-mails skip the address
while the other channels still go; the mark comes off when the address changes or staff mark it
working; the badge on the customer page and the ticket page, the API's read-only field, erasure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import PermissionDenied
from aftersales.customers.audit_actions import CustomerAudit
from aftersales.customers.editing import customer_update
from aftersales.customers.models import Customer
from aftersales.customers.services import MARK_WORKING_ACTION, customer_email_bounced, customer_email_mark_working
from aftersales.mailin.models import InboundMessage, InboundSource, InboundStatus
from aftersales.mailin.services import mailin_process, mailin_store
from aftersales.notifications.models import DeliveryStatus, NotificationChannel, NotificationStatus
from aftersales.notifications.services import notify_ticket_customer
from aftersales.privacy.models import RequestChannel, RequestKind
from aftersales.privacy.services import privacy_erase, privacy_request_create
from aftersales.tickets.models import Ticket
from tests.api.conftest import api_client
from tests.clients import client_for_language
from tests.factories import CustomerFactory, UserFactory, make_ticket
from tests.mailin.corpus import SUPPORT
from tests.mailin.test_bounces import APPOINTMENT, gmail_delay, rfc3464, sent_appointment

pytestmark = pytest.mark.django_db

OWN = "zhang.wei@example.com"
BOUNCED_AT = dt.datetime(2026, 11, 24, 9, 30, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _mailbox_and_providers(settings):  # type: ignore[no-untyped-def]
    settings.MAILIN_ADDRESS = f"售后服务 <{SUPPORT}>"
    settings.NOTIFICATION_SENDERS = {
        "sms": "tests.notifications.test_receipts.AcceptingSender",
        "wechat": "tests.notifications.test_receipts.AcceptingSender",
    }


@pytest.fixture
def ingest() -> Callable[[bytes], InboundMessage]:
    def run(raw: bytes) -> InboundMessage:
        stored = mailin_store(raw=raw, source=InboundSource.IMAP).message
        mailin_process(message_id=stored.pk)
        stored.refresh_from_db()
        return stored

    return run


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, language="en")


def marked(customer: Customer, *, reason: str = "5.1.1 User unknown") -> Customer:
    assert customer_email_bounced(customer_id=customer.pk, address=customer.email, reason=reason, at=BOUNCED_AT)
    customer.refresh_from_db()
    return customer


def test_a_permanent_bounce_of_the_customers_own_address_marks_it_audited_by_the_system(ingest):
    ticket = make_ticket(email=OWN)
    assert ticket.customer.email == OWN
    row, original = sent_appointment(ticket)

    bounce = ingest(rfc3464(original))

    assert bounce.status == InboundStatus.IGNORED
    row.refresh_from_db()
    assert row.delivery == DeliveryStatus.FAILED  # the notification, as before; the customer besides:
    customer = Customer.objects.get(pk=ticket.customer_id)
    assert customer.email_bounced_at == bounce.received_at
    assert customer.email_bounce_reason.startswith("5.1.1 ") and "User unknown" in customer.email_bounce_reason
    event = AuditEvent.objects.get(action=CustomerAudit.EMAIL_BOUNCED, object_id=str(customer.pk))
    assert event.actor is None and event.actor_label == "system"
    assert event.changes["email_bounce_reason"] == customer.email_bounce_reason
    # The same bounce fetched again, or a second one: the first date stays, one audit row.
    assert not customer_email_bounced(customer_id=customer.pk, address=OWN, reason="later", at=BOUNCED_AT)
    assert AuditEvent.objects.filter(action=CustomerAudit.EMAIL_BOUNCED).count() == 1


def test_a_delay_marks_nothing(ingest):
    ticket = make_ticket(email=OWN)
    _row, original = sent_appointment(ticket)

    ingest(gmail_delay(original))

    assert Customer.objects.get(pk=ticket.customer_id).email_bounced_at is None


def test_the_tickets_other_contact_address_is_not_the_customers_and_marks_nothing():
    customer = CustomerFactory(email=OWN)
    assert not customer_email_bounced(customer_id=customer.pk, address="daughter@example.com", reason="5.1.1", at=BOUNCED_AT)
    # The same address in other capitals is the customer's.
    assert customer_email_bounced(customer_id=customer.pk, address="Zhang.Wei@EXAMPLE.com", reason="5.1.1", at=BOUNCED_AT)
    assert not AuditEvent.objects.filter(action=CustomerAudit.EMAIL_BOUNCE_CLEARED).exists()


def test_while_marked_customer_emails_skip_the_address_and_the_other_channels_still_go():
    ticket = make_ticket(email=OWN)
    marked(ticket.customer)
    ticket = Ticket.objects.select_related("customer").get(pk=ticket.pk)

    rows = notify_ticket_customer(ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT)

    by_channel = {row.channel: row for row in rows}
    mail = by_channel[NotificationChannel.EMAIL]
    assert (mail.status, mail.delivery) == (NotificationStatus.SKIPPED, DeliveryStatus.NOT_SENT)
    assert mail.last_error.startswith("email_bounced:") and "2026-11-24" in mail.last_error and "User unknown" in mail.last_error
    assert by_channel[NotificationChannel.SMS].status == NotificationStatus.PENDING


def test_another_contact_address_on_the_ticket_still_gets_the_email():
    customer = marked(CustomerFactory(email=OWN, phone="+8613812345678"))
    ticket = make_ticket(phone="13812345678", email="daughter@example.com")
    assert ticket.customer_id == customer.pk and ticket.contact_email == "daughter@example.com"
    ticket = Ticket.objects.select_related("customer").get(pk=ticket.pk)

    rows = notify_ticket_customer(ticket=ticket, template="fieldservice.appointment", params=APPOINTMENT)

    [mail] = [row for row in rows if row.channel == NotificationChannel.EMAIL]
    assert (mail.recipient, mail.status) == ("daughter@example.com", NotificationStatus.PENDING)


def test_a_new_email_address_takes_the_mark_off_audited(agent):
    customer = marked(CustomerFactory(email=OWN))
    customer_update(customer=customer, actor=agent, name="张伟强")
    assert Customer.objects.get(pk=customer.pk).email_bounced_at is not None  # another field: the mark stays

    customer_update(customer=customer, actor=agent, email="zhang.wei@example.cn")

    customer.refresh_from_db()
    assert (customer.email_bounced_at, customer.email_bounce_reason) == (None, "")
    event = AuditEvent.objects.get(action=CustomerAudit.EMAIL_BOUNCE_CLEARED, object_id=str(customer.pk))
    assert event.changes == {"cause": "email_changed"}


def test_only_the_roles_that_change_customers_mark_the_address_working(agent):
    customer = marked(CustomerFactory(email=OWN))
    with pytest.raises(PermissionDenied):
        customer_email_mark_working(customer=customer, actor=UserFactory(role=Role.TECHNICIAN))

    customer_email_mark_working(customer=customer, actor=agent, expected_version=customer.version)

    customer.refresh_from_db()
    assert customer.email_bounced_at is None
    event = AuditEvent.objects.get(action=CustomerAudit.EMAIL_BOUNCE_CLEARED, object_id=str(customer.pk))
    assert event.actor == agent and event.changes["cause"] == "marked_working"


@pytest.mark.parametrize(("language", "badge"), [("zh-hans", "邮箱退信"), ("en", "E-mail bounced")])
def test_the_customer_page_shows_the_badge_and_mark_as_working_clears_it(agent, language, badge):
    customer = marked(CustomerFactory(email=OWN))
    client = client_for_language(agent, language)
    url = reverse("desk:customer", args=[customer.pk])

    page = client.get(url)

    text = page.content.decode()
    assert page.status_code == 200 and 'data-test-id="email-bounced"' in text
    assert badge in text and "2026-11-24" in text and "User unknown" in text
    assert 'data-test-id="email-mark-working"' in text

    done = client.post(url, {"action": MARK_WORKING_ACTION, "expected_version": customer.version})

    assert done.status_code == 302
    assert Customer.objects.get(pk=customer.pk).email_bounced_at is None
    assert 'data-test-id="email-bounced"' not in client.get(url).content.decode()


def test_the_ticket_page_shows_the_badge_in_the_customer_panel(agent):
    ticket = make_ticket(actor=agent, email=OWN)
    marked(ticket.customer)
    client = Client()
    client.force_login(agent)

    page = client.get(reverse("tickets:detail", args=[ticket.number]))

    text = page.content.decode()
    assert page.status_code == 200
    panel = text[text.index('data-test-id="detail-customer"') : text.index('data-test-id="detail-product"')]
    assert 'data-test-id="email-bounced"' in panel and "email-mark-working" not in panel


def test_the_api_reads_email_bounced_at(agent):
    customer = CustomerFactory(email=OWN)
    client = api_client(agent)
    assert client.get(f"/api/v1/customers/{customer.pk}").json()["email_bounced_at"] is None

    marked(customer)

    body = client.get(f"/api/v1/customers/{customer.pk}").json()
    assert dt.datetime.fromisoformat(body["email_bounced_at"]) == BOUNCED_AT


def test_erasure_clears_the_mark():
    handler = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    customer = marked(CustomerFactory(email=OWN))
    request = privacy_request_create(customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=handler)

    privacy_erase(request=request, actor=handler)

    customer.refresh_from_db()
    assert customer.erased_at is not None
    assert (customer.email_bounced_at, customer.email_bounce_reason) == (None, "")
