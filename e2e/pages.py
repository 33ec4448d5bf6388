"""Page objects for the agent's journeys; they select by data-test-id only."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


class LoginPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> LoginPage:
        self.page.goto("/accounts/login/")
        return self

    def sign_in_home(self, username: str, password: str) -> Page:
        """Sign in; the role's home page opens (desk: workbench, today's jobs, warehouse, team)."""
        form = self.page.get_by_test_id("login-form")
        form.get_by_test_id("field-username").locator("input").fill(username)
        form.get_by_test_id("field-password").locator("input").fill(password)
        self.page.get_by_test_id("login-submit").click()
        expect(self.page.get_by_test_id("logout")).to_be_attached()
        return self.page

    def sign_in(self, username: str, password: str) -> TicketListPage:
        """Sign in and open the ticket list."""
        self.sign_in_home(username, password)
        self.page.goto("/tickets/")
        expect(self.page.get_by_test_id("ticket-filters")).to_be_visible()
        return TicketListPage(self.page)


class IntakePage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> IntakePage:
        self.page.get_by_test_id("nav-intake").click()
        expect(self.page.get_by_test_id("intake-form")).to_be_visible()
        return self

    def field(self, name: str) -> Locator:
        return self.page.get_by_test_id(f"field-{name}").locator("input, select, textarea").first

    def enter_phone(self, phone: str) -> Locator:
        """Type the caller's number; returns the lookup's answer once htmx has shown it."""
        self.field("phone").press_sequentially(phone)
        lookup = self.page.get_by_test_id("customer-lookup")
        expect(lookup.locator("[data-test-id^='customer-']").first).to_be_visible()
        return lookup

    def enter_serial(self, serial: str) -> Locator:
        """Type the serial number; returns the unit lookup once the warranty status is shown."""
        self.field("serial_number").fill(serial)
        self.field("serial_number").blur()
        lookup = self.page.get_by_test_id("unit-lookup")
        expect(lookup.get_by_test_id("warranty-state")).to_be_visible()
        return lookup

    def enter_when(self, day: str, time: str = "", *, about: bool = False) -> None:
        """The date it happened (YYYY-MM-DD), the time if known, "about then" if approximate."""
        self.field("occurred_on").fill(day)
        if time:
            self.field("occurred_time").fill(time)
        if about:
            self.page.locator("input[name=occurred_certainty][value=about]").check()

    def when_unknown(self) -> None:
        """ "Unknown — the customer doesn't remember", said outright."""
        self.page.locator("input[name=occurred_certainty][value=unknown]").check()

    def enter_place(self, city: str, address: str, province: str = "") -> None:
        if province:
            self.field("province").fill(province)
        self.field("city").fill(city)
        self.field("address").fill(address)

    def submit(self) -> str:
        """Register the ticket; returns the number the agent reads out to the customer."""
        self.page.get_by_test_id("intake-submit").click()
        number = self.page.get_by_test_id("ticket-number")
        expect(number).to_be_visible()
        return number.inner_text().strip()


class TicketListPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self) -> TicketListPage:
        self.page.get_by_test_id("nav-tickets").click()
        expect(self.page.get_by_test_id("ticket-filters")).to_be_visible()
        return self

    def search(self, text: str) -> None:
        search = self.page.get_by_test_id("ticket-filters").locator("input[name=q]")
        search.fill(text)
        search.press("Enter")

    def row(self, number: str) -> Locator:
        return self.page.locator(f"[data-test-id='ticket-row'][data-number='{number}']")

    def open_ticket(self, number: str) -> TicketDetailPage:
        self.row(number).get_by_test_id("ticket-link").click()
        expect(self.page.get_by_test_id("ticket-detail")).to_be_visible()
        return TicketDetailPage(self.page)


class TicketDetailPage:
    def __init__(self, page: Page) -> None:
        self.page = page

    @property
    def number(self) -> str:
        return self.page.get_by_test_id("detail-number").inner_text().strip()

    @property
    def serial(self) -> str:
        return self.page.get_by_test_id("detail-serial").inner_text().strip()


class TicketProcessPage:
    """The detail page's actions panel: each step is a small form in ``action-<name>``."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def open(self, number: str) -> TicketProcessPage:
        self.page.goto(f"/tickets/{number}/")
        expect(self.page.get_by_test_id("ticket-detail")).to_be_visible()
        return self

    @property
    def status(self) -> Locator:
        return self.page.get_by_test_id("detail-status")

    def action(self, name: str) -> Locator:
        box = self.page.get_by_test_id(f"action-{name}")
        if box.get_attribute("open") is None:
            box.get_by_test_id(f"action-{name}-open").click()
        return box

    @staticmethod
    def field(scope: Locator, name: str) -> Locator:
        return scope.get_by_test_id(f"field-{name}").locator("input, select, textarea").first

    def fill(self, scope: Locator, values: dict[str, str]) -> None:
        for name, value in values.items():
            control = self.field(scope, name)
            if control.evaluate("el => el.tagName") == "SELECT":
                control.select_option(value)
            else:
                control.fill(value)

    def perform(self, name: str, values: dict[str, str] | None = None, *, button: str = "submit") -> None:
        """Fill and send one action's form; returns once htmx has swapped in the changed ticket."""
        box = self.action(name)
        self.fill(box, values or {})
        version = self.page.get_by_test_id("ticket-detail").get_attribute("data-version") or ""
        box.get_by_test_id(f"action-{name}-{button}").click()
        expect(self.page.get_by_test_id("ticket-detail")).not_to_have_attribute("data-version", version)
        expect(self.page.get_by_test_id("action-done")).to_be_visible()
