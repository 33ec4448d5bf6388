"""Take the README's screenshots from a running demo (`make run`), with Debian's Chromium.

    .venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]

The demo's logins sign in (demo.builders.DEMO_LOGINS) and each page is captured full-page: desktop
pages at 1280 px, the technician's and the customer's at 375 px (phones). The ticket, work order
and portal pages are the demo's, found in the demo database the server uses (set DATABASE_URL or
AFTERSALES_VAR_DIR like the server's).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

import django  # noqa: E402

django.setup()

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from aftersales.demo.builders import DEMO_LOGINS  # noqa: E402
from aftersales.fieldservice.models import WorkOrder  # noqa: E402
from aftersales.remedies.models import RemedyDecision  # noqa: E402
from aftersales.sla.models import Calendar  # noqa: E402
from aftersales.tickets.models import Ticket  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# The 2026 notice as the State Council published it (the one the notice reader is tested on).
PASTE = {"calendar-notice": ("#id_notice", (ROOT / "tests" / "sla" / "notices" / "2026.txt").read_text(encoding="utf-8"))}
PASSWORDS = {login.username: login.password for login in DEMO_LOGINS}


def _sign_in(browser: Browser, url: str, username: str, *, width: int, height: int) -> Page:
    page = browser.new_page(base_url=url, viewport={"width": width, "height": height}, locale="zh-CN")
    page.goto("/accounts/login/")
    form = page.get_by_test_id("login-form")
    form.get_by_test_id("field-username").locator("input").fill(username)
    form.get_by_test_id("field-password").locator("input").fill(PASSWORDS[username])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("logout").wait_for(state="attached")
    return page


def _shot(page: Page, path: str, out: Path, name: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    if name in PASTE:  # a form shown filled in, with the preview htmx brings back
        page.locator(PASTE[name][0]).fill(PASTE[name][1])
        page.get_by_test_id("notice-result").wait_for()
        page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / f"{name}.png"), full_page=True)
    print(f"{name}.png  {path}")


def _demo_pages() -> list[tuple[str, str, int, Callable[[], str]]]:
    """(login, file name, width, path) — paths are looked up when taken."""

    def remedy_ticket() -> str:
        decision = RemedyDecision.objects.select_related("ticket").order_by("pk").first()
        ticket = decision.ticket if decision else Ticket.objects.order_by("-pk").first()
        assert ticket is not None, "the demo data is not loaded"
        return f"/tickets/{ticket.number}/"

    def work_order() -> str:
        order = WorkOrder.objects.filter(technician__username="technician").order_by("-pk").first()
        assert order is not None, "the demo has no work order for the technician"
        return f"/fieldservice/wo/{order.number}/"

    def portal_ticket() -> str:
        ticket = Ticket.objects.filter(customer__user__username="customer").order_by("-pk").first()
        assert ticket is not None, "the demo customer has no ticket"
        return f"/portal/tickets/{ticket.number}/"

    def calendar_notice() -> str:
        office = Calendar.objects.filter(is_24x7=False, uses_chinese_holidays=True).order_by("pk").first()
        assert office is not None, "no business calendar"
        return f"/sla/calendars/{office.pk}/2026/notice/"

    return [
        ("supervisor", "kpis", 1280, lambda: "/dashboard/kpis/"),
        ("supervisor", "management-dashboard", 1280, lambda: "/dashboard/management/"),
        ("quality", "quality-overview", 1280, lambda: "/quality/"),
        ("supervisor", "crisis-board", 1280, lambda: "/crisis/"),
        ("agent", "ticket-remedy", 1280, remedy_ticket),
        ("agent", "ticket-list", 1280, lambda: "/tickets/"),
        ("technician", "work-order-375", 375, work_order),
        ("technician", "travel-375", 375, lambda: "/travel/mine/"),
        ("finance", "finance-today", 1280, lambda: "/desk/today/"),
        ("customer", "portal-ticket-375", 375, portal_ticket),
        ("admin", "calendars", 1280, lambda: "/sla/calendars/"),
        ("admin", "calendar-notice", 1280, calendar_notice),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--only", nargs="*", help="file names to take (default: all)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    # The database is read before Playwright starts (its event loop makes the ORM refuse).
    wanted = [
        (username, name, width, path()) for username, name, width, path in _demo_pages() if not args.only or name in args.only
    ]
    with sync_playwright() as playwright:
        playwright.selectors.set_test_id_attribute("data-test-id")
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for username, name, width, address in wanted:
            page = _sign_in(browser, args.url, username, width=width, height=812 if width < 500 else 900)
            _shot(page, address, out, name)
            page.context.close()
        browser.close()


if __name__ == "__main__":
    main()
