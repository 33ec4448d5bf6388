"""Staff invite a customer to the portal (docs/portal.md, "Getting an account"): the button on the
customer's page (agents, supervisors, administrators), the SMS and e-mail with an absolute signed
link, the page where the customer sets a password — once — and the audit rows."""

from __future__ import annotations

import re
import time
import uuid

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.customers.models import ConsentRecord, ConsentSource
from aftersales.customers.portal_accounts import PORTAL_INVITE_TEMPLATE, portal_invite, portal_invite_token
from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.services import notification_deliver
from tests.clients import client_for, client_for_language
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
PASSWORD = "Xin-Mima-2026!"
INVITE = {"action": "portal_invite"}


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"invite-{uuid.uuid4().hex}"}
    }
    settings.AFTERSALES_SITE_URL = "https://service.example.com"


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


@pytest.fixture
def customer():
    return CustomerFactory(name="王秀英", phone=PHONE, email="wang@example.com", language="zh-hans")


def invitations() -> list[Notification]:
    return list(Notification.objects.filter(template=PORTAL_INVITE_TEMPLATE).order_by("pk"))


def invite_path(notification: Notification) -> str:
    found = re.search(r"https://service\.example\.com(/portal/invite/[^/\s]+/)", notification.body)
    assert found, notification.body
    return found.group(1)


def page(customer) -> str:
    return reverse("desk:customer", args=[customer.pk])


def accept(client: Client, path: str, password: str = PASSWORD, **extra: str):
    return client.post(path, {"password": password, "password_again": password, "privacy": "on", **extra})


def test_an_agent_invites_and_the_customer_sets_a_password_once(agent, customer):
    staff_page = client_for(agent).get(page(customer)).content.decode()
    assert 'data-test-id="portal-invite"' in staff_page

    sent = client_for(agent).post(page(customer), INVITE, follow=True)

    assert sent.redirect_chain[-1][0] == page(customer) and "139 1234 5678" in sent.content.decode()
    sms, email = sorted(invitations(), key=lambda n: n.channel != NotificationChannel.SMS)
    assert (sms.channel, sms.recipient, sms.language) == (NotificationChannel.SMS, PHONE, "zh-hans")
    assert (email.channel, email.recipient) == (NotificationChannel.EMAIL, "wang@example.com")
    path = invite_path(sms)
    assert invite_path(email) == path and "设置密码" in sms.body and email.subject
    assert sms.params["short_link"].startswith("https://service.example.com/s/") and "short_code" not in sms.params
    event = AuditEvent.objects.get(action="customer.portal_invited", object_id=str(customer.pk))
    assert event.actor == agent and event.changes["email"] is True

    visitor = Client()
    form = visitor.get(path)
    assert form.status_code == 200 and "139****5678" in form.content.decode()
    assert form["Referrer-Policy"] == "same-origin"
    weak = accept(visitor, path, password="123")
    assert weak.status_code == 422 and "password" in weak.context["form"].errors
    done = accept(visitor, path, marketing="on")
    assert done.status_code == 302 and done["Location"] == reverse("portal:home")

    customer.refresh_from_db()
    user = customer.user
    assert user is not None and user.role == Role.CUSTOMER and user.check_password(PASSWORD)
    assert user.display_name == "王秀英" and user.email == "wang@example.com"
    assert int(visitor.session["_auth_user_id"]) == user.pk
    assert customer.consent_marketing is True
    record = ConsentRecord.objects.filter(customer=customer).latest("recorded_at")
    assert (record.source, record.actor) == (ConsentSource.PORTAL, user)
    linked = AuditEvent.objects.get(action="customer.portal_account_linked", object_id=str(customer.pk))
    assert linked.changes["via"] == "invitation" and linked.actor == user

    # One use: the link is dead, and the customer's page has no button any more.
    again = Client().get(path)
    assert again.status_code == 410 and 'data-test-id="invite-invalid"' in again.content.decode()
    assert accept(Client(), path).status_code == 410
    assert User.objects.filter(role=Role.CUSTOMER).count() == 1
    assert 'data-test-id="portal-invite"' not in client_for(agent).get(page(customer)).content.decode()


