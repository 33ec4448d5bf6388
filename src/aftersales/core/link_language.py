"""Pages opened from a link in a message speak the language of the person it was sent to.

A customer whose language is English gets their SMS in English; the page its link opens — the
ticket (``/portal/t/<token>/``), the quote (``/fieldservice/quote/<token>/``), the survey
(``/feedback/<token>/``) — is in English too, on a phone that never chose a language here.

``in_link_owner_language(lookup)`` decorates such a view: ``lookup`` is the view's own way from
the signed token to its object (``ticket_from_token``, ``work_order_from_quote_token``…); the
language is that of the customer the object belongs to (``object.customer`` or
``object.ticket.customer``, ``Customer.language``). The visitor's own choice always wins: with a
language cookie (the language switch, or the one set at sign-in) the page follows it, as every
page does (and, with ``USE_BROWSER_LANGUAGE``, the browser's language). A link that does not open
(forged, expired, unknown) changes nothing: the view answers it as before.

core sits below every app, so it names no model: the owner is found by attribute.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation

from .errors import DomainError

View = TypeVar("View", bound=Callable[..., HttpResponse])


def supported_language(value: object) -> str | None:
    """``value`` when it is one of ``settings.LANGUAGES``, else ``None``."""
    known = {code for code, _name in settings.LANGUAGES}
    return value if isinstance(value, str) and value in known else None


def visitor_chose_language(request: HttpRequest) -> bool:
    """Did the visitor choose a language here (the language cookie), or — with
    ``USE_BROWSER_LANGUAGE`` — does their browser say one?"""
    if supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)) is not None:
        return True
    return bool(getattr(settings, "USE_BROWSER_LANGUAGE", False) and request.META.get("HTTP_ACCEPT_LANGUAGE"))


def owner_language(found: object) -> str | None:
    """The stored language of the customer ``found`` belongs to: its ``customer``, or its
    ticket's; ``None`` when there is none."""
    for holder in (found, getattr(found, "ticket", None)):
        customer = getattr(holder, "customer", None)
        language = supported_language(getattr(customer, "language", None))
        if language is not None:
            return language
    return None


def _language_of_link(lookup: Callable[..., object], token: object, keyword: str | None) -> str | None:
    if not isinstance(token, str):
        return None
    try:
        found = lookup(**{keyword: token}) if keyword else lookup(token)
    except (DomainError, Http404):  # forged, expired or unknown: the view says so
        return None
    return owner_language(found)


def in_link_owner_language(
    lookup: Callable[..., object], *, keyword: str | None = None, url_kwarg: str = "token"
) -> Callable[[View], View]:
    """Render the decorated link view in its owner's language unless the visitor chose one.

    ``lookup(token)`` (or ``lookup(**{keyword: token})``) opens the link's token, taken from the
    URL's ``url_kwarg``; it is called once more than the view calls it, and only for a visitor
    without a choice."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if visitor_chose_language(request):
                return view(request, *args, **kwargs)
            language = _language_of_link(lookup, kwargs.get(url_kwarg), keyword)
            if language is None:
                return view(request, *args, **kwargs)
            with translation.override(language):
                request.LANGUAGE_CODE = language
                response = view(request, *args, **kwargs)
            response.headers["Content-Language"] = language  # LocaleMiddleware keeps it
            return response

        return cast(View, wrapped)

    return decorate
