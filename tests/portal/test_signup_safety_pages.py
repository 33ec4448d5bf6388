"""Sign-up safety on the portal's pages (docs/portal.md, docs/security.md "SMS pumping"): a
picture of digits before a code goes out when the request is suspicious — a busy client, a busy
number range, another country, the policy "always" — and never otherwise; the daily cap per
country stops the codes and alerts the administrators once; the second proof of a number whose
record has a history, in both languages."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.accounts.models import PhoneCode, Role, User
from aftersales.audit.models import AuditEvent
from aftersales.customers.models import Customer, PhoneReuseFlag
from aftersales.notifications.models import Notification, NotificationChannel
from aftersales.portal import human_check
from tests.factories import ProductUnitFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
TYPED = "139 1234 5678"
PASSWORD = "Xin-Mima-2026!"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"safety-{uuid.uuid4().hex}"}
    }


@pytest.fixture
def sevens(monkeypatch):
    """The pictures show 77777 (the digits are random otherwise)."""
    monkeypatch.setattr(human_check, "new_digits", lambda: "77777")


def browser(language: str = "zh-hans", ip: str = "198.51.100.20") -> Client:
    client = Client(headers={"Accept-Language": language}, REMOTE_ADDR=ip)
    client.cookies["django_language"] = language
    return client


def codes_sent(phone: str | None = None) -> int:
    sms = Notification.objects.filter(channel=NotificationChannel.SMS, template=PHONE_CODE_TEMPLATE)
    return (sms.filter(recipient=phone) if phone else sms).count()


def last_code(phone: str = PHONE) -> str:
    sms = Notification.objects.filter(template=PHONE_CODE_TEMPLATE, recipient=phone).latest("pk")
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.body)
    assert found
    return found.group(1)


def ask(client: Client, typed: str, **extra: str):
    return client.post(reverse("portal:signup"), {"phone": typed, **extra})


def test_an_ordinary_sign_up_sees_no_picture():
    client = browser()
    page = client.get(reverse("portal:signup"))
    assert page.status_code == 200 and 'data-test-id="human-check"' not in page.content.decode()
    assert ask(client, TYPED)["Location"] == reverse("portal:signup_code") and codes_sent(PHONE) == 1


def test_a_busy_client_must_type_the_digits_before_a_code_goes_out(settings, sevens):
    settings.PHONE_CODE_HUMAN_CHECK_IP_HOUR = 2
    client = browser("en")
    assert ask(client, "139 0000 0001").status_code == 302
    assert ask(client, "139 0000 0002").status_code == 302

    third = ask(client, TYPED)
    assert third.status_code == 422 and codes_sent(PHONE) == 0
    html = third.content.decode()
    assert 'data-test-id="human-check-picture"' in html and "data:image/png;base64," in html
    assert "type the digits in the picture" in html
    # The page itself shows the picture at once to this client now.
    assert 'data-test-id="human-check"' in client.get(reverse("portal:signup")).content.decode()

    wrong = ask(client, TYPED, captcha="12345")
    assert wrong.status_code == 422 and "do not match the picture" in wrong.content.decode() and codes_sent(PHONE) == 0
    another = client.post(reverse("portal:signup"), {"phone": TYPED, "new_picture": "1"})
    assert another.status_code == 200 and 'data-test-id="human-check-picture"' in another.content.decode()

    right = ask(client, TYPED, captcha="7 7777")
    assert right["Location"] == reverse("portal:signup_code") and codes_sent(PHONE) == 1
    # A picture answers once: the same digits again are refused.
    assert ask(client, "139 0000 0003", captcha="77777").status_code == 422


def test_a_busy_number_range_needs_the_picture_whoever_asks(settings):
    settings.PHONE_CODE_HUMAN_CHECK_PREFIX_HOUR = 2
    for n, ip in enumerate(["198.51.100.1", "198.51.100.2"]):
        assert ask(browser(ip=ip), f"150 1234 000{n}").status_code == 302
    refused = ask(browser(ip="198.51.100.3"), "150 1234 0009")
    assert refused.status_code == 422 and 'data-test-id="human-check"' in refused.content.decode()
    assert ask(browser(ip="198.51.100.4"), TYPED).status_code == 302  # another range: no picture


def test_a_number_of_another_country_needs_the_picture_and_the_policy_can_ask_always_or_never(settings):
    refused = ask(browser("zh-hans"), "+44 7911 123456")
    assert refused.status_code == 422 and "请输入图片中的数字" in refused.content.decode()
    assert not PhoneCode.objects.exists()

    settings.PHONE_CODE_HUMAN_CHECK = "always"
    assert 'data-test-id="human-check"' in browser().get(reverse("portal:signup")).content.decode()
    assert ask(browser(), TYPED).status_code == 422

    settings.PHONE_CODE_HUMAN_CHECK = "never"
    assert ask(browser(), "+44 7911 123456").status_code == 302


def test_the_daily_cap_of_a_country_stops_the_codes_and_alerts_the_administrators_once(settings):
    settings.PHONE_CODE_DAILY_CAPS = '{"86": 2, "*": 0}'
    settings.PHONE_CODE_HUMAN_CHECK = "never"  # (half the cap would ask for the picture: its own test)
    admin = UserFactory(role=Role.ADMINISTRATOR, language="en")
    UserFactory(role=Role.AGENT)
    assert ask(browser(ip="198.51.100.1"), "139 0000 0001").status_code == 302
    assert not Notification.objects.filter(channel=NotificationChannel.IN_APP).exists()
    assert ask(browser(ip="198.51.100.2"), "139 0000 0002").status_code == 302  # the cap is reached

    (alert,) = Notification.objects.filter(channel=NotificationChannel.IN_APP)
    assert alert.user == admin and "+86" in alert.subject and "daily cap" in alert.subject

    refused = ask(browser("en", ip="198.51.100.3"), TYPED)
    assert refused.status_code == 429 and "cannot send codes to numbers of this country today" in refused.content.decode()
    assert ask(browser(ip="198.51.100.4"), TYPED).status_code == 429
    assert codes_sent() == 2 and Notification.objects.filter(channel=NotificationChannel.IN_APP).count() == 1
    # A sign-in code is refused alike, whether or not the number has an account.
    signin = browser(ip="198.51.100.5").post(reverse("portal:code_sign_in"), {"phone": "139 0000 0001"})
    assert signin.status_code == 429


# --- The second proof ------------------------------------------------------------------------------


def known_with_history() -> tuple[Customer, str]:
    ticket = make_ticket(phone=TYPED, customer_name="王秀英")
    customer = Customer.objects.get(pk=ticket.customer_id)
    ProductUnitFactory(customer=customer, serial_number="KFR35-2026-A7K3Q")
    return customer, ticket.number


def to_details(client: Client) -> None:
    assert ask(client, TYPED).status_code == 302
    assert client.post(reverse("portal:signup_code"), {"code": last_code()})["Location"] == reverse("portal:signup_details")


def details(name: str = "王秀英") -> dict[str, str]:
    return {"name": name, "password": PASSWORD, "password_again": PASSWORD, "privacy": "on"}


def test_the_second_proof_in_chinese_a_wrong_then_the_right_detail_links_the_record():
    known, _number = known_with_history()
    client = browser()
    to_details(client)

    page = client.get(reverse("portal:signup_details"))
    html = page.content.decode()
    assert page.status_code == 200 and 'data-test-id="signup-check"' in html
    assert "此号码在我们的服务记录中" in html and "139****5678" in html
    assert "A7K3Q" not in html and "王秀英" not in html  # the question names nothing of the record

    wrong = client.post(reverse("portal:signup_details"), {"history_answer": "李四"})
    assert wrong.status_code == 422 and "还可以再试 2 次" in wrong.content.decode()
    right = client.post(reverse("portal:signup_details"), {"history_answer": "a7k3q"})
    assert right["Location"] == reverse("portal:signup_details")

    done = client.post(reverse("portal:signup_details"), details(), follow=True)
    assert done.redirect_chain[-1][0] == reverse("portal:home")
    known.refresh_from_db()
    assert known.user is not None and known.user.username == "13912345678"


def test_the_second_proof_in_english_not_mine_opens_an_account_without_the_records():
    known, _number = known_with_history()
    client = browser("en")
    to_details(client)
    html = client.get(reverse("portal:signup_details")).content.decode()
    assert "This number is in our records from earlier service" in html and "Open my account without the earlier records" in html

    declined = client.post(reverse("portal:signup_details"), {"not_mine": "1"}, follow=True)
    assert 'data-test-id="signup-without-history"' in declined.content.decode()
    done = client.post(reverse("portal:signup_details"), details("Li Lei"))

    assert done["Location"] == reverse("portal:home")
    user = User.objects.get(role=Role.CUSTOMER)
    mine = Customer.objects.get(user=user)
    assert mine.pk != known.pk and mine.name == "Li Lei" and not mine.tickets.exists()
    assert PhoneReuseFlag.objects.get().customer == known


def test_three_wrong_answers_on_the_page_lock_the_check_and_continue_without_the_records(settings):
    known_with_history()
    client = browser("en")
    to_details(client)
    for answer in ("Wang", "0000"):
        assert client.post(reverse("portal:signup_details"), {"history_answer": answer}).status_code == 422
    locked = client.post(reverse("portal:signup_details"), {"history_answer": "1234"}, follow=True)

    assert "We could not confirm the earlier records" in locked.content.decode()
    assert 'data-test-id="signup-details-form"' in locked.content.decode()
    assert AuditEvent.objects.filter(action="customer.phone_check_locked").count() == 1
    assert client.post(reverse("portal:signup_details"), details("Li Lei"))["Location"] == reverse("portal:home")
    assert PhoneReuseFlag.objects.get().reason == "failed"


def test_from_half_the_days_cap_everybody_types_the_digits(settings):
    settings.PHONE_CODE_DAILY_CAPS = '{"86": 4}'
    assert ask(browser(ip="198.51.100.1"), "139 0000 0001").status_code == 302
    assert ask(browser(ip="198.51.100.2"), "139 0000 0002").status_code == 302
    assert ask(browser(ip="198.51.100.3"), TYPED).status_code == 422  # two of four codes went out today
