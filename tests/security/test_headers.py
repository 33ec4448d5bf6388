"""Issue 21, item 4: Cache-Control no-store on personal data (pages of signed-in users and the
API), a Content-Security-Policy without inline code, a Permissions-Policy — and every page of the
demo crawl keeps to the policy (no inline script without a nonce, no inline event handler whose
hash the policy does not name, no style attribute, no javascript: link)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections import defaultdict, deque
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urldefrag, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from aftersales.accounts.models import DataScope, Role, User
from tests.factories import UserFactory

PAGES_PER_ROLE = 30
PAGES_PER_ROUTE = 1
SKIP_PREFIXES = ("/accounts/logout", "/static/", "/media/", "/i18n/")


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


@pytest.mark.django_db
def test_a_signed_in_page_and_the_api_are_not_stored_and_carry_the_policies():
    user = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    client = Client()
    client.force_login(user)
    for response in (client.get(reverse("tickets:list")), client.get("/api/v1/tickets")):
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"]
        assert "private" in response["Cache-Control"]
        policy = _csp(response)
        assert policy["default-src"] == ["'self'"]
        assert "'unsafe-inline'" not in policy["script-src"]
        assert "'unsafe-eval'" not in policy["script-src"]
        assert policy["style-src"] == ["'self'"]
        assert policy["style-src-elem"] == ["'self'"]  # no <style> blocks, no foreign sheets
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "geolocation=(self)" in response["Permissions-Policy"]
        assert "microphone=()" in response["Permissions-Policy"]
    # An API error (anonymous 401) holds no personal data but is not stored either.
    assert "no-store" in Client().get("/api/v1/tickets")["Cache-Control"]


@pytest.mark.django_db
def test_the_public_sign_in_page_has_the_policies_and_static_files_stay_cacheable():
    response = Client().get(reverse("accounts:login"))
    assert "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


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
    client = Client()
    client.force_login(user)
    seen: set[str] = set()
    per_route: dict[str, int] = defaultdict(int)
    problems: dict[str, list[str]] = {}
    pages = 0
    queue = deque(["/"] + (["/admin/"] if user.is_staff else []))
    while queue and pages < PAGES_PER_ROLE:
        url = urldefrag(queue.popleft())[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url in seen:
            continue
        seen.add(url)
        if url.startswith(SKIP_PREFIXES) or "/delete/" in parts.path:
            continue
        try:
            route = resolve(parts.path).route
        except Resolver404:
            continue
        if per_route[route] >= PAGES_PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        assert "Content-Security-Policy" in response, url
        assert "no-store" in response.get("Cache-Control", ""), url
        parser = _Page()
        parser.feed(response.content.decode())
        if parser.problems:
            problems[url] = sorted(set(parser.problems))[:5]
        queue.extend(parser.links)
    return problems, pages


@pytest.fixture(scope="module")
def demo_users(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_data", stdout=StringIO(), stderr=StringIO())
        users = {}
        for role in Role.values:
            user = User.objects.filter(role=role, is_active=True).order_by("id").first()
            if user is not None:
                users[role] = user
        yield users
        transaction.set_rollback(True)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role.values))
def test_no_page_of_the_demo_crawl_risks_a_csp_violation(demo_users, role):
    if role not in demo_users:
        pytest.skip(f"the demo has no {role}")
    problems, pages = _crawl(demo_users[role])
    assert pages >= 2, f"the crawler reached almost nothing as {role}"
    assert not problems, f"{role}: pages that the Content-Security-Policy would break: {problems}"


def test_the_policy_names_each_allowed_inline_handler_by_hash():
    policy = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["script-src"]
    for digest in settings.CSP_INLINE_HANDLER_HASHES:
        assert re.fullmatch(r"'sha256-[A-Za-z0-9+/=]{44}'", digest)
        assert digest in policy
        assert "'unsafe-hashes'" in policy
    if not settings.CSP_INLINE_HANDLER_HASHES:  # none left: no inline handler may run at all
        assert "'unsafe-hashes'" not in policy and not any(source.startswith("'sha256-") for source in policy)
