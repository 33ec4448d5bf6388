"""What the package's crawls share: the first user of each role, and the walk along the links a
user's pages show (GET only, a bounded number of pages in all and per URL pattern)."""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable
from urllib.parse import urldefrag, urlsplit

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
