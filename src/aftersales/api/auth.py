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
from aftersales.core.errors import PermissionDenied

from .caller import Caller
from .models import KeyKind
from .problems import ApiProblem
from .ratelimit import check_rate_limit
from .services import KeyCheck, KeyRefusal, api_key_check


def _refusal_message(check: KeyCheck) -> Any:
    """What a refused key's holder is told: a device signed out or expired signs in again; an
    integration asks an administrator; any other key hears nothing about why."""
    sign_in = check.stored is not None and check.stored.kind == KeyKind.SIGN_IN
    if check.refusal == KeyRefusal.EXPIRED:
        if sign_in:
            return _("The sign-in on this device has expired: sign in again.")
        return _("The API key has expired: ask an administrator for a new key.")
    if check.refusal == KeyRefusal.REVOKED:
        if sign_in:
            return _(
                "This device was signed out (by the customer, or by a newer sign-in past the limit of devices): sign in again."
            )
        return _("The API key was revoked: ask an administrator for a new key.")
    return _("The API key is not valid or was revoked.")


class ApiKeyAuth(HttpBearer):
    """``Authorization: Bearer <key>``. A wrong, revoked or expired key is a 401, never a
    fall-back; its ``code`` says which (``api_key_revoked``, ``api_key_expired``, else
    ``invalid_api_key``)."""

    def authenticate(self, request: HttpRequest, token: str) -> Caller | None:
        check = api_key_check(raw_key=token)
        key = check.key
        if key is None:
            raise ApiProblem(
                401,
                _refusal_message(check),
                code=str(check.refusal or KeyRefusal.INVALID),
                headers={"WWW-Authenticate": 'Bearer realm="aftersales", error="invalid_token"'},
            )
        caller = Caller.from_key(key)
        check_rate_limit(caller, request=request)
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
        check_rate_limit(caller, request=request)
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


def customer_caller_of(request: HttpRequest, scope: str | None = None, *, refusal: str = "") -> Caller:
    """``caller_of`` for an operation a customer's own key or session makes (answering a plan,
    confirming a quote, their units): anyone else gets 403 ``customer_only`` with ``refusal`` (or
    the general sentence), which may say what staff use instead."""
    caller = caller_of(request, scope)
    if not caller.user.is_customer or caller.user.is_superuser:
        raise PermissionDenied(refusal or _("Only a customer's own key or session may use this."), code="customer_only")
    return caller
