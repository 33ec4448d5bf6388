"""A portal account by phone (docs/portal.md, "Getting an account"): the SMS codes
(``accounts.login_code``) and the sign-up (``customers.portal_accounts.portal_signup``) — a known
customer gets the account linked, a new one is created, an existing account is refused; codes
are hashed, expire, die after five wrong entries and are throttled; staff never sign in by code."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from aftersales.accounts.login_code import (
    PHONE_CODE_TEMPLATE,
    RESEND_WAIT,
    PhoneCodeThrottled,
    login_code_account,
    login_code_sign_in,
    phone_code_request,
    phone_code_verify,
)
from aftersales.accounts.models import PhoneCode, PhoneCodePurpose, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.customers.models import ConsentRecord, ConsentSource, Customer, CustomerKind
from aftersales.customers.portal_accounts import EXISTS, LINK, NEW, PortalAccountExists, portal_signup, portal_signup_state
from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus
from aftersales.notifications.services import notification_deliver
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
IP = "203.0.113.7"
PASSWORD = "Xin-Mima-2026!"
SIGN_UP, SIGN_IN = PhoneCodePurpose.SIGN_UP, PhoneCodePurpose.SIGN_IN


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"signup-{uuid.uuid4().hex}"}
    }


def code_sms(phone: str = PHONE) -> list[Notification]:
    return list(
        Notification.objects.filter(channel=NotificationChannel.SMS, template=PHONE_CODE_TEMPLATE, recipient=phone).order_by("pk")
    )


def code_of(notification: Notification) -> str:
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", notification.body)
    assert found, notification.body
    return found.group(1)


def ask(purpose: str = SIGN_UP, phone: str = PHONE, ip: str = IP, language: str = "zh-hans") -> None:
    phone_code_request(purpose=purpose, phone=phone, client_ip=ip, language=language)


def proven(phone: str = PHONE) -> int:
    """A verified sign-up code of ``phone`` (the proof the sign-up spends)."""
    ask(phone=phone)
    return phone_code_verify(purpose=SIGN_UP, phone=phone, code=code_of(code_sms(phone)[-1]), client_ip=IP).pk


def sign_up(proof: int, *, phone: str = PHONE, name: str = "王大妈", marketing: bool = False, language: str = "zh-hans"):
    return portal_signup(proof_id=proof, phone=phone, name=name, password=PASSWORD, marketing=marketing, language=language)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_a_known_customer_without_account_gets_the_account_linked():
    known = CustomerFactory(phone=PHONE, name="王秀英", email="wang@example.com", consent_contact=False, consent_marketing=True)
    assert portal_signup_state(phone=PHONE) == LINK

    result = sign_up(proven(), name="王大妈", marketing=False)

    known.refresh_from_db()
    assert result.linked and result.customer.pk == known.pk and known.user == result.user
    user = User.objects.get(pk=result.user.pk)
    assert user.role == Role.CUSTOMER and not user.is_staff and user.check_password(PASSWORD)
    assert user.username == "13912345678" and user.phone == PHONE and user.email == "wang@example.com"
    assert user.display_name == "王大妈" and known.name == "王秀英"  # the staff's record keeps its name
    # The consent to the privacy notice, given on the portal by the account's owner.
    assert (known.consent_contact, known.consent_marketing) == (True, False)
    record = ConsentRecord.objects.filter(customer=known).latest("recorded_at")
    assert (record.source, record.actor, record.contact, record.marketing) == (ConsentSource.PORTAL, user, True, False)
    event = AuditEvent.objects.get(action="customer.portal_account_linked", object_id=str(known.pk))
    assert event.actor == user and event.changes["via"] == "sign_up" and event.changes["consent_contact"] == [False, True]
    assert event.changes["privacy_notice"]
    assert Customer.objects.count() == 1
    assert PhoneCode.objects.get().used_at is not None
    assert portal_signup_state(phone=PHONE) == EXISTS


def test_a_new_phone_creates_a_person_through_the_web_channel_in_the_page_language():
    assert portal_signup_state(phone=PHONE) == NEW

    result = sign_up(proven(), name="  Zhao   Min ", marketing=True, language="en")

    customer = result.customer
    assert not result.linked and customer.user == result.user
    assert (customer.kind, customer.name, customer.phone, customer.language) == (CustomerKind.PERSON, "Zhao Min", PHONE, "en")
    assert (customer.consent_contact, customer.consent_marketing) == (True, True)
    created = AuditEvent.objects.get(action="customer.created", object_id=str(customer.pk))
    assert created.actor_label == "channel:web"
    account = AuditEvent.objects.get(action="customer.portal_account_created", object_id=str(customer.pk))
    assert account.actor == result.user and account.changes["via"] == "sign_up"
    (record,) = ConsentRecord.objects.filter(customer=customer)
    assert (record.source, record.actor, record.marketing) == (ConsentSource.PORTAL, result.user, True)
    assert result.user.language == "en"


def test_a_customer_who_has_an_account_is_told_to_sign_in_and_nothing_changes():
    owner = UserFactory(role=Role.CUSTOMER, username="wang.dama")
    CustomerFactory(phone=PHONE, user=owner)
    proof = proven()
    assert portal_signup_state(phone=PHONE) == EXISTS

    with pytest.raises(PortalAccountExists) as refused:
        sign_up(proof)

    assert refused.value.code == "portal_account_exists"
    assert User.objects.filter(role=Role.CUSTOMER).count() == 1 and Customer.objects.count() == 1
    assert PhoneCode.objects.get(pk=proof).used_at is None  # rolled back with the refusal
    assert not AuditEvent.objects.filter(action__startswith="customer.portal_account").exists()


def test_an_erased_customer_with_the_phone_is_not_linked():
    CustomerFactory(phone=PHONE, erased_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    result = sign_up(proven())
    assert not result.linked and Customer.objects.count() == 2


def test_the_proof_makes_one_account_and_a_weak_password_spends_nothing():
    proof = proven()
    with pytest.raises(ValidationFailed) as weak:
        portal_signup(proof_id=proof, phone=PHONE, name="王大妈", password="123", marketing=False, language="zh-hans")
    assert "password" in weak.value.errors and not User.objects.filter(role=Role.CUSTOMER).exists()
    assert PhoneCode.objects.get(pk=proof).used_at is None

    sign_up(proof)
    with pytest.raises(DomainError) as again:
        sign_up(proof)
    assert again.value.code == "phone_not_verified"
    # A proof of another phone proves nothing for this one.
    other = proven("+8613700001111")
    with pytest.raises(DomainError):
        sign_up(other, phone="+8613600002222")


def test_the_code_is_hashed_valid_ten_minutes_and_sent_in_the_page_language():
    ask(language="en")
    (sms,) = code_sms()
    code = code_of(sms)
    row = PhoneCode.objects.get()
    assert code not in row.code_hash and row.user is None and row.purpose == SIGN_UP
    assert dt.timedelta(minutes=9) < row.expires_at - row.created_at <= dt.timedelta(minutes=10)
    assert sms.language == "en" and "sign-up code" in sms.body and sms.params["code"] == code
    # Once delivered the outbox row no longer holds the code.
    delivered = notification_deliver(notification_id=sms.pk)
    assert delivered is not None and delivered.status == NotificationStatus.SENT
    sms.refresh_from_db()
    assert code not in sms.body and code not in str(sms.params)


def test_a_wrong_code_counts_and_five_wrong_ones_kill_the_code():
    ask()
    code = code_of(code_sms()[0])
    for attempt in range(1, 6):
        with pytest.raises(ValidationFailed) as refused:
            phone_code_verify(purpose=SIGN_UP, phone=PHONE, code=wrong(code), client_ip=IP)
        assert "code" in refused.value.errors
        assert PhoneCode.objects.get().attempts == attempt
    with pytest.raises(ValidationFailed):
        phone_code_verify(purpose=SIGN_UP, phone=PHONE, code=code, client_ip=IP)
    assert PhoneCode.objects.get().verified_at is None


def test_an_expired_code_is_refused_and_a_code_is_for_its_purpose_only(settings):
    ask()
    code = code_of(code_sms()[0])
    with pytest.raises(ValidationFailed):
        phone_code_verify(purpose=SIGN_IN, phone=PHONE, code=code, client_ip=IP)
    PhoneCode.objects.update(expires_at=PhoneCode.objects.get().created_at)
    with pytest.raises(ValidationFailed):
        phone_code_verify(purpose=SIGN_UP, phone=PHONE, code=code, client_ip=IP)


def test_a_new_code_only_after_a_minute_and_it_replaces_the_old(settings):
    ask()
    with pytest.raises(PhoneCodeThrottled) as too_soon:
        ask()
    assert too_soon.value.code == RESEND_WAIT and too_soon.value.status == 429
    assert len(code_sms()) == 1
    settings.PHONE_CODE_RESEND_SECONDS = 0
    ask()
    first, second = (code_of(s) for s in code_sms())
    if first != second:
        with pytest.raises(ValidationFailed):
            phone_code_verify(purpose=SIGN_UP, phone=PHONE, code=first, client_ip=IP)
    assert phone_code_verify(purpose=SIGN_UP, phone=PHONE, code=second, client_ip=IP).verified_at is not None


def test_codes_are_throttled_per_phone_and_per_client(settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    settings.PHONE_CODE_PER_HOUR = 2
    settings.PHONE_CODE_PER_IP_HOUR = 3
    ask(ip="198.51.100.1")
    ask(ip="198.51.100.2")
    with pytest.raises(PhoneCodeThrottled) as per_phone:
        ask(ip="198.51.100.3")
    assert per_phone.value.code == "throttled"
    assert len(code_sms()) == 2
    # One client asking for many phones.
    ask(phone="+8613700000001", ip="198.51.100.9")
    ask(phone="+8613700000002", ip="198.51.100.9")
    ask(phone="+8613700000003", ip="198.51.100.9")
    with pytest.raises(PhoneCodeThrottled):
        ask(phone="+8613700000004", ip="198.51.100.9")
    assert code_sms("+8613700000004") == []


def test_entering_codes_is_throttled_per_client(settings):
    settings.PHONE_CODE_CHECK_PER_IP_HOUR = 2
    ask()
    code = code_of(code_sms()[0])
    for _attempt in range(2):
        with pytest.raises(ValidationFailed):
            phone_code_verify(purpose=SIGN_UP, phone=PHONE, code=wrong(code), client_ip=IP)
    with pytest.raises(PhoneCodeThrottled):
        phone_code_verify(purpose=SIGN_UP, phone=PHONE, code=code, client_ip=IP)


def test_a_customer_signs_in_by_code():
    user = UserFactory(role=Role.CUSTOMER, username="wang.dama", language="en")
    CustomerFactory(phone=PHONE, user=user)
    ask(SIGN_IN, language="zh-hans")
    (sms,) = code_sms()
    assert sms.language == "en" and "sign-in code" in sms.body  # the account's language
    assert login_code_sign_in(phone=PHONE, code=code_of(sms), client_ip=IP) == user
    with pytest.raises(ValidationFailed):  # spent
        login_code_sign_in(phone=PHONE, code=code_of(sms), client_ip=IP)


def test_no_sign_in_code_for_a_phone_without_an_account():
    CustomerFactory(phone=PHONE)  # a customer, no account
    ask(SIGN_IN)
    assert code_sms() == [] and not PhoneCode.objects.exists()


def test_a_staff_phone_never_signs_in_by_code():
    agent = UserFactory(role=Role.AGENT, phone="139 1234 5678")
    customer_user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(phone=PHONE, user=customer_user)  # a customer account with the same phone
    assert login_code_account(phone=PHONE) is None
    ask(SIGN_IN)
    assert code_sms() == []
    # A staff account linked to a customer record (by hand in the admin) is no customer account.
    agent.phone = ""
    agent.save(update_fields=["phone"])
    supervisor = UserFactory(role=Role.SUPERVISOR)
    CustomerFactory(phone="+8613700001111", user=supervisor)
    assert login_code_account(phone="+8613700001111") is None
    ask(SIGN_IN, phone="+8613700001111")
    assert code_sms("+8613700001111") == []
    # Without the staff phone, the customer's own account signs in by code.
    assert login_code_account(phone=PHONE) == customer_user


def test_a_code_sent_before_the_phone_became_a_staff_phone_signs_nobody_in():
    user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(phone=PHONE, user=user)
    ask(SIGN_IN)
    code = code_of(code_sms()[0])
    UserFactory(role=Role.ADMINISTRATOR, phone=PHONE)
    with pytest.raises(ValidationFailed):
        login_code_sign_in(phone=PHONE, code=code, client_ip=IP)
