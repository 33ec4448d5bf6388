"""One language at a time: every page a role can reach, in Chinese and in English, carries no
interface text of the other language.

The demo set is the one this package loads (``conftest.demo_output``), with a full process walk
added for the module (rolled back at its end). For each role a crawler
follows the links on the pages it sees (GET only, a few pages per URL pattern) in each language.
What counts as the interface: the visible text and the texts people read in attributes
(placeholder, title, aria-label, alt, button values). What does not: user data — the names,
addresses, titles, descriptions, notes and master data stored in the database, which are shown in
the language they were written in. They are subtracted from the page before the check by taking
every stored text out of it (longest first), except the texts the system itself writes into the
timeline, which must follow the reader's language.

- English pages: no Chinese character may remain.
- Chinese pages: no English word may remain, except the abbreviations a Chinese interface uses
  as they are (SLA, API, PDF…).

The package loads the demo in English (the writer's language is not the site's): a system text frozen at
write time would be English on the Chinese pages. The subtraction cannot hide one: the system's
timeline text is deferred (``core.i18n``) and only its plain parameters (names, numbers, what a
person typed) count as user data, and ``test_system_events_carry_deferred_text`` fails on any
timeline entry whose body holds the system's words without it. The messages the demo and a full
process walk queue are checked too: each in its recipient's one language.

The same crawl checks that every page keeps to the Content-Security-Policy (issue 21, item 4; with
tests/security/test_headers.py): no inline script without the nonce, no inline event handler whose
hash the policy does not name, no style attribute, no javascript: link, the policy sent and the
page not stored (``crawl.csp_problems``).

Which pass runs what (docs/decisions/0011): the Chinese crawl of every role runs on both databases
— it is what reaches every page, with the demo's data, as each role, so a page whose queries fail
on one database only is caught; the English crawl asks nothing of the database that the Chinese
one has not, and runs in the SQLite pass alone (``sqlite_pass``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.http import HttpResponse
from django.test import Client
from django.utils import translation

from aftersales.accounts.models import Role, User
from aftersales.core.i18n import TEXT_KEY
from aftersales.core.masking import mask_name
from aftersales.notifications.models import Notification
from aftersales.notifications.text import clause
from aftersales.parts import services as parts_services
from aftersales.parts.models import Part, Warehouse, WarehouseKind
from aftersales.sla.models import ClockStatus, SlaClock
from aftersales.sla.services import sla_check_clock
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.process import ticket_start_verification
from tests.api.conftest import ApiClient, key_for
from tests.demo.crawl import crawl, csp_problems, first_user_of_each_role
from tests.factories import UserFactory, make_ticket
from tests.notifications.process_walk import Walk, walk_the_process
from tests.tickets.process_helpers import agent

pytestmark = pytest.mark.django_db

PAGES_PER_ROLE = 60
PAGES_PER_ROUTE = 2
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+")
IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")
# A word, not a piece of a code such as a UUID or a serial number.
WORD = re.compile(r"(?<![A-Za-z0-9_.-])[A-Za-z][A-Za-z'’]*[A-Za-z](?![A-Za-z0-9_-])")
# Used as they are in a Chinese interface.
# fmt: off
ABBREVIATIONS = {
    "SLA", "API", "PDF", "NPS", "CSAT", "ID", "SN", "IMEI", "URL", "SKU", "HTTP", "HTTPS", "GPS", "CSV",
    "Excel", "OpenAPI", "JSON", "CNY", "SMS", "IMAP", "SMTP", "Webhook", "Webhooks", "KPI", "PDCA", "SHA",
    "htmx", "Aftersales", "IP", "UTC", "PNG", "JPG", "JPEG", "MP", "KB", "MB", "GB", "km", "kg", "min",
    "No", "Django",
    # Written so in Chinese interfaces: 手机App, CRM, the keys of "按住 Control 键，或者 Mac 上的 Command 键".
    "App", "CRM", "Control", "Command", "Mac",
}
# fmt: on
# A code shown as it is (an audit action "ticket.status_changed", a queue or status value).
CODE = re.compile(r"(?<![\w.-])[a-z0-9]+(?:[._][a-z0-9]+)+(?![\w-])")
# A code the system makes (a coupon's "CPQ7HMRT2KXA", a serial number): letters and digits at
# random are no language. Taken out before the stored texts, so that a short stored text inside
# one ("AB" in "CPAB2XYZQRS") cannot break it up and leave "CP" behind as a word.
SYSTEM_CODE = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]{7,}(?![\w-])")
ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/accounts/logout", "/i18n/", "/health")
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".png", ".jpg", ".json", "/download/")
# A link in a text (a message's signed link, a URL shown as its own text) is no language.
URL = re.compile(r"https?://[^\s<>\"'，。、；：！？（）《》「」【】]+")
PLAIN_WORD = re.compile(r"[A-Za-z0-9]+")
SKIPPED_APPS = {"sessions", "admin", "contenttypes", "auth"}


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside script/style, and the readable attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        # translate="no" (HTML's own marker) holds data shown as it is: a secret key, template syntax.
        if tag in {"script", "style", "template", "noscript"} or values.get("translate") == "no":
            self._skip += 1
            self._skipping.append(tag)
        for name in ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name] or "")
        if tag == "input" and (values.get("type") or "") in {"submit", "button"} and values.get("value"):
            self.parts.append(values["value"] or "")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.parts.append(data)


def _plain_params(text: object) -> list[str]:
    """The parameters of a deferred text that are data (names, numbers, what a person typed):
    neither its message nor the parameters translated on reading."""
    if not isinstance(text, dict):
        return []
    found: list[str] = []
    translatable = set(text.get("t") or ())
    for key, value in (text.get("p") or {}).items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict):
                found += _plain_params(item)
            elif isinstance(item, str) and key not in translatable:
                found.append(item)
    return found


def _codes_out(text: str) -> str:
    """``text`` without its links and codes, which are no language."""
    return SYSTEM_CODE.sub(" ", CODE.sub(" ", URL.sub(" ", text)))


def _meaningful(text: str) -> bool:
    """Holds a word or a Chinese character (punctuation alone is no user data: "、" on an English
    page is the interface's)."""
    return bool(IDEOGRAPH.search(text) or WORD.search(text))


def _add(found: set[str], value: str) -> None:
    """``value`` and the forms it takes on a page: its lines, the pieces around a link (a
    message's "查看派工单：https://…"), inside a message's sentence (``clause``), and without its
    links and codes (as the page text is compared)."""
    if not _meaningful(value):
        return
    forms = {value}
    for line in value.splitlines():
        for piece in [line, *URL.split(line)]:
            forms.update({piece, clause(piece), _codes_out(piece)})
    found.update(form.strip() for form in forms if _meaningful(form.strip()))


def _user_data(*, without: tuple[type[models.Model], ...] = ()) -> list[str]:
    """Every text stored in the database that people or master data wrote, longest first."""
    found: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label in SKIPPED_APPS or model in without:
            continue
        fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        if not fields:
            continue
        qs = model._default_manager.all()
        if model is TicketEvent:
            # The system's own timeline text follows the reader; what people wrote does not,
            # nor the plain parameters of the system's text.
            for data in qs.filter(data__has_key=TEXT_KEY).values_list("data", flat=True):
                for value in _plain_params(data.get(TEXT_KEY)):
                    _add(found, value)
            qs = qs.exclude(data__has_key=TEXT_KEY)
        for row in qs.values_list(*fields)[:20000]:
            for value in row:
                if isinstance(value, str):
                    _add(found, value)
                    if IDEOGRAPH.search(value) and len(value) <= 8:
                        _add(found, mask_name(value))  # a name masked for a role with no need ("王*")
    return sorted(found, key=len, reverse=True)


@dataclass
class World:
    users: dict[str, User]  # the first active user of each role (the demo's)
    user_data: list[str]
    walk: Walk


@pytest.fixture(scope="module")
def demo_world(demo_output, django_db_blocker, check_constraints_now):
    # The demo (written in English: a system text frozen in the writer's language shows on Chinese
    # pages) is the package's; what this module adds is rolled back to its savepoint at the end.
    with django_db_blocker.unblock(), transaction.atomic():
        users = first_user_of_each_role()
        # A full process walk whose staff and customer read English (people type Chinese).
        walk = walk_the_process("en")
        _more_system_steps(walk)
        check_constraints_now()
        yield World(users=users, user_data=_user_data(), walk=walk)
        transaction.set_rollback(True)


def _crawl(user: User, language: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The text of each page ``user`` reaches in ``language``, by URL; and what breaks the
    Content-Security-Policy on the pages where something does."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages: dict[str, str] = {}
    csp: dict[str, list[str]] = {}

    def read(url: str, response: HttpResponse) -> list[str]:
        parser = _Text()
        parser.feed(response.content.decode())
        pages[url] = "\n".join(parser.parts)
        if problems := csp_problems(response):
            csp[url] = problems
        return parser.links

    def skip(path: str) -> bool:
        return path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES)

    crawl(client, user, read, pages=PAGES_PER_ROLE, per_route=PAGES_PER_ROUTE, skip=skip)
    return pages, csp


def _strip_user_data(text: str, user_data: list[str]) -> str:
    # Links and codes first (a stored text could match a piece of one and break it up); the
    # stored texts are compared with theirs taken out too.
    text = _codes_out(text)
    # The language switch names each language in that language, as every bilingual site does.
    for _code, name in settings.LANGUAGES:
        text = text.replace(name, " ")
    # Every stored text, longest first, taken out where it occurs (as ``for value in user_data:
    # if value in text: text = text.replace(value, " ")``). Most of them (tens of thousands) are
    # on no page, so only those that can be there are looked for, in the same order.
    index = _index(user_data)
    starts = {text[i : i + 3] for i in range(len(text) - 2)}
    positions = [*index.always, *(p for start in starts & index.by_start.keys() for p in index.by_start[start])]
    for position in sorted(positions):
        value = user_data[position]
        if value in text:
            if PLAIN_WORD.fullmatch(value):
                # A stored word ("en", a reply template's language) is user data where it stands
                # as a word, not inside a code it happens to spell ("sup-hengli").
                text = re.sub(rf"(?<![A-Za-z0-9_-]){re.escape(value)}(?![A-Za-z0-9_-])", " ", text)
            else:
                text = text.replace(value, " ")
    return text


@dataclass
class _Index:
    """Where each stored text of a list is (its position), by its first three characters.
    A text can only be in a page if its start is; a replacement leaves a space, so a text with a
    space could appear only after one — those, and the texts under three characters, are
    always looked for."""

    user_data: list[str]
    by_start: dict[str, list[int]]
    always: list[int]


_INDEXES: dict[int, _Index] = {}


def _index(user_data: list[str]) -> _Index:
    found = _INDEXES.get(id(user_data))
    if found is not None and found.user_data is user_data:
        return found
    by_start: dict[str, list[int]] = defaultdict(list)
    always: list[int] = []
    for position, value in enumerate(user_data):
        if len(value) < 3 or " " in value:
            always.append(position)
        else:
            by_start[value[:3]].append(position)
    _INDEXES[id(user_data)] = found = _Index(user_data, dict(by_start), always)
    return found


def _leaks(text: str, language: str) -> list[str]:
    if language == "en":
        return CJK.findall(text)
    return [word for word in WORD.findall(text) if word not in ABBREVIATIONS and word.upper() not in ABBREVIATIONS]


@pytest.mark.parametrize("language", ["zh-hans", pytest.param("en", marks=pytest.mark.sqlite_pass)])
@pytest.mark.parametrize("role", list(Role.values))
def test_every_page_a_role_reaches_is_in_one_language_and_keeps_to_the_csp(demo_world, role, language):
    users, user_data = demo_world.users, demo_world.user_data
    if role not in users:
        pytest.skip(f"the demo has no {role}")
    pages, csp = _crawl(users[role], language)
    assert len(pages) >= 2, f"the crawler reached almost nothing as {role}: {list(pages)}"
    assert not csp, f"{role} in {language}: pages that the Content-Security-Policy would break: {csp}"
    problems = {}
    for url, text in pages.items():
        leaks = _leaks(_strip_user_data(text, user_data), language)
        if leaks:
            problems[url] = sorted(set(leaks))[:12]
    assert not problems, f"{role} in {language}: interface text of the other language on {len(problems)} page(s): {problems}"


# --- The messages: each in its recipient's one language ----------------------------------------------


def _message_leaks(notification: Notification, user_data: list[str]) -> list[str]:
    text = _strip_user_data(f"{notification.subject}\n{notification.body}", user_data)
    return sorted(set(_leaks(text, "en" if notification.language == "en" else "zh-hans")))


def test_every_message_the_demo_and_a_process_walk_queue_is_in_its_recipients_language(demo_world):
    # The walk's staff and customer read English; the demo's read Chinese.
    walk = demo_world.walk
    messages = list(Notification.objects.all())
    assert {n.language for n in messages} >= {"en", "zh-hans"}
    assert len({n.template for n in messages}) >= 15, "the messages cover too few kinds"
    # User data, but not the messages themselves (what is checked).
    user_data = sorted(set(_user_data(without=(Notification,))) | set(walk.user_data), key=len, reverse=True)
    problems = {f"{n.template} #{n.pk} ({n.language})": leaks for n in messages if (leaks := _message_leaks(n, user_data))}
    assert not problems, f"messages with text of another language than their recipient's: {problems}"


# --- The timeline: the system's words are deferred, never frozen in the writer's language --------


def _is_system_entry(event: TicketEvent) -> bool:
    """An entry the system writes (its words, if any, must be deferred): a status change, an
    assignment, a change of details, a notification, and the notes the parts and SLA services add."""
    data = event.data if isinstance(event.data, dict) else {}
    if event.kind in {EventKind.STATUS_CHANGED, EventKind.ASSIGNMENT, EventKind.FIELD_CHANGED, EventKind.NOTIFICATION}:
        return True
    return bool(data.get("parts") or data.get("sla") or data.get("work_order") or data.get("action"))


def test_system_events_carry_deferred_text(demo_world):
    """Every timeline entry the system wrote (demo, loaded in English, and a full process walk in
    English, whose people type Chinese) keeps its words as deferred text; an entry without it has
    only what a person typed as its body — Chinese here, so an English word there is a frozen
    system text, which the crawl above would have taken for user data."""
    events = list(TicketEvent.objects.all())
    system = [e for e in events if _is_system_entry(e)]
    deferred = [e for e in system if TEXT_KEY in e.data]
    # The walk and the demo reach every kind of system entry.
    actions = {str(e.data.get("action") or e.data.get("sla") or e.kind) for e in deferred}
    for expected in ("status_changed", "merged_from", "requisition_issued", "parts_used", "status.on_site", "warning", "breach"):
        assert any(expected in a for a in actions), f"no {expected} entry to check: {sorted(actions)}"
    assert any(e.data.get("work_order") for e in deferred)
    frozen = {}
    for event in system:
        if TEXT_KEY in event.data or not event.body:
            continue
        # A frozen sentence has lower-case words; capitals alone are codes people type (RO膜, LED).
        words = [
            w
            for w in WORD.findall(URL.sub(" ", event.body))
            if w.upper() not in ABBREVIATIONS and w not in ABBREVIATIONS and not w.isupper()
        ]
        if words:
            frozen[f"{event.kind} {event.data.get('action', '')} #{event.pk}"] = event.body[:120]
    assert not frozen, f"timeline entries with the system's words frozen in the writer's language: {frozen}"


def _more_system_steps(walk: Walk) -> None:
    """What the notification walk leaves out: parts for the field job, the SLA's warning and
    breach, the customer's survey answer (not solved: reopened), auto-close."""
    store = Warehouse.objects.create(code="i18n-store", name="华东中心库", kind=WarehouseKind.CENTRAL)
    part = Part.objects.create(number="I18N-001", name="排水泵", unit_cost=Decimal("50"), unit_price=Decimal("80"))
    parts_services.stock_receive(warehouse=store, lines=[(part, 5)], actor=_admin(), reference="PO-1")
    job = walk.job
    requisition = parts_services.requisition_request(work_order=job, warehouse=store, lines=[(part, 1)], actor=walk.tech)
    if requisition.status == "submitted":
        requisition = parts_services.requisition_decide(requisition=requisition, actor=_admin(), approve=True)
    parts_services.requisition_issue(requisition=requisition, actor=_admin())
    parts_services.parts_record_used(work_order=job, lines=[parts_services.UsedPartInput(part=part, quantity=1)], actor=walk.tech)
    # A running clock of the walk: warned, then breached and escalated.
    clock_row = (
        SlaClock.objects.filter(status=ClockStatus.RUNNING, warned_at__isnull=True, breached_at__isnull=True)
        .order_by("-pk")
        .first()
    )
    assert clock_row is not None
    assert sla_check_clock(clock_id=clock_row.pk, now=clock_row.warn_at + dt.timedelta(minutes=1)) == ["warned"]
    assert "breached" in sla_check_clock(clock_id=clock_row.pk, now=clock_row.escalate_at + dt.timedelta(minutes=1))


def _admin() -> User:
    return User.objects.filter(is_superuser=True).first() or UserFactory(
        role=Role.ADMINISTRATOR, is_superuser=True, is_staff=True
    )


# --- One entry, read in each language -----------------------------------------------------------------


def test_an_entry_written_in_chinese_reads_in_english_on_the_page_and_in_the_api(demo_world):
    handler = agent(language="zh-hans")
    ticket = make_ticket(actor=handler)
    with translation.override("zh-hans"):
        ticket_start_verification(ticket=ticket, actor=handler)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.STATUS_CHANGED)
    english, chinese = "Verification started.", event.body
    assert CJK.search(chinese) and event.data[TEXT_KEY] == {"m": english}

    page = Client()
    page.force_login(handler)
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = page.get(f"/tickets/{ticket.number}/").content.decode()
    assert english in html and chinese not in html
    page.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = page.get(f"/tickets/{ticket.number}/").content.decode()
    assert chinese in html and english not in html

    api = ApiClient(key_for(handler), language="en")
    timeline = api.get(f"/api/v1/tickets/{ticket.number}/timeline").json()
    (entry,) = [e for e in timeline if e["kind"] == "status_changed"]
    assert entry["body"] == english
    created = next(e for e in timeline if e["kind"] == "created")
    assert created["actor"] == str(handler)
    assert ApiClient(key_for(handler), language="zh-hans").get(f"/api/v1/tickets/{ticket.number}/timeline").json()[-1][
        "body"
    ] in {chinese, ""}
