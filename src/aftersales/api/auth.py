"""Authentication of API calls: an API key (``Authorization: Bearer ask_…``) or the session.

Both resolve to a ``Caller``; the rate limit is counted here, once per request.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie
from ninja.utils import check_csrf

from aftersales.accounts.two_factor import session_needs_second_factor

from .caller import Caller
from .problems import ApiProblem
from .ratelimit import check_rate_limit
from .services import api_key_authenticate


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``. A wrong or revoked key is a 401, never a fall-back."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        key = api_key_authenticate(raw_key=token)
        if key is None:
            raise ApiProblem(
                401,
                _("The API key is not valid or was revoked."),
                code="invalid_api_key",
                headers={"WWW-Authenticate": 'Bearer realm="aftersales", error="invalid_token"'},
            )
        caller = Caller.from_key(key)
        check_rate_limit(caller)
        return caller


class SessionCsrfAuth(APIKeyCookie):
    """The signed-in user of the web pages; unsafe methods need the CSRF token (X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        # csrf=True tells the docs page to send the token; the check itself is in authenticate(),
        # only for signed-in users (a request with no session falls through to a clean 401).
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if session_needs_second_factor(request):  # signed in with the password, the code still due
            return None
        if check_csrf(request) is not None:
            raise ApiProblem(403, _("The CSRF token is missing or wrong; send it as X-CSRFToken."), code="csrf_failed")
        caller = Caller.from_session(user)
        check_rate_limit(caller)
        return caller


api_key_auth = ApiKeyAuth()
session_auth = SessionCsrfAuth()
AUTH = [api_key_auth, session_auth]


def caller_of(request: HttpRequest, scope: str | None = None) -> Caller:
    """The authenticated caller, after checking it holds ``scope``."""
    caller: Caller = request.auth  # type: ignore[attr-defined]
    if scope is not None:
        caller.require(scope)
    return caller
