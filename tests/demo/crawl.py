"""What the package's crawl uses: the first user of each role, the walk along the links a user's
pages show (GET only, a bounded number of pages in all and per URL pattern), and the check that a
page keeps to the Content-Security-Policy (issue 21, item 4; with tests/security/test_headers.py)."""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict, deque
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, resolve

from aftersales.accounts.models import Role, User


def first_user_of_each_role() -> dict[str, User]:
    """The first active user of each role the demo has, by role."""
    users = {}
    for role in Role.values:
        user = User.objects.filter(role=role, is_active=True).order_by("id").first()
        if user is not None:
            users[role] = user
    return users


def crawl(
    client: Client,
    user: User,
    read: Callable[[str, HttpResponse], list[str]],
    *,
    pages: int,
    per_route: int,
    skip: Callable[[str], bool],
) -> int:
    """Follow the links from the home page (and /admin/ for staff) as ``client``, signed in as
    ``user``: every local HTML page answered 200 is given to ``read(url, response)``, which returns
    the page's links. ``skip(path)`` leaves a URL out (logout, downloads…). Stops after ``pages``
    pages, and reads at most ``per_route`` pages of one URL pattern. Returns the pages read."""
    client.force_login(user)
    seen: set[str] = set()
    per: dict[str, int] = defaultdict(int)
    done = 0
    queue = deque(["/"] + (["/admin/"] if user.is_staff else []))
    while queue and done < pages:
        url = urldefrag(queue.popleft())[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/") or url in seen:
            continue
        seen.add(url)
        if skip(parts.path) or "/delete/" in parts.path:
            continue
        try:
            route = resolve(parts.path).route
        except Resolver404:
            continue
        if per[route] >= per_route:
            continue
        per[route] += 1
        response = client.get(url, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        done += 1
        queue.extend(read(url, response))
    return done


def _directive(name: str) -> list[str]:
    return settings.CONTENT_SECURITY_POLICY["DIRECTIVES"].get(name, [])


class _CspPage(HTMLParser):
    """What in a page the policy would block: an inline script without the nonce, an inline event
    handler whose hash the policy does not name, a style attribute, a <style> without the nonce,
    a javascript: link."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False
        self._script_attrs: dict[str, str | None] = {}
        self._hashes = set(settings.CSP_INLINE_HANDLER_HASHES)
        self._style_attrs = "'unsafe-inline'" in _directive("style-src-attr")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                digest = base64.b64encode(hashlib.sha256((value or "").encode()).digest()).decode()
                if f"'sha256-{digest}'" not in self._hashes:
                    self.problems.append(f"<{tag} {name}={value!r}>: inline event handler")
            elif name == "style" and not self._style_attrs:
                self.problems.append(f"<{tag} style={value!r}>: style attribute (style-src-attr)")
            elif name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}>: javascript: URL")
        if tag == "script":
            self._in_script = True
            self._script_attrs = values
        if tag == "style" and not values.get("nonce"):
            self.problems.append("<style> element without nonce")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            kind = (self._script_attrs.get("type") or "").lower()
            if kind not in {"application/json", "application/ld+json"} and not self._script_attrs.get("nonce"):
                self.problems.append(f"inline <script> without nonce: {data.strip()[:60]!r}")


def csp_problems(response: HttpResponse) -> list[str]:
    """What on a rendered page breaks the Content-Security-Policy, or its headers (the policy sent,
    the page not stored); empty when nothing does."""
    problems = []
    if "Content-Security-Policy" not in response:
        problems.append("no Content-Security-Policy header")
    if "no-store" not in response.get("Cache-Control", ""):
        problems.append("Cache-Control without no-store")
    parser = _CspPage()
    parser.feed(response.content.decode())
    return problems + sorted(set(parser.problems))[:5]
