"""Issue 21, item 3: a list of hostile strings sent into every door where people type text — the
intake page, the portal's request form, the API's ticket create, reply and search, the list's
search and the mail-in parser. Never a 500: either a 4xx that names the field, or accepted and
stored exactly as sent."""

from __future__ import annotations

import json
import uuid
from email.mime.text import MIMEText
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.customers.models import Address
from aftersales.mailin.parsing import MailFormatError, parse
from aftersales.mailin.services import mailin_process, mailin_store
from aftersales.tickets.models import Ticket, TicketEvent
from tests.factories import CustomerFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

MEGABYTE = 1024 * 1024

# Text a database can store, however odd: accepted and kept exactly.
STORABLE = {
    "rtl_override": "订单\u202egnp.exe",
    "zero_width": "热水器\u200d\u200b\u200c\ufeff坏了",
    "emoji_zwj": "👨\u200d👩\u200d👧 家里的冰箱 🧊❄️ 不制冷",
    "fullwidth_digits": "电话１３８１２３４５６７８",
    "sql": "'; DROP TABLE tickets_ticket; -- \" OR 1=1 /*",
    "html": "<script>alert(1)</script><img src=x onerror=alert(2)>{{ 7*7 }}{% debug %}",
    "control": "响\x01\x07\x08\x0b\x0c\x1b[31m红\x7f\u0085\u2028\u2029尾",
    "astral": "\U0010ffff\U0001f4a9\U00020000𠀀",
    "format_chars": "%s%n%x{0}${jndi:ldap://x}",
    "combining": "Z\u0351\u0357\u0344\u0350a\u0306\u0300lgo",
}
# Text no database column can store: refused with a 4xx naming the field.
UNSTORABLE = {"nul": "坏\x00了", "lone_surrogate": "坏\ud800了", "low_surrogate": "\udfff"}


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)


@pytest.fixture
def client(agent) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent)
    return client


def _names_field(response, field: str) -> bool:
    body = response.content.decode("utf-8", "replace")
    return field in body


def _intake(**overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "phone": "138 1234 5678",
        "customer_name": "张伟",
        "request_type": "repair",
        "priority": "3",
        "province": "广东省",
        "city": "佛山市",
        "district": "顺德区",
        "address": "北滘镇美的大道 6 号",
        "occurred_certainty": "unknown",
        "description": "空调漏水。",
    }
    data.update(overrides)
    return data


def _form_post(client: Client, url: str, data: dict[str, str]):
    """A url-encoded form as a browser sends it; a lone surrogate goes over the wire as its
    (invalid) UTF-8 bytes, which the test client's own encoder refuses to write."""
    body = "&".join(f"{quote(k)}={quote(v.encode('utf-8', 'surrogatepass'))}" for k, v in data.items())
    return client.generic("POST", url, body, content_type="application/x-www-form-urlencoded")


def _stored_description(value: str, *, portal: bool = False) -> bool:
    """Kept as typed (less the surrounding white space every text field trims; the portal adds
    the best time to call below it)."""
    if portal:
        return Ticket.objects.filter(description__startswith=value.strip() + "\n\n").exists()
    return Ticket.objects.filter(description=value.strip()).exists()


# --- the intake page ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(STORABLE))
def test_the_intake_page_keeps_odd_but_storable_text(client, name):
    value = STORABLE[name]
    response = _form_post(client, reverse("tickets:intake"), _intake(description=value))
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert _stored_description(value), name
    else:  # refused on the form: the field says why
        assert 'class="errorlist' in response.content.decode() or "field-error" in response.content.decode()


@pytest.mark.parametrize("name", sorted(UNSTORABLE))
@pytest.mark.parametrize("field", ["description", "customer_name", "address", "title"])
def test_the_intake_page_refuses_unstorable_text_naming_the_field(client, name, field):
    response = _form_post(client, reverse("tickets:intake"), _intake(**{field: UNSTORABLE[name]}))
    assert response.status_code == 400 and _names_field(response, field)
    assert not Ticket.objects.exists()


def test_the_intake_page_survives_a_megabyte_field_and_invalid_utf8(client):
    big = _form_post(client, reverse("tickets:intake"), _intake(description="长" * MEGABYTE))
    assert big.status_code in (200, 400, 413)
    assert not Ticket.objects.exists()
    body = f"idempotency_key={uuid.uuid4().hex}&customer_name=%FF%FE&description=\xff\xfe&phone=13812345678".encode("latin-1")
    raw = client.generic("POST", reverse("tickets:intake"), body, content_type="application/x-www-form-urlencoded")
    assert raw.status_code < 500


