"""The sign-up and code sign-in pages (docs/portal.md, "Getting an account"), through Django's
test client: phone → code → name, password and consent → signed in on /portal/; the same
answer for every phone; field errors; no open redirect; CSRF; both languages."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.accounts.models import PhoneCode, Role, User
from aftersales.customers.models import Customer
from aftersales.notifications.models import Notification, NotificationChannel
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db
PHONE = "+8613912345678"
TYPED = "139 1234 5678"
PASSWORD = "Xin-Mima-2026!"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"signup-{uuid.uuid4().hex}"}
    }


def browser(language: str = "zh-hans") -> Client:
    client = Client(headers={"Accept-Language": language})
    client.cookies["django_language"] = language
    return client


def last_code(phone: str = PHONE) -> str:
    sms = Notification.objects.filter(channel=NotificationChannel.SMS, template=PHONE_CODE_TEMPLATE, recipient=phone).latest("pk")
    found = re.search(r"(?<!\d)(\d{6})(?!\d)", sms.body)
    assert found
    return found.group(1)


def details(name: str = "王大妈", password: str = PASSWORD, again: str | None = None, privacy: bool = True) -> dict[str, str]:
    data = {"name": name, "password": password, "password_again": password if again is None else again}
    if privacy:
        data["privacy"] = "on"
    return data


def signed_in_user(client: Client) -> User | None:
    user_id = client.session.get("_auth_user_id")
    return User.objects.get(pk=user_id) if user_id else None


def prove_phone(client: Client) -> None:
    response = client.post(reverse("portal:signup"), {"phone": TYPED})
    assert response.status_code == 302 and response["Location"] == reverse("portal:signup_code")
    response = client.post(reverse("portal:signup_code"), {"code": last_code()})
    assert response.status_code == 302 and response["Location"] == reverse("portal:signup_details")


def test_the_whole_sign_up_in_chinese_lands_on_the_portal():
    client = browser()
    page = client.get(reverse("portal:signup"))
    assert page.status_code == 200 and "开通账户" in page.content.decode()
    assert client.post(reverse("portal:signup"), {"phone": TYPED})["Location"] == reverse("portal:signup_code")
    code_page = client.get(reverse("portal:signup_code")).content.decode()
    assert "139****5678" in code_page and "13912345678" not in code_page
    wrong = "000000" if last_code() != "000000" else "111111"
    refused = client.post(reverse("portal:signup_code"), {"code": wrong})
    assert refused.status_code == 422 and "code" in refused.context["form"].errors
    assert "验证码错误或已过期" in refused.content.decode()
    assert client.post(reverse("portal:signup_code"), {"code": last_code()})["Location"] == reverse("portal:signup_details")

    form_page = client.get(reverse("portal:signup_details"))
    assert form_page.status_code == 200 and reverse("portal:privacy_notice") in form_page.content.decode()
    done = client.post(reverse("portal:signup_details"), details(), follow=True)

    assert done.redirect_chain[-1][0] == reverse("portal:home") and done.status_code == 200
    user = signed_in_user(client)
    assert user is not None and user.role == Role.CUSTOMER and user.username == "13912345678"
    assert Customer.objects.get(user=user).phone == PHONE
    assert "13912345678" in done.content.decode()  # the welcome names the user name to sign in with
    # The session's step is over: the proof was spent.
    assert client.get(reverse("portal:signup_details"))["Location"] == reverse("home")


def test_field_errors_are_shown_and_the_account_is_made_after_they_are_fixed():
    client = browser("en")
    prove_phone(client)
    no_consent = client.post(reverse("portal:signup_details"), details(privacy=False))
    assert no_consent.status_code == 422 and "privacy" in no_consent.context["form"].errors
    differ = client.post(reverse("portal:signup_details"), details(again="Other-Mima-2026!"))
    assert differ.status_code == 422 and "password_again" in differ.context["form"].errors
    weak = client.post(reverse("portal:signup_details"), details(password="12345678"))
    assert weak.status_code == 422 and "password" in weak.context["form"].errors
    no_name = client.post(reverse("portal:signup_details"), details(name=""))
    assert no_name.status_code == 422 and "name" in no_name.context["form"].errors
    assert not User.objects.filter(role=Role.CUSTOMER).exists()

    done = client.post(reverse("portal:signup_details"), details(name="Zhao Min"))
    assert done.status_code == 302 and done["Location"] == reverse("portal:home")
    assert Customer.objects.get(phone=PHONE).language == "en"


def test_an_invalid_phone_is_refused_on_its_field():
    client = browser()
    for typed in ("12", "010 6234 5678"):  # not a number; a landline gets no SMS
        response = client.post(reverse("portal:signup"), {"phone": typed})
        assert response.status_code == 422 and "phone" in response.context["form"].errors
    assert not PhoneCode.objects.exists()


def test_the_phone_step_answers_alike_and_only_the_proven_owner_learns_of_the_account():
    owner = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(phone=PHONE, user=owner)
    with_account = browser().post(reverse("portal:signup"), {"phone": TYPED})
    without = browser().post(reverse("portal:signup"), {"phone": "137 0000 1111"})
    assert (with_account.status_code, with_account["Location"]) == (without.status_code, without["Location"])

    client = browser()
    prove_phone(client)
    page = client.get(reverse("portal:signup_details"))
    assert page.status_code == 200 and 'data-test-id="signup-exists"' in page.content.decode()
    assert reverse("portal:code_sign_in") in page.content.decode()
    assert User.objects.filter(role=Role.CUSTOMER).count() == 1


def test_the_steps_without_their_session_send_back_to_the_start():
    client = browser()
    assert client.get(reverse("portal:signup_code"))["Location"] == reverse("portal:signup")
    assert client.get(reverse("portal:signup_details"))["Location"] == reverse("portal:signup")
    assert client.get(reverse("portal:code_sign_in_verify"))["Location"] == reverse("portal:code_sign_in")
    # A code entered but never verified does not open the last step.
    client.post(reverse("portal:signup"), {"phone": TYPED})
    assert client.get(reverse("portal:signup_details"))["Location"] == reverse("portal:signup")


def test_asking_again_within_the_minute_sends_nothing_and_says_so():
    client = browser("en")
    client.post(reverse("portal:signup"), {"phone": TYPED})
    again = client.post(reverse("portal:signup_code"), {"resend": "1"}, follow=True)
    assert "You can ask for a new one in" in again.content.decode()
    assert Notification.objects.filter(template=PHONE_CODE_TEMPLATE).count() == 1


def test_too_many_codes_are_refused_on_the_page(settings):
    settings.PHONE_CODE_RESEND_SECONDS = 0
    settings.PHONE_CODE_PER_IP_HOUR = 1
    client = browser("en")
    client.post(reverse("portal:signup"), {"phone": TYPED})
    refused = client.post(reverse("portal:signup"), {"phone": "137 0000 1111"})
    assert refused.status_code == 429 and "Too many codes" in refused.content.decode()


def test_the_forms_need_the_csrf_token():
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("portal:signup"), {"phone": TYPED}).status_code == 403
    assert client.post(reverse("portal:code_sign_in"), {"phone": TYPED}).status_code == 403
    assert not PhoneCode.objects.exists()


def test_the_login_page_offers_the_code_and_the_sign_up():
    html = browser("en").get(reverse("accounts:login") + "?next=/portal/tickets/X/").content.decode()
    assert reverse("portal:code_sign_in") + "?next=/portal/tickets/X/" in html
    assert reverse("portal:signup") in html


def test_a_customer_signs_in_by_code_and_goes_where_they_asked():
    user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(phone=PHONE, user=user)
    client = browser()
    asked = client.post(reverse("portal:code_sign_in"), {"phone": TYPED, "next": "/portal/knowledge/"})
    assert asked["Location"] == reverse("portal:code_sign_in_verify")
    done = client.post(reverse("portal:code_sign_in_verify"), {"code": last_code()})
    assert done.status_code == 302 and done["Location"] == "/portal/knowledge/"
    assert signed_in_user(client) == user


def test_the_code_sign_in_never_redirects_to_another_site():
    user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(phone=PHONE, user=user)
    client = browser()
    client.post(reverse("portal:code_sign_in"), {"phone": TYPED, "next": "https://evil.example.com/"})
    done = client.post(reverse("portal:code_sign_in_verify"), {"code": last_code()})
    assert done["Location"] == reverse("portal:home")


def test_the_code_sign_in_refuses_staff():
    UserFactory(role=Role.AGENT, username="wang.fang", phone=PHONE)
    client = browser("en")
    asked = client.post(reverse("portal:code_sign_in"), {"phone": TYPED})
    assert asked["Location"] == reverse("portal:code_sign_in_verify")  # the same answer as for anyone
    assert not PhoneCode.objects.exists()
    for code in ("123456", "000000"):
        refused = client.post(reverse("portal:code_sign_in_verify"), {"code": code})
        assert refused.status_code == 422 and "code" in refused.context["form"].errors
    assert signed_in_user(client) is None


def test_a_signed_in_person_is_sent_home_from_the_sign_up_and_the_privacy_notice_is_public(settings):
    user = UserFactory(role=Role.CUSTOMER)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("portal:signup"))["Location"] == reverse("home")
    notice = browser().get(reverse("portal:privacy_notice"))
    assert notice.status_code == 200 and "隐私声明" in notice.content.decode()
    assert str(settings.PRIVACY_RETENTION_DAYS) in notice.content.decode()
