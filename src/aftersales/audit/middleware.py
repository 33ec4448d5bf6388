from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

from . import context

# Answers that mean "you may not": recorded for signed-in users and API keys (issue 21).
REFUSED_STATUSES = frozenset({403, 404, 429})


class AuditContextMiddleware:
    """Remembers the client address and a request id for audit events written by services, and
    records refused access attempts of signed-in users and API keys: every 403, every 429, and a
    404 on a URL that addresses an object (a number or an id in the route), which is how a
    scoped read answers an object outside the caller's data scope."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        token = context.set_current(context.AuditContext(ip_address=request.META.get("REMOTE_ADDR"), request_id=request_id))
        try:
            response = self.get_response(request)
            if response.status_code in REFUSED_STATUSES:
                _record_refusal(request, response)
        finally:
            context.reset(token)
        response["X-Request-Id"] = request_id
        return response


def _acting_user(request: HttpRequest) -> tuple[Any, str]:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user, ""
    caller = getattr(request, "auth", None)  # the API's Caller (api/caller.py), for API keys
    caller_user = getattr(caller, "user", None)
    key = getattr(caller, "key", None)
    if caller_user is not None and getattr(caller_user, "pk", None):
        return caller_user, f"api_key:{key.prefix}" if key is not None else ""
    return None, ""


def _record_refusal(request: HttpRequest, response: HttpResponse) -> None:
    if getattr(request, "_refusal_recorded", False):  # the view recorded it with more detail
        return
    actor, label = _acting_user(request)
    if actor is None:
        return  # anonymous: sign-in throttling (django-axes) covers the doors without a user
    status = response.status_code
    match = getattr(request, "resolver_match", None)
    if status == 404 and (match is None or not match.kwargs):
        return  # a mistyped address, not an object refused
    from .audit_actions import AccessAudit
    from .services import audit_record_refusal

    detail: dict[str, Any] = {}
    if match is not None:
        detail["route"] = match.view_name or match.route
        detail["kwargs"] = {k: str(v)[:64] for k, v in match.kwargs.items()}
    audit_record_refusal(
        action=AccessAudit.THROTTLED if status == 429 else AccessAudit.REFUSED,
        actor=actor,
        actor_label=label,
        path=request.path,
        method=request.method or "GET",
        status=status,
        detail=detail,
    )
