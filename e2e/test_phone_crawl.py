"""Every page a technician and a customer reach, on a phone (375×812), in Chinese and in English:
none scrolls sideways (docs/home-pages.md, "The staff pages on a phone").

The demo set (``manage.py demo_data``, loaded as ``tests/demo`` loads it) goes into the live
server's database, and the texts these two people read are then stretched to the lengths real
records reach (``_stretch``): a long e-mail and street address, serial numbers and references
without a place to break. For the demo's technician and its customer, in each language, the crawl
of ``tests/demo/crawl.py`` follows the links from the home page (GET only, a bounded number of
pages in all and per URL pattern; no downloads, sign-out, language switch or admin) while the
browser, signed in as the same person through the login form, opens each page it reaches, waits
for the panels htmx loads with it, and checks the document's width with ``test_phone_fit``'s
``assert_fits`` — as loaded, and again with every ``<details>`` (the forms) open. A failure names
the URL, the elements that stick out (``OVERFLOW_PROBE``) and the runs of text that do
(``TEXT_PROBE``: a long token overflows its box without widening any element). The links followed
are the browser's: those of the page with its panels.

One test, not one per person and language: the demo takes about half a minute to load and every
transactional test empties the database after it. Its failure lists every page that overflows.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.db.models.functions import Concat, Left
from django.http import HttpResponse
from django.test import Client
from django.utils import translation
from playwright.sync_api import Page, Response
from tests.demo.crawl import crawl

from aftersales.accounts.models import User
from aftersales.customers.models import Address, Customer
from aftersales.demo.builders import DEMO_LOGINS, PORTAL_USERNAME
from aftersales.fieldservice.models import WorkOrder
from aftersales.knowledge.models import Article
from aftersales.notifications.models import Notification
from aftersales.parts.models import Part, Warehouse
from aftersales.tickets.models import Ticket
from aftersales.travel.models import CashAdvance, Reimbursement

from .conftest import new_page
from .pages import LoginPage
from .test_phone_fit import LONG_ADDRESS, LONG_EMAIL, WIDTH, assert_fits

pytestmark = pytest.mark.browser

LANGUAGES = ["zh-hans", "en"]
# Whom the crawl signs in as, and pages of each kind it must reach (by the start of their path):
# a walk that stops early would check little and still pass.
PEOPLE = {
    "technician": ("/desk/", "/fieldservice/my/", "/fieldservice/wo/", "/parts/van/", "/parts/work-orders/", "/travel/advances/"),
    PORTAL_USERNAME: ("/portal/", "/portal/tickets/", "/portal/knowledge/", "/portal/messages/"),
}
PAGES_PER_PERSON = 150
PAGES_PER_ROUTE = 8
SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/accounts/logout", "/i18n/", "/health", "/admin/")
SKIP_SUFFIXES = (".pdf", ".xlsx", ".csv", ".png", ".jpg", ".json", "/download/", "/document/")
# A serial number or reference with no place to break a line.
LONG_CODE = "SN6F2H0001234567890123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# The same-site links of the page as the browser has it (its htmx panels loaded), as paths with
# their query; relative links ("?day=…") resolved against the page.
LINKS = """
() => [...document.querySelectorAll('a[href]')]
  .map(a => new URL(a.getAttribute('href'), document.baseURI))
  .filter(u => u.origin === location.origin)
  .map(u => u.pathname + u.search)
