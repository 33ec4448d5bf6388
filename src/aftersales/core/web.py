"""What every app's pages read from the request and set on the response, written once: the
signed-in user, the version a form posted for the optimistic lock, whether htmx asks for the
fragment of a page, the list's query without its page, and the headers of a page-or-fragment
answer and of a personal page.

Core imports no app: the user's type is django-stubs' alias of ``AUTH_USER_MODEL``, which the mypy
plugin resolves to ``accounts.User``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers

if TYPE_CHECKING:
    from django.contrib.auth.models import _User

Response = TypeVar("Response", bound=HttpResponseBase)


def request_user(request: HttpRequest) -> _User:
    """The signed-in user, typed as the project's user. For views behind a login decorator
    (``staff_required``): it checks nothing itself."""
    return cast("_User", request.user)


def posted_version(request: HttpRequest, *, field: str = "expected_version") -> int | None:
    """The version of the object the form was drawn from, posted in ``field`` (a hidden input);
    ``None`` when it is missing or not a whole number, and the service then skips the check."""
    raw = request.POST.get(field, "")
    return int(raw) if raw.isdigit() else None


def is_fragment_request(request: HttpRequest) -> bool:
    """An htmx request (``HX-Request``; a boosted link sends it too) that wants the fragment of
    the page; a history restore wants the whole page."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def query_without_page(request: HttpRequest) -> str:
    """The request's query string less its ``page``: a list's pager links keep the filters and
    add their own page."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def render_htmx(request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200) -> HttpResponse:
    """``render`` with ``Vary: HX-Request``: the same URL answers with a page or a fragment, and
    caches must keep them apart."""
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def private_no_store(response: Response) -> Response:
    """``response`` with ``Cache-Control: private, no-store``: a page (or a file) of personal data
    is kept by no cache, not even the browser's (shared computers, the back button after
    sign-out)."""
    patch_cache_control(response, private=True, no_store=True)
    return response