# --- the portal's request form -----------------------------------------------------------------


@pytest.fixture
def customer_client() -> Client:
    user = UserFactory(role=Role.CUSTOMER, username="li.na")
    customer = CustomerFactory(user=user, phone="+8613912345678", name="李娜")
    Address.objects.create(
        customer=customer, province="江苏省", city="南京市", district="鼓楼区", detail="中山路1号", is_default=True
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _portal(**overrides: str) -> dict[str, str]:
    data = {
        "idempotency_key": uuid.uuid4().hex,
        "request_type": "repair",
        "description": "洗衣机噪音很大。",
        "occurred_certainty": "unknown",
        "province": "江苏省",
        "city": "南京市",
        "district": "鼓楼区",
        "address": "中山路1号",
        "phone": "139 1234 5678",
        "contact_time": "evening",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("name", sorted(STORABLE))
def test_the_portal_form_keeps_odd_but_storable_text(customer_client, name):
    value = STORABLE[name]
    response = _form_post(customer_client, reverse("portal:request_new"), _portal(description=value))
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 302:
        assert _stored_description(value, portal=True), name


@pytest.mark.parametrize("name", sorted(UNSTORABLE))
@pytest.mark.parametrize("field", ["description", "address", "serial_number"])
def test_the_portal_form_refuses_unstorable_text_naming_the_field(customer_client, name, field):
    response = _form_post(customer_client, reverse("portal:request_new"), _portal(**{field: UNSTORABLE[name]}))
    assert response.status_code == 400 and _names_field(response, field)
    assert not Ticket.objects.exists()


def test_the_portal_form_survives_a_megabyte_field(customer_client):
    response = _form_post(customer_client, reverse("portal:request_new"), _portal(description="长" * MEGABYTE))
    assert response.status_code in (200, 400, 413)
    assert not Ticket.objects.exists()


# --- the API -----------------------------------------------------------------------------------


def _api_post(client: Client, url: str, payload: object, *, raw: bytes | None = None):
    body = raw if raw is not None else json.dumps(payload)
    return client.post(url, body, content_type="application/json", headers={"Idempotency-Key": uuid.uuid4().hex})


def _problem_field(response) -> str:
    assert response["Content-Type"].startswith("application/problem+json")
    document = json.loads(response.content)
    fields = [e.get("field", "") for e in document.get("errors", [])]
    return " ".join(str(f) for f in fields) + " " + str(document.get("detail", ""))


@pytest.mark.parametrize("name", sorted(STORABLE))
def test_the_api_create_and_reply_keep_storable_text_exactly(client, name):
    value = STORABLE[name]
    created = _api_post(client, "/api/v1/tickets", {"customer_name": "王芳", "phone": "13912345678", "description": value})
    assert created.status_code == 201, created.content
    ticket = Ticket.objects.get(number=json.loads(created.content)["number"])
    assert ticket.description == value, (ascii(ticket.description), ascii(value))
    reply = _api_post(client, f"/api/v1/tickets/{ticket.number}/replies", {"body": value})
    assert reply.status_code == 201, reply.content
    assert TicketEvent.objects.filter(ticket=ticket, body=value).exists()
    search = client.get("/api/v1/tickets", {"q": value})
    assert search.status_code == 200


@pytest.mark.parametrize("name", sorted(UNSTORABLE))
def test_the_api_refuses_unstorable_text_naming_the_field(client, name):
    value = UNSTORABLE[name]
    created = _api_post(client, "/api/v1/tickets", {"customer_name": "王芳", "phone": "13912345678", "description": value})
    assert created.status_code == 400 and "description" in _problem_field(created)
    ticket = make_ticket()
    reply = _api_post(client, f"/api/v1/tickets/{ticket.number}/replies", {"body": value})
    assert reply.status_code == 400 and "body" in _problem_field(reply)
    search = client.get("/api/v1/tickets?q=" + quote(value.encode("utf-8", "surrogatepass")))
    assert search.status_code == 400 and "q" in _problem_field(search)


def test_the_api_survives_invalid_utf8_and_megabyte_fields(client):
    ticket = make_ticket()
    invalid = b'{"customer_name": "\xff\xfe", "phone": "13912345678", "description": "\xc3\x28"}'
    response = _api_post(client, "/api/v1/tickets", None, raw=invalid)
    assert 400 <= response.status_code < 500
    response = _api_post(client, f"/api/v1/tickets/{ticket.number}/replies", None, raw=b'{"body": "\xed\xa0\x80"}')
    assert 400 <= response.status_code < 500
    big = _api_post(client, "/api/v1/tickets", {"customer_name": "王芳", "phone": "13912345678", "description": "长" * MEGABYTE})
    assert (big.status_code in (413, 422) and "description" in _problem_field(big)) or big.status_code == 413
    assert client.get("/api/v1/tickets", {"q": "长" * 100_000}).status_code < 500
    assert Ticket.objects.count() == 1


# --- the ticket list's search ------------------------------------------------------------------


@pytest.mark.parametrize("value", [*STORABLE.values(), "长" * 50_000, "%00", "%ff", "\\", "%", "_", "*"])
def test_the_list_search_answers_odd_queries(client, value):
    make_ticket()
    response = client.get(reverse("tickets:list"), {"q": value})
    assert response.status_code == 200


@pytest.mark.parametrize("name", sorted(UNSTORABLE))
def test_the_list_search_refuses_unstorable_queries_naming_the_parameter(client, name):
    query = quote(UNSTORABLE[name].encode("utf-8", "surrogatepass"))
    response = client.get(f"{reverse('tickets:list')}?status=open&q={query}")
    assert response.status_code == 400 and _names_field(response, "q")


def test_the_list_refuses_invalid_utf8_in_the_query_string_naming_the_parameter(client):
    response = client.get(reverse("tickets:list") + "?status=open&q=%FF%FE%C3%28")
    assert response.status_code == 400 and _names_field(response, "q")
    response = client.get("/api/v1/tickets?status=%ED%A0%80")
    assert response.status_code == 400 and "status" in _problem_field(response)


# --- the mail-in parser ------------------------------------------------------------------------


def _mail(subject: str, body: str, sender: str = "李娜 <li.na@example.com>") -> bytes:
    msg = MIMEText(body, "plain", "utf-8")
    msg["From"] = sender
    msg["To"] = "support@aftersales.example.cn"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4().hex}@example.com>"
    return msg.as_bytes()


HOSTILE_MAILS = {
    **{f"text-{name}": _mail(value[:200], value) for name, value in STORABLE.items()},
    "nul-body": _mail("空调", "坏\x00了"),
    "nul-subject": b"From: a@example.com\r\nSubject: x\x00y\r\nMessage-ID: <n1@example.com>\r\n\r\nbody\x00\r\n",
    "nul-headers": b"From: a\x00b <a\x00@example.com>\r\nTo: s\x00@example.cn\r\nSubject: x\r\n"
    b"Message-ID: <n\x005@example.com>\r\n\r\nbody\r\n",
    "invalid-utf8": b"From: a@example.com\r\nSubject: \xff\xfe\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Message-ID: <n2@example.com>\r\n\r\n\xc3\x28\xed\xa0\x80 \xff\r\n",
    "unknown-charset": b"From: a@example.com\r\nSubject: =?x-unknown?B?5Z2P?=\r\nContent-Type: text/plain; charset=x-bogus\r\n"
    b"Message-ID: <n3@example.com>\r\n\r\n\xb2\xe2\xca\xd4\r\n",
    "megabyte-body": _mail("大", "长" * MEGABYTE),
    "header-injection": b"From: a@example.com\r\nSubject: hi\r\n\tBcc: evil@example.com\r\nMessage-ID: <n4@example.com>\r\n\r\nx\r\n",
    "rtl-sender": _mail("订单", "内容", sender="\u202eevil <a@example.com>"),
    "no-headers": b"\r\n\r\n",
    "garbage": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_MAILS))
def test_the_mail_parser_and_intake_never_crash(name, settings):
    settings.MAILIN_ADDRESS = "售后服务 <support@aftersales.example.cn>"
    raw = HOSTILE_MAILS[name]
    try:
        mail = parse(raw)
    except MailFormatError:
        mail = None
    if mail is not None:
        for text in (mail.subject, mail.text, mail.from_name, mail.html):
            assert "\x00" not in text and not any("\ud800" <= ch <= "\udfff" for ch in text)
    stored = mailin_store(raw=raw, source="imap").message
    processed = mailin_process(message_id=stored.pk)
    assert processed is not None
    processed.refresh_from_db()
    assert processed.status in {"processed", "held", "ignored"}, processed.status
    for ticket in Ticket.objects.all():
        assert "\x00" not in ticket.description and "\x00" not in ticket.title
