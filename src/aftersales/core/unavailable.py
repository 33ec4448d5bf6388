"""Answers while the database is down: 503 Service Unavailable with ``Retry-After``, not 500.

A request that meets a database outage (a restart, a failover, a network cut) is not a bug of
ours and not the client's fault: it should be tried again shortly, and say so. Django turns an
exception raised anywhere — a view or a middleware that reads the session — into a call of
``handler500``; ``server_error`` (installed in ``urls.py``) looks at that exception and answers
503 with ``Retry-After`` for a database outage, the usual 500 page otherwise. The page needs no
database (no user, no session, no context processor). The API's own handler does the same for
its operations (``api/problems.py``).
"""

from __future__ import annotations

import json
import sys

from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

from .outage import DATABASE_DOWN

RETRY_AFTER_SECONDS = 30


def database_is_down(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) is the database being unavailable."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DATABASE_DOWN):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable_response(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        body = {
            "type": "urn:aftersales:problem:database_unavailable",
            "title": _("Service unavailable"),
            "status": 503,
            "code": "database_unavailable",
            "detail": _("The service is briefly unavailable; nothing was changed. Try again in a moment."),
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False), status=503, content_type="application/problem+json; charset=utf-8"
        )
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """``handler500``: 503 + Retry-After for a database outage, else Django's 500 page."""
    if database_is_down(sys.exc_info()[1]):
        return unavailable_response(request)
    return django_server_error(request, template_name=template_name)
