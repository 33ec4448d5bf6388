"""Short links for SMS (notifications/short_links.py, docs/notifications.md "Short links"): a
code made once per target from an unambiguous alphabet, ``/s/<code>`` redirecting to the page on
this site (never another site), an expired or unknown code answered by a translated 404 page,
the daily purge, and the plan message's SMS values carrying the short link that an Aliyun
template's variable can hold."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, include, path, resolve

from aftersales import urls as root_urls
from aftersales.core import clock
from aftersales.notifications import short_links
from aftersales.notifications.models import Notification, NotificationChannel, NotificationStatus, ShortLink
from aftersales.notifications.services import notification_deliver
from aftersales.notifications.short_links import (
    ALPHABET,
    CODE_LENGTH,
    UnsafeTarget,
    short_link_for,
    short_link_values,
    short_links_purge,
)
from aftersales.notifications.tasks import purge_expired_short_links
from aftersales.tickets.process import ticket_start_verification, ticket_submit_plan
from tests.factories import make_ticket
from tests.fieldservice.helpers import unit_in_warranty
from tests.notifications.process_walk import analyse_after_information, propose
from tests.notifications.provider_server import FakeProvider
from tests.tickets.process_helpers import agent, refreshed

# ``/s/<code>`` is included at the site's root by the root URLconf; until it is, here.
urlpatterns = list(root_urls.urlpatterns)
try:
    resolve("/s/abcdefghj", urlconf="aftersales.urls")
except Resolver404:
    urlpatterns.insert(0, path("", include("aftersales.notifications.short_urls")))

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

SITE = "https://sv.example.cn"  # 21 characters: the short link is 33, within a 35-character variable
TICKET_PATH = "/portal/t/eyJ0IjoxMjM0NX0:1tZk2x:Q3VzdG9tZXJUaWNrZXRMaW5r/"
SURVEY_PATH = "/feedback/3f9a2c41-5d6e-4f70-8a1b-2c3d4e5f6a7b:Kx9q2Lm0Zp/"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.AFTERSALES_SITE_URL = SITE


def code_of(url: str) -> str:
    assert url.startswith(SITE + "/s/"), url
    return url.rsplit("/", 1)[1]


# --- The code ------------------------------------------------------------------------------------


def test_codes_are_drawn_with_secrets_from_an_alphabet_without_look_alikes(monkeypatch):
    codes = {short_links.new_code() for _ in range(300)}
    assert len(codes) == 300
    assert all(len(code) == CODE_LENGTH for code in codes) and 8 <= CODE_LENGTH <= 10
    used = set("".join(codes))
    assert used <= set(ALPHABET) and not used & set("0o1liIlO")
    assert len(used) == len(ALPHABET) == 31  # every character of it comes up

    picks: list[str] = []

    def choice(seq: str) -> str:
        picks.append(seq)
        return seq[5]

    monkeypatch.setattr(short_links.secrets, "choice", choice)
    url = short_link_for(TICKET_PATH)
    assert url == f"{SITE}/s/{ALPHABET[5] * CODE_LENGTH}" and picks == [ALPHABET] * CODE_LENGTH


def test_a_code_already_taken_is_drawn_again(monkeypatch):
    ShortLink.objects.create(
        code="aaaaaaaaa",
        target="/portal/t/other/",
        target_digest="x" * 64,
        created_at=clock.now(),
        expires_at=clock.now() + dt.timedelta(days=1),
    )
    drawn: Iterator[str] = iter(["aaaaaaaaa", "bbbbbbbbb"])
    monkeypatch.setattr(short_links, "new_code", lambda: next(drawn))
    assert short_link_for(TICKET_PATH) == f"{SITE}/s/bbbbbbbbb"
    assert ShortLink.objects.get(code="bbbbbbbbb").target == TICKET_PATH


# --- One per target, its expiry ------------------------------------------------------------------


def test_a_target_gets_one_code_made_with_one_statement_and_reused_while_valid(settings):
    settings.PORTAL_LINK_MAX_AGE_DAYS = 60
    with CaptureQueriesContext(connection) as made:
        first = short_link_for(TICKET_PATH, language="en")
    # One INSERT and no read: intake queues its message while the day's counter is locked.
    assert [q["sql"].split()[0].upper() for q in made.captured_queries] == ["INSERT"]
    assert short_link_for(TICKET_PATH) == first
    assert short_link_for(SITE + TICKET_PATH) == first  # the absolute link under the site URL is the same target
    other = short_link_for(SURVEY_PATH)
    assert other != first
    row = ShortLink.objects.get(code=code_of(first))
    assert (row.target, row.language, row.hits, row.last_used_at) == (TICKET_PATH, "en", 0, None)
    assert ShortLink.objects.count() == 2
    # A portal link lasts PORTAL_LINK_MAX_AGE_DAYS, and so does its short link.
    assert abs(row.expires_at - (clock.now() + dt.timedelta(days=60))) < dt.timedelta(minutes=1)


def test_expiry_defaults_to_short_link_days_and_a_later_need_extends_it(settings):
    settings.SHORT_LINK_DAYS = 7
    url = short_link_for(SURVEY_PATH)  # the survey's link has no lifetime of its own
    row = ShortLink.objects.get(code=code_of(url))
    assert abs(row.expires_at - (clock.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)
    later = clock.now() + dt.timedelta(days=20)
    assert short_link_for(SURVEY_PATH, expires_at=later) == url
    row.refresh_from_db()
    assert row.expires_at == later
    assert short_link_for(SURVEY_PATH, expires_at=clock.now() + dt.timedelta(days=1)) == url
    row.refresh_from_db()
    assert row.expires_at == later  # never shortened
    with pytest.raises(ValueError):
        short_link_for("/feedback/another:token/", expires_at=clock.now() - dt.timedelta(seconds=1))


def test_an_expired_target_gets_a_new_code_and_the_old_code_stays_dead():
    old = short_link_for(TICKET_PATH)
    ShortLink.objects.filter(code=code_of(old)).update(expires_at=clock.now() - dt.timedelta(minutes=1))
    new = short_link_for(TICKET_PATH)
    assert new != old and ShortLink.objects.count() == 1
    client = Client()
    assert client.get(urlsplit(old).path).status_code == 404
    assert client.get(urlsplit(new).path)["Location"] == SITE + TICKET_PATH


# --- The redirect --------------------------------------------------------------------------------


def test_the_short_link_redirects_to_the_page_without_signing_in_with_one_update():
    url = short_link_for(TICKET_PATH + "?from=sms")
    client = Client()
    with CaptureQueriesContext(connection) as opened:
        response = client.get(urlsplit(url).path)
    assert response.status_code == 302
    assert response["Location"] == f"{SITE}{TICKET_PATH}?from=sms"
    statements = [q["sql"] for q in opened.captured_queries]
    writes = [s for s in statements if s.split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    assert len(writes) == 1 and "notifications_shortlink" in writes[0]
    assert sum("notifications_shortlink" in s for s in statements) == 2  # the read and the count
    assert client.get(f"/s/{code_of(url).upper()}/").status_code == 302  # typed in capitals, a slash added
    row = ShortLink.objects.get()
    assert row.hits == 2 and row.last_used_at is not None


def test_the_short_link_follows_a_site_under_a_sub_path(settings):
    settings.AFTERSALES_SITE_URL = "https://x.example.cn/aftersales"
    url = short_link_for(f"https://x.example.cn/aftersales{TICKET_PATH}")
    assert url.startswith("https://x.example.cn/aftersales/s/")
    assert ShortLink.objects.get().target == TICKET_PATH
    response = Client().get("/s/" + url.rsplit("/", 1)[1])
    assert response["Location"] == f"https://x.example.cn/aftersales{TICKET_PATH}"


# --- Expired or unknown: the page --------------------------------------------------------------

EN = "This link has expired or does not exist"
ZH = "该链接已失效或不存在"


@pytest.mark.parametrize(("language", "shown", "not_shown"), [("en", EN, ZH), ("zh-hans", ZH, EN)])
def test_an_expired_link_says_so_in_the_recipients_language(language, shown, not_shown):
    url = short_link_for(TICKET_PATH, language=language)
    ShortLink.objects.update(expires_at=clock.now() - dt.timedelta(seconds=1))
    response = Client().get(urlsplit(url).path)
    html = response.content.decode()
    assert response.status_code == 404 and "Location" not in response
    assert shown in html and not_shown not in html and 'data-test-id="short-link-gone"' in html
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html  # a phone's width
    assert ShortLink.objects.get().hits == 0
    # The visitor's own choice (the language switch) comes first.
    client = Client()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hans" if language == "en" else "en"
    html = client.get(urlsplit(url).path).content.decode()
    assert not_shown in html and shown not in html


def test_an_unknown_code_is_answered_in_the_pages_language():
    client = Client()
    response = client.get("/s/zzzzzzzzz")
    assert response.status_code == 404 and ZH in response.content.decode()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/s/zzzzzzzzz")
    assert response.status_code == 404 and EN in response.content.decode()
    # Not a code at all (look-alikes, too long): not even looked up.
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/s/OOOO0000l").status_code == 404
        assert client.get("/s/" + "a" * 40).status_code == 404
    assert not any("notifications_shortlink" in q["sql"] for q in queries.captured_queries)


# --- Only pages of this site ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example.com/portal/t/x/",
        "http://evil.example.com/",
        "https://sv.example.cn.evil.com/portal/t/x/",
        "https://sv.example.cn@evil.example.com/portal/t/x/",
        "//evil.example.com/portal/t/x/",
        "/\\evil.example.com/",
        "\\\\evil.example.com/",
        "javascript:alert(1)",
        "portal/t/x/",
        "/portal/t/x/\nLocation: https://evil.example.com/",
        "/portal/t/x y/",
        "/no/such/page/",
        "/s/abcdefghj",
        "/" + "a" * 2100,
        "",
    ],
)
def test_a_target_that_is_not_a_page_of_this_site_is_refused(target):
    with pytest.raises(UnsafeTarget):
        short_link_for(target)
    assert short_link_values(target) == {}
    assert not ShortLink.objects.exists()


def test_a_stored_target_off_the_site_is_never_followed():
    now = clock.now()
    for code, target in (("cccccccc2", "https://evil.example.com/"), ("cccccccc3", "//evil.example.com/")):
        ShortLink.objects.create(
            code=code, target=target, target_digest=code * 7 + "x", created_at=now, expires_at=now + dt.timedelta(days=1)
        )
        response = Client().get(f"/s/{code}")
        assert response.status_code == 404 and "Location" not in response


# --- The purge -----------------------------------------------------------------------------------


def test_the_purge_deletes_links_expired_for_a_month_and_keeps_the_others():
    now = clock.now()
    ages = {"gone": 31, "recent": 29, "live": -5}  # days since expiry (negative: still valid)
    for index, (name, days) in enumerate(ages.items()):
        ShortLink.objects.create(
            code=f"{name[0]}{index}{name[0]}{index}{name[0]}{index}{name[0]}{index}x",
            target=f"/portal/t/{name}/",
            target_digest=str(index) * 64,
            created_at=now - dt.timedelta(days=90),
            expires_at=now - dt.timedelta(days=days),
        )
    assert purge_expired_short_links.call() == 1
    assert sorted(ShortLink.objects.values_list("target", flat=True)) == ["/portal/t/live/", "/portal/t/recent/"]
    assert short_links_purge(now=now + dt.timedelta(days=40)) == 2  # the rest, once old enough
    assert not ShortLink.objects.exists()


# --- The plan message's SMS ----------------------------------------------------------------------


@pytest.fixture
def aliyun(settings):
    server = FakeProvider()
    settings.SMS_PROVIDER = "aliyun"
    settings.ALIYUN_SMS_ACCESS_KEY_ID = "LTAI-test-id"
    settings.ALIYUN_SMS_ACCESS_KEY_SECRET = "aliyun-test-secret"
    settings.ALIYUN_SMS_SIGN_NAME = "安心售后"
    settings.ALIYUN_SMS_ENDPOINT = server.url + "/"
    settings.SMS_TEMPLATES = {
        # 您的服务申请${number}的处理方案已出，请查看并确认：https://sv.example.cn/s/${code}
        "ticket_plan_offered": {"template": "SMS_0004", "params": {"number": "number", "code": "short_code"}},
    }
    settings.NOTIFICATION_PROVIDER_TIMEOUT_SECONDS = 5
    yield server
    server.stop()


def test_the_plan_sms_carries_a_short_link_to_the_plan_that_fits_a_template_variable(aliyun):
    aliyun.on("/", {"Code": "OK", "Message": "OK", "BizId": "1^0", "RequestId": "R1"})
    handler = agent()
    ticket = make_ticket(actor=handler, email="zhao.min@example.com", serial_number=unit_in_warranty().serial_number)
    ticket = analyse_after_information(ticket_start_verification(ticket=ticket, actor=handler), handler)
    propose(ticket, handler)
    ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    sms = Notification.objects.get(ticket=ticket, template="ticket_plan_offered", channel=NotificationChannel.SMS)
    values = sms.params
    assert values["link"].startswith(f"{SITE}/portal/t/") and len(values["link"]) > 60
    code = values["short_code"]
    assert values["short_link"] == f"{SITE}/s/{code}" and len(values["short_link"]) <= 35
    assert values["short_path"] == f"s/{code}" and len(code) == CODE_LENGTH
    assert ShortLink.objects.get(code=code).language == "zh-hans"
    others = Notification.objects.filter(ticket=ticket, template="ticket_plan_offered").exclude(pk=sms.pk)
    assert [n.channel for n in others] == [NotificationChannel.EMAIL]
    # The whole link in its text; its values kept like the SMS's (a bounce composes it again from them).
    assert values["link"] in others[0].body and others[0].params == values

    delivered = notification_deliver(notification_id=sms.pk)
    assert delivered.status == NotificationStatus.SENT
    assert json.loads(aliyun.requests[0].form()["TemplateParam"]) == {"number": ticket.number, "code": code}

    # The customer's short link opens the plan.
    client = Client()
    response = client.get(f"/s/{code}")
    assert response.status_code == 302 and response["Location"] == values["link"]
    html = client.get(urlsplit(values["link"]).path).content.decode()
    assert 'data-test-id="portal-plan-form"' in html


def test_a_message_without_a_link_or_with_a_link_elsewhere_gets_no_short_link():
    assert short_link_values("") == {}
    assert short_link_values("https://weixin.qq.com/") == {}
    ticket = make_ticket()  # ticket_received: the portal link → a short link for its SMS
    received = Notification.objects.get(ticket=ticket, template="ticket_received", channel=NotificationChannel.SMS)
    assert received.params["short_code"] and ShortLink.objects.count() == 1
