"""A number given to somebody else (二次放号, docs/portal.md): a sign-up whose proven number
belongs to a customer record with a history (or one not confirmed for a year) gets that record
only after one detail of it — the full name, a unit serial's last four characters or a ticket
number, asked always alike; three wrong answers per number and day lock the check; who cannot
answer (or says "not mine") gets a new customer and the record is flagged for staff, on the
customer page until reviewed. Every step is audited; no answer is stored."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from aftersales.accounts.login_code import phone_code_request, phone_code_verify
from aftersales.accounts.models import PhoneCodePurpose, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import PermissionDenied, ValidationFailed
from aftersales.customers.models import Customer, PhoneCheck, PhoneCheckOutcome, PhoneReuseFlag, PhoneReuseReason
from aftersales.customers.phone_reuse import (
    CHECK_PROMPT,
    answer_matches,
    phone_check_answer,
    phone_check_decline,
    phone_check_state,
    phone_reuse_flag_review,
    phone_reuse_flags_open,
)
from aftersales.customers.portal_accounts import CHECK, LINK, NEW, portal_signup, portal_signup_state
from aftersales.notifications.models import Notification
from tests.factories import CustomerFactory, ProductUnitFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
IP = "203.0.113.9"
PASSWORD = "Xin-Mima-2026!"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"reuse-{uuid.uuid4().hex}"}
    }
    settings.PHONE_CODE_RESEND_SECONDS = 0


def proven(phone: str = PHONE) -> int:
    phone_code_request(purpose=PhoneCodePurpose.SIGN_UP, phone=phone, client_ip=IP, language="zh-hans")
    sms = Notification.objects.filter(recipient=phone, template="portal_phone_code").latest("pk")
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.body)
    assert code
    return phone_code_verify(purpose=PhoneCodePurpose.SIGN_UP, phone=phone, code=code.group(1), client_ip=IP).pk


def sign_up(proof: int, name: str = "新机主", channel: str = "web"):
    return portal_signup(
        proof_id=proof, phone=PHONE, name=name, password=PASSWORD, marketing=False, language="zh-hans", channel=channel
    )


def known_with_history() -> tuple[Customer, str, str]:
    """王秀英, with a ticket and a registered unit: (the record, the ticket's number, the serial)."""
    ticket = make_ticket(phone="139 1234 5678", customer_name="王秀英")
    customer = Customer.objects.get(pk=ticket.customer_id)
    unit = ProductUnitFactory(customer=customer, serial_number="KFR35-2026-A7K3Q")
    return customer, ticket.number, unit.serial_number


def actions(customer: Customer) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="customers.customer", object_id=str(customer.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


@pytest.mark.parametrize("kind", ["name", "serial", "ticket"])
def test_a_record_with_history_is_linked_after_one_detail_of_it(kind):
    known, number, serial = known_with_history()
    proof = proven()
    assert portal_signup_state(phone=PHONE, proof_id=proof) == CHECK

    with pytest.raises(ValidationFailed) as owed:
        sign_up(proof)
    assert owed.value.code == "history_check_required" and owed.value.errors["history_answer"] == [CHECK_PROMPT]

    answer = {"name": " 王 秀英 ", "serial": serial[-4:].lower(), "ticket": number.lower()}[kind]
    result = phone_check_answer(proof_id=proof, phone=PHONE, answer=answer)

    assert result.outcome == PhoneCheckOutcome.PASSED and not result.wrong
    assert portal_signup_state(phone=PHONE, proof_id=proof) == LINK
    account = sign_up(proof)
    assert account.linked and account.customer.pk == known.pk
    assert Customer.objects.get(pk=known.pk).user == account.user
    assert "customer.phone_check_passed" in actions(known) and not PhoneReuseFlag.objects.exists()
    # The answer itself is in no audit row.
    assert all(answer.strip() not in json.dumps(e.changes, ensure_ascii=False) for e in AuditEvent.objects.all())


def test_three_wrong_answers_lock_the_check_and_the_sign_up_gets_a_new_customer_and_flags_the_record():
    known, number, _serial = known_with_history()
    proof = proven()

    first = phone_check_answer(proof_id=proof, phone=PHONE, answer="李四")
    second = phone_check_answer(proof_id=proof, phone=PHONE, answer="0000")
    assert (first.outcome, first.tries_left, first.wrong) == (PhoneCheckOutcome.OPEN, 2, True)
    assert "1 more try" in second.message() and second.tries_left == 1
    last = phone_check_answer(proof_id=proof, phone=PHONE, answer="SR20990101-000001")
    assert (last.outcome, last.tries_left) == (PhoneCheckOutcome.FAILED, 0)
    # Locked: even the right answer changes nothing now.
    assert phone_check_answer(proof_id=proof, phone=PHONE, answer=number).outcome == PhoneCheckOutcome.FAILED
    assert portal_signup_state(phone=PHONE, proof_id=proof) == NEW

    result = sign_up(proof, name="新机主")

    assert not result.linked and result.customer.pk != known.pk
    assert (result.customer.phone, result.customer.name) == (PHONE, "新机主")
    assert not result.customer.tickets.exists() and not result.customer.units.exists()
    known.refresh_from_db()
    assert known.user is None and known.phone == PHONE and known.tickets.count() == 1  # the history stays
    flag = PhoneReuseFlag.objects.get()
    assert (flag.customer, flag.new_customer, flag.reason) == (known, result.customer, PhoneReuseReason.FAILED)
    assert actions(known).count("customer.phone_check_failed") == 3
    assert actions(known).count("customer.phone_check_locked") == 1
    flagged = AuditEvent.objects.get(action="customer.phone_reuse_flagged")
    assert flagged.object_id == str(known.pk) and flagged.actor_label == "channel:web"
    assert flagged.changes == {"reason": "failed", "new_customer": result.customer.pk}
    assert phone_reuse_flags_open(customer=known) == [flag]


def test_the_tries_count_for_the_number_whatever_code_it_comes_with(settings):
    known_with_history()
    first = proven()
    phone_check_answer(proof_id=first, phone=PHONE, answer="张三")
    phone_check_answer(proof_id=first, phone=PHONE, answer="李四")

    second = proven()  # a new code does not bring new tries
    assert phone_check_state(proof_id=second, phone=PHONE) == PhoneCheckOutcome.OPEN
    assert phone_check_answer(proof_id=second, phone=PHONE, answer="王五").outcome == PhoneCheckOutcome.FAILED

    third = proven()
    assert phone_check_state(proof_id=third, phone=PHONE) == PhoneCheckOutcome.FAILED
    assert phone_check_answer(proof_id=third, phone=PHONE, answer="赵六").outcome == PhoneCheckOutcome.FAILED
    assert sum(PhoneCheck.objects.values_list("attempts", flat=True)) == 3  # the locked one counted none
    assert not sign_up(third).linked

    settings.PORTAL_PHONE_CHECK_TRIES = 5  # the limit is the setting's
    assert phone_check_state(proof_id=proven(), phone=PHONE) == PhoneCheckOutcome.OPEN


def test_not_my_records_opens_an_account_without_them_and_flags_the_record():
    known, _number, _serial = known_with_history()
    proof = proven()

    assert phone_check_decline(proof_id=proof, phone=PHONE, channel="app") == PhoneCheckOutcome.DECLINED
    result = sign_up(proof, channel="app")

    assert not result.linked
    flag = PhoneReuseFlag.objects.get(customer=known)
    assert flag.reason == PhoneReuseReason.DECLINED and flag.new_customer == result.customer
    assert AuditEvent.objects.get(action="customer.phone_check_declined").actor_label == "channel:app"


def test_a_fresh_record_without_history_is_linked_without_a_check_and_an_old_one_asks_for_it():
    fresh = CustomerFactory(phone=PHONE, name="王秀英")
    assert portal_signup_state(phone=PHONE, proof_id=proven()) == LINK

    Customer.objects.filter(pk=fresh.pk).update(created_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    proof = proven()
    assert portal_signup_state(phone=PHONE, proof_id=proof) == CHECK  # the number may have been given up
    assert phone_check_answer(proof_id=proof, phone=PHONE, answer="王秀英").outcome == PhoneCheckOutcome.PASSED
    assert sign_up(proof).customer.pk == fresh.pk


def test_an_address_alone_is_a_history():
    known = CustomerFactory(phone=PHONE, name="Zhao Min")
    known.addresses.create(province="上海市", city="上海市", detail="碧波路690号")
    proof = proven()
    assert portal_signup_state(phone=PHONE, proof_id=proof) == CHECK
    assert phone_check_answer(proof_id=proof, phone=PHONE, answer="min zhao").outcome == PhoneCheckOutcome.PASSED


def test_what_counts_as_a_detail_of_the_record():
    known, number, serial = known_with_history()
    assert answer_matches(known, "王秀英") and answer_matches(known, "Ａ７Ｋ３Ｑ")  # full-width, as some keyboards type
    assert answer_matches(known, serial[-6:]) and answer_matches(known, serial.replace("-", " "))
    assert not answer_matches(known, serial[-3:])  # fewer than four characters of a serial
    assert not answer_matches(known, "王")  # a surname alone: 王, 李, 张 are one person in five
    assert answer_matches(known, number) and not answer_matches(known, number[:-1])


def test_an_empty_answer_is_refused_on_its_field_and_not_counted():
    known_with_history()
    proof = proven()
    with pytest.raises(ValidationFailed) as refused:
        phone_check_answer(proof_id=proof, phone=PHONE, answer="  - ")
    assert refused.value.field == "history_answer"
    assert PhoneCheck.objects.filter(attempts__gt=0).count() == 0


def test_the_flag_shows_on_the_customer_page_part_until_reviewed():
    known, _number, _serial = known_with_history()
    proof = proven()
    phone_check_decline(proof_id=proof, phone=PHONE)
    new = sign_up(proof).customer
    flag = PhoneReuseFlag.objects.get()
    agent = UserFactory(role=Role.AGENT)
    technician = UserFactory(role=Role.TECHNICIAN)
    request = RequestFactory().get("/")
    request.user = agent
    part = Template("{% load phone_reuse %}{% phone_reuse_flags customer review_url %}")

    html = part.render(Context({"request": request, "customer": known, "review_url": "/desk/customers/1/"}))
    assert 'data-test-id="phone-reuse-flag"' in html and f"#{new.pk}" in html
    assert 'data-test-id="phone-reuse-review"' in html
    assert part.render(Context({"request": request, "customer": new, "review_url": ""})).strip() == ""

    with pytest.raises(PermissionDenied):
        phone_reuse_flag_review(customer=known, flag_id=flag.pk, actor=technician)
    phone_reuse_flag_review(customer=known, flag_id=flag.pk, actor=agent)

    flag.refresh_from_db()
    assert flag.reviewed_by == agent and flag.reviewed_at is not None
    after = part.render(Context({"request": request, "customer": known, "review_url": "/desk/customers/1/"}))
    assert 'data-test-id="phone-reuse-flag"' not in after
    reviewed = AuditEvent.objects.get(action="customer.phone_reuse_reviewed")
    assert reviewed.actor == agent and reviewed.object_id == str(known.pk)


def test_the_customer_page_shows_the_flag_and_its_reviewed_button_marks_it():
    from django.test import Client
    from django.urls import reverse

    from aftersales.accounts.models import DataScope

    known, _number, _serial = known_with_history()
    proof = proven()
    phone_check_decline(proof_id=proof, phone=PHONE)
    sign_up(proof)
    flag = PhoneReuseFlag.objects.get()
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    client = Client()
    client.force_login(agent)
    url = reverse("desk:customer", args=[known.pk])

    page = client.get(url).content.decode()
    assert 'data-test-id="phone-reuse-flag"' in page and 'data-test-id="phone-reuse-review"' in page

    answer = client.post(url, {"action": "phone_reuse_reviewed", "flag": str(flag.pk)})
    assert answer.status_code == 302 and answer["Location"] == url
    flag.refresh_from_db()
    assert flag.reviewed_by == agent
    assert 'data-test-id="phone-reuse-flag"' not in client.get(url).content.decode()
    # Another customer's flag id through this page: refused, nothing changes.
    other = CustomerFactory(phone="+8613700000001")
    assert client.post(
        reverse("desk:customer", args=[other.pk]), {"action": "phone_reuse_reviewed", "flag": str(flag.pk)}
    ).status_code in {302, 404}


def test_after_a_recycled_number_signs_up_its_calls_find_the_new_holder():
    from aftersales.customers.selectors import customer_find_by_phone

    known, _number, _serial = known_with_history()
    assert customer_find_by_phone(phone_e164=PHONE) == known
    proof = proven()
    phone_check_decline(proof_id=proof, phone=PHONE)
    new = sign_up(proof).customer
    assert new.pk > known.pk  # the old record is the older one
    assert customer_find_by_phone(phone_e164=PHONE) == new
