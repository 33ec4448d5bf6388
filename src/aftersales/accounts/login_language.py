"""The language at sign-in: the person's own, or the one they chose on the way in.

Pages follow the language cookie (the language switch sets it; Django keeps no language in the
session). At sign-in (``user_logged_in``: the password page, the SMS code, a sign-up, an
invitation):

- a person who chose a language while signed out, in this browser session and within
  ``CHOSEN_WITHIN`` (the switch on the login page, just now), keeps it, and it becomes **theirs**:
  ``LANGUAGE_CHOSEN_AT_SIGN_IN`` stores it as the language of their messages, as the switch does
  for a signed-in person (``notifications.services.recipient_set_language``: ``User.language``
  and a customer's record);
- otherwise their stored language (``stored_language``: a customer's record's, else
  ``User.language``) becomes the browser's: a new phone or a shared computer shows their pages
  in their language at once.

``SignInLanguageMiddleware`` does the two halves that need the response: it notes a signed-out
choice (a response that sets the language cookie for a visitor not signed in) in the session,
and after a sign-in it sets the cookie to the language decided here. It belongs after
``SessionMiddleware`` in ``settings.MIDDLEWARE``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from aftersales.core.hooks import hook
from aftersales.core.link_language import supported_language

# The session's note of a language chosen while signed out: {"language": "en", "at": epoch seconds}.
SESSION_KEY = "aftersales.language_chosen_signed_out"
CHOSEN_WITHIN = 60 * 60  # seconds: a choice older than this is not "on the way in"
# The request's note of the language to set as the cookie on the sign-in's response.
REQUEST_ATTRIBUTE = "_aftersales_sign_in_language"

# A person chose a language just before signing in: store it as theirs. kwargs: user, language.
LANGUAGE_CHOSEN_AT_SIGN_IN = hook(
    "language_chosen_at_sign_in",
    "aftersales.notifications.services.recipient_set_language",  # User.language and the customer's record
)


def _chosen_on_the_way_in(request: HttpRequest) -> str | None:
    session = getattr(request, "session", None)
    if session is None:
        return None
    note = session.pop(SESSION_KEY, None)
    if not isinstance(note, dict) or not isinstance(note.get("at"), (int, float)):
        return None
    if time.time() - note["at"] > CHOSEN_WITHIN:
        return None
    return supported_language(note.get("language"))


def stored_language(user: Any) -> str | None:
    """The language a person's messages are written in: a customer's account, their customer
    record's (``customers.Customer.language``, read through the account's reverse relation
    ``user.customer``: accounts imports no higher app); anybody else, ``User.language``."""
    if getattr(user, "is_customer", False):
        record = getattr(user, "customer", None)  # none: an account not linked yet
        language = supported_language(getattr(record, "language", None))
        if language is not None:
            return language
    return supported_language(getattr(user, "language", ""))


@receiver(user_logged_in, dispatch_uid="aftersales.accounts.login_language")
def language_at_sign_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None:
        return
    chosen = _chosen_on_the_way_in(request)
    if chosen is not None:
        LANGUAGE_CHOSEN_AT_SIGN_IN.send(user=user, language=chosen)
        language: str | None = chosen
    else:
        language = stored_language(user)
    if language is not None:
        setattr(request, REQUEST_ATTRIBUTE, language)


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SignInLanguageMiddleware:
    """Notes a language chosen while signed out; sets the cookie decided at sign-in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        language = getattr(request, REQUEST_ATTRIBUTE, None)
        cookie = settings.LANGUAGE_COOKIE_NAME
        if language is not None:
            response.set_cookie(
                cookie,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        elif cookie in response.cookies and hasattr(request, "session") and not _signed_in(request):
            chosen = supported_language(response.cookies[cookie].value)
            if chosen is not None:
                request.session[SESSION_KEY] = {"language": chosen, "at": time.time()}
        return response
