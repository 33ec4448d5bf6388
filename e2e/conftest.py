"""Browser journeys: Debian's chromium driven by Playwright against pytest-django's live server.

Never `playwright install`: the browser is the distribution's /usr/bin/chromium.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# (factories) are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
# The default rows the data migrations write (regions' provinces, crisis levels and safety words,
# the remedies policy, revisit policies, calendars and service levels, ticket categories), by
# migration module and forward function, in dependency order.
REFERENCE_MIGRATIONS = (
    ("aftersales.accounts.migrations.0003_regionarea_from_provinces", "forwards"),
    ("aftersales.crisis.migrations.0002_defaults", "forwards"),
    ("aftersales.crisis.migrations.0006_safety_words_triage", "forwards"),
    ("aftersales.remedies.migrations.0002_default_policy", "create_default"),
    ("aftersales.revisits.migrations.0002_default_policies", "add_defaults"),
    ("aftersales.sla.migrations.0002_default_policies", "add_defaults"),
    ("aftersales.tickets.migrations.0002_default_categories", "add_categories"),
    ("aftersales.tickets.migrations.0015_logistics_category", "add_logistics"),
)
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _no_triage_unless_asked(settings):  # type: ignore[no-untyped-def]
    """The journeys are not about the triage: with the tests' task backend its job never runs,
    and its panel would poll every few seconds — a poll in flight when a test clears the cookies
    to sign in as someone else can set a new CSRF cookie under the login form. The triage's own
    journey (test_triage.py) turns it on."""
    settings.TRIAGE_ENABLED = False


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        playwright.selectors.set_test_id_attribute("data-test-id")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def new_page(browser, live_server, *, width: int = 1280, height: int = 860):  # type: ignore[no-untyped-def]
    """A fresh browser context (own cookies) in Chinese, pointed at the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": width, "height": height},
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser, live_server, transactional_db):  # type: ignore[no-untyped-def]
    page = new_page(browser, live_server)
    yield page
    page.context.close()


@pytest.fixture
def phone_page(browser, live_server, transactional_db):  # type: ignore[no-untyped-def]
    page = new_page(browser, live_server, width=375, height=812)
    yield page
    page.context.close()


@pytest.fixture
def reference_rows(transactional_db):  # type: ignore[no-untyped-def]
    """The data migrations' default rows, written again when an earlier test's flush removed them.

    pytest-django runs the tests on ``transactional_db`` (every browser test) after the others,
    each ending with a flush of every table, so a browser test finds an empty database unless it
    was the first. A test that needs the defaults (the demo, a page of the service levels) asks
    for this fixture; the forward functions are idempotent (``get_or_create``) and run with the
    current models."""
    from django.apps import apps
    from django.db import connection

    from aftersales.tickets.models import TicketCategory

    if TicketCategory.objects.exists():
        return
    with connection.schema_editor(atomic=True) as editor:
        for module, function in REFERENCE_MIGRATIONS:
            getattr(importlib.import_module(module), function)(apps, editor)
