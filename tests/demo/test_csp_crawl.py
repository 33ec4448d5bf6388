"""Issue 21, item 4 (with tests/security/test_headers.py): every page of the demo crawl keeps to the
Content-Security-Policy — no inline script without a nonce, no inline event handler whose hash the
policy does not name, no style attribute, no javascript: link — and is not stored.

The crawl runs over the demo set that this package loads once (``conftest.demo_output``): the
same ``manage.py demo_data`` the crawl used to load on its own, without a second load. Each
test's own writes are rolled back with its savepoint, as for the package's other tests."""

from __future__ import annotations

import base64
import hashlib
import uuid
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client

from aftersales.accounts.models import Role, User
from tests.demo.crawl import crawl, first_user_of_each_role

PAGES_PER_ROLE = 30
PAGES_PER_ROUTE = 1
SKIP_PREFIXES = ("/accounts/logout", "/static/", "/media/", "/i18n/")

# What the crawl asserts (scripts, styles, links and headers of the rendered pages) comes from the
# templates, not from the database (and test_one_language.py crawls every page on both):
# run once, in the SQLite pass of `make test` when both passes run (docs/decisions/0011).
pytestmark = pytest.mark.sqlite_pass


@pytest.fixture(autouse=True)
def _own_cache(settings):  # type: ignore[no-untyped-def]
    """As in tests/security: throttle counters live in the cache, and each test gets a fresh
    local one (never a flush of a Redis shared with other runs)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"csp-crawl-{uuid.uuid4().hex}"}
    }


def _directive(name: str) -> list[str]:
    return settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get(name, [])


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.problems: list[str] = []
        self._in_script = False
        self._script_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        allowed_hashes = set(settings.CSP_INLINE_HANDLER_HASHES)
        for name, value in attrs:
            if name.startswith("on"):
                digest = base64.b64encode(hashlib.sha256((value or "").encode()).digest()).decode()
                if f"'sha256-{digest}'" not in allowed_hashes:
                    self.problems.append(f"<{tag} {name}={value!r}>: inline event handler")
            elif name == "style" and "'unsafe-inline'" not in _directive("style-src-attr"):
                self.problems.append(f"<{tag} style={value!r}>: style attribute (style-src-attr)")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>: javascript: URL")
        if tag == "script":
            self._in_script = True
            self._script_attrs = values
        if tag == "style" and not values.get("nonce"):
            self.problems.append("<style> element without nonce")
        if tag == "a" and values.get("href"):
            self.links.append(values["href"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            kind = (self._script_attrs.get("type") or "").lower()
            if kind not in {"application/json", "application/ld+json"} and not self._script_attrs.get("nonce"):
                self.problems.append(f"inline <script> without nonce: {data.strip()[:60]!r}")


def _crawl(user: User) -> tuple[dict[str, list[str]], int]:
    """The pages ``user`` reaches that break the policy (with what breaks it), and how many were read."""
    problems: dict[str, list[str]] = {}

    def read(url: str, response: HttpResponse) -> list[str]:
        assert "Content-Security-Policy" in response, url
        assert "no-store" in response.get("Cache-Control", ""), url
        parser = _Page()
        parser.feed(response.content.decode())
        if parser.problems:
            problems[url] = sorted(set(parser.problems))[:5]
        return parser.links

    pages = crawl(
        Client(), user, read, pages=PAGES_PER_ROLE, per_route=PAGES_PER_ROUTE, skip=lambda path: path.startswith(SKIP_PREFIXES)
    )
    return problems, pages


@pytest.fixture
def demo_users(demo_output):  # type: ignore[no-untyped-def]
    """The first active user of each role of the demo set."""
    return first_user_of_each_role()


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role.values))
def test_no_page_of_the_demo_crawl_risks_a_csp_violation(demo_users, role):
    if role not in demo_users:
        pytest.skip(f"the demo has no {role}")
    problems, pages = _crawl(demo_users[role])
    assert pages >= 2, f"the crawler reached almost nothing as {role}"
    assert not problems, f"{role}: pages that the Content-Security-Policy would break: {problems}"
