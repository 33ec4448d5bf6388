"""The API's edge (``urls.py``): what every answer under ``/api/v1/`` has in common, also where
no operation answers.

- A path no operation has is a ``404 not_found`` problem, and a method the path does not take a
  ``405 method_not_allowed`` problem with ``Allow`` — never Django's HTML pages (docs/api.md,
  "Errors": every error is an RFC 9457 problem).
- Every answer to a call whose credentials were counted carries the rate-limit headers
  (``ratelimit.add_rate_limit_headers``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .problems import PROBLEM_CONTENT_TYPE, problem_response
from .ratelimit import add_rate_limit_headers

View = Callable[..., HttpResponseBase]


def not_found(request: HttpRequest) -> HttpResponseBase:
    return problem_response(
        status=404,
        code="not_found",
        detail=gettext("No operation of the API has the path %(path)s: see /api/v1/docs.") % {"path": request.path},
    )


def unknown_path(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
    """Any path under ``/api/v1/`` that no operation has (after every operation's pattern)."""
    return not_found(request)


unknown_path.csrf_exempt = True  # type: ignore[attr-defined]  # an answer, never a form


def _method_not_allowed(request: HttpRequest, refused: HttpResponseBase) -> HttpResponseBase:
    allowed = refused.get("Allow", "")
    response = problem_response(
        status=405,
        code="method_not_allowed",
        detail=_("This path does not take %(method)s; it takes: %(allowed)s.")
        % {"method": request.method, "allowed": allowed or "—"},
    )
    if allowed:
        response["Allow"] = allowed
    return response


def at_the_edge(view: View) -> View:
    """``view`` with the edge's rules: its HTML refusals (405, a 404 raised outside the
    operations) as problems, and the rate-limit headers on whatever it answers."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # the API's root (django-ninja's "home"), not an operation
            response = not_found(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(PROBLEM_CONTENT_TYPE):
            response = _method_not_allowed(request, response)
        return add_rate_limit_headers(request, response)

    return wrapper


def edged(patterns: Sequence[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    """The API's URL patterns, each view wrapped by ``at_the_edge`` (names and paths kept)."""
    result: list[URLPattern | URLResolver] = []
    for item in patterns:
        if isinstance(item, URLPattern):
            result.append(URLPattern(item.pattern, at_the_edge(item.callback), item.default_args, item.name))
        else:
            result.append(item)
    return result