def test_the_link_is_masked_in_the_outbox_once_sent(agent, customer):
    portal_invite(customer=customer, actor=agent)
    for row in invitations():
        path = invite_path(row)
        notification_deliver(notification_id=row.pk)
        row.refresh_from_db()
        assert row.status == NotificationStatus.SENT
        assert path not in row.body and "https://" not in str(row.params)


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.QUALITY_ENGINEER, Role.WAREHOUSE])
def test_other_staff_roles_may_not_invite(role, customer):
    user = UserFactory(role=role, data_scope=DataScope.ALL)
    assert client_for(user).post(page(customer), INVITE).status_code == 403
    assert invitations() == []
    with pytest.raises(PermissionDenied):
        portal_invite(customer=customer, actor=user)


def test_a_customer_may_not_invite(customer):
    user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=user)
    assert client_for(user).post(page(customer), INVITE).status_code == 403
    assert invitations() == []


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_supervisors_and_administrators_invite(role, customer):
    user = UserFactory(role=role, data_scope=DataScope.ALL)
    assert client_for(user).post(page(customer), INVITE).status_code == 302
    assert len(invitations()) == 2


def test_who_cannot_be_invited_is_refused_with_the_reason(agent):
    owner = UserFactory(role=Role.CUSTOMER)
    has_account = CustomerFactory(user=owner)
    no_phone = CustomerFactory(phone="")
    no_consent = CustomerFactory(consent_contact=False)
    for target in (has_account, no_phone, no_consent):
        with pytest.raises(DomainError):
            portal_invite(customer=target, actor=agent)
    html = client_for(agent).get(page(no_phone)).content.decode()
    assert 'data-test-id="portal-invite-blocked"' in html and 'data-test-id="portal-invite"' not in html
    refused = client_for_language(agent, "en").post(page(no_consent), INVITE, follow=True)
    assert refused.status_code == 200 and "does not consent to service contact" in refused.content.decode()
    assert invitations() == []
    assert not AuditEvent.objects.filter(action="customer.portal_invited").exists()


def test_an_erased_customer_is_not_invited(agent):
    erased = CustomerFactory(erased_at=clock.now())
    assert 'data-test-id="portal-invite' not in client_for(agent).get(page(erased)).content.decode()
    client_for(agent).post(page(erased), INVITE)
    assert invitations() == []


def test_invitations_are_limited_per_customer_and_day(agent, customer, settings):
    settings.PORTAL_INVITES_PER_DAY = 1
    portal_invite(customer=customer, actor=agent)
    with pytest.raises(DomainError) as refused:
        portal_invite(customer=customer, actor=agent)
    assert refused.value.code == "portal_invite_throttled"


def test_a_forged_expired_or_outdated_link_is_refused(agent, customer, settings):
    assert Client().get(reverse("portal:invite_accept", args=["forged"])).status_code == 410
    other_salt = signing.dumps({"c": customer.pk, "p": PHONE}, salt="another.salt", compress=True)
    assert Client().get(reverse("portal:invite_accept", args=[other_salt])).status_code == 410
    token = portal_invite_token(customer)
    # The customer's phone changed since: the link named the old one.
    customer.phone = "+8613700001111"
    customer.save(update_fields=["phone"])
    assert Client().get(reverse("portal:invite_accept", args=[token])).status_code == 410
    # Expired: the token carries the time it was signed (TimestampSigner).
    fresh = portal_invite_token(customer)
    settings.PORTAL_INVITE_MAX_AGE_DAYS = 1
    with time_machine.travel(time.time() + 2 * 86400, tick=False):
        assert Client().get(reverse("portal:invite_accept", args=[fresh])).status_code == 410
    assert Client().get(reverse("portal:invite_accept", args=[fresh])).status_code == 200