"""
# The panels a page loads with it (hx-trigger="load") are in flight until htmx has swapped them.
PANELS_SETTLED = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
# What the element probe (``OVERFLOW_PROBE``) cannot see: a run of text wider than its box (a long
# token in a block of the page's width), named by its element's path; text inside a box that
# scrolls or clips (the header's links, a table's box) is not counted.
TEXT_PROBE = """
(width) => {
  const clipped = el => {
    for (let box = el; box && box !== document.body; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') return true;
    }
    return false;
  };
  const name = el => el.tagName.toLowerCase() + [...el.classList].map(c => '.' + c).join('')
    + (el.dataset.testId ? `[${el.dataset.testId}]` : '');
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node && found.length < 6; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const right = range.getBoundingClientRect().right;
    if (right <= width + 0.5 || clipped(node.parentElement)) continue;
    const path = [];
    for (let el = node.parentElement; el && el !== document.body && path.length < 3; el = el.parentElement) path.unshift(name(el));
    found.push(`${path.join(' > ')} right=${Math.round(right)} "${node.textContent.trim().slice(0, 24)}"`);
  }
  return found;
}
"""
OPEN_DETAILS = "document.querySelectorAll('details').forEach(d => { d.open = true; })"


def _stretch() -> None:
    """The texts the technician and the customer read, as long as real records make them: a text
    replaced (``str``) or with a code without breaks added at its end (``...``), each cut to
    its column's length."""
    plan: dict[type[models.Model], dict[str, object]] = {
        Ticket: {
            "title": ...,
            "description": ...,
            "contact_email": LONG_EMAIL,
            "address": LONG_ADDRESS,
            "reported_serial": LONG_CODE,
        },
        WorkOrder: {"address": LONG_ADDRESS, "description": ..., "site_requirements": LONG_CODE},
        Customer: {"email": LONG_EMAIL},
        Address: {"detail": LONG_ADDRESS},
        Part: {"name": ...},
        Warehouse: {"name": ...},
        CashAdvance: {"purpose": ..., "payment_reference": LONG_CODE},
        Reimbursement: {"payout_reference": LONG_CODE},
        Article: {"title": ...},
        Notification: {"subject": ...},
    }
    for model, fields in plan.items():
        changes = {}
        for name, value in fields.items():
            field = model._meta.get_field(name)
            text = Concat(models.F(name), models.Value(LONG_CODE)) if value is ... else models.Value(value)
            length = getattr(field, "max_length", None)
            changes[name] = Left(text, length) if length else text
        model._default_manager.update(**changes)


def _skip(path: str) -> bool:
    return path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES)


def _phone(browser, live_server, username: str, language: str) -> Page:  # type: ignore[no-untyped-def]
    """A phone signed in as the demo login ``username`` through the login form."""
    password = next(login.password for login in DEMO_LOGINS if login.username == username)
    page = new_page(browser, live_server, width=WIDTH, height=812)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    LoginPage(page).open().sign_in_home(username, password)
    return page


def _walk(page: Page, user: User, language: str) -> tuple[list[str], dict[str, str]]:
    """The pages ``user`` reaches in ``language``; and, by URL, why each that overflows fails
    (or a panel htmx loads for it answered with an error: the page shows it never loaded)."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    visited: list[str] = []
    overflows: dict[str, str] = {}
    current = [""]

    def failed_panel(response: Response) -> None:
        if response.status >= 400 and response.request.headers.get("hx-request"):
            overflows[f"{current[0]} htmx"] = f"{current[0]}: its panel {response.url} answered {response.status}"

    page.on("response", failed_panel)

    def read(url: str, response: HttpResponse) -> list[str]:
        current[0] = url
        page.goto(url)
        page.wait_for_function(PANELS_SETTLED)
        visited.append(url)
        try:
            assert_fits(page, url)
            page.evaluate(OPEN_DETAILS)
            assert_fits(page, f"{url} (every <details> open)")
        except AssertionError as failure:
            overflows[url] = f"{str(failure).splitlines()[0]}; text sticking out: {page.evaluate(TEXT_PROBE, WIDTH)}"
        return page.evaluate(LINKS)

    crawl(client, user, read, pages=PAGES_PER_PERSON, per_route=PAGES_PER_ROUTE, skip=_skip)
    return visited, overflows


def test_every_page_the_technician_and_the_customer_reach_fits_a_phone(browser, live_server, reference_rows):
    with translation.override("en"):
        call_command("demo_data", "--no-logins", stdout=StringIO(), stderr=StringIO())
    _stretch()
    problems: list[str] = []
    missed: dict[str, list[str]] = {}
    for username, expected in PEOPLE.items():
        user = User.objects.get(username=username)
        for language in LANGUAGES:
            page = _phone(browser, live_server, username, language)
            try:
                visited, overflows = _walk(page, user, language)
            finally:
                page.context.close()
            if left_out := [start for start in expected if not any(url.startswith(start) for url in visited)]:
                missed[f"{username} ({language})"] = left_out
            problems += [f"{username} ({language}): {failure}" for failure in overflows.values()]
    assert not missed, f"the crawl reached no page of these kinds: {missed}"
    assert not problems, f"{len(problems)} page(s) at {WIDTH}px scroll sideways or lost a panel:\n" + "\n".join(problems)
