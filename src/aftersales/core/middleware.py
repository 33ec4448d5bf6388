from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class DefaultLanguageMiddleware:
    """Pages are in Simplified Chinese unless the user chose otherwise (language switch cookie).

    Runs before Django's LocaleMiddleware and hides the browser's Accept-Language from it on the
    web pages, so an English-configured browser in a Chinese company still gets the Chinese UI.
    The API (``/api/``) keeps Accept-Language: integrations ask for their language explicitly.
    ``USE_BROWSER_LANGUAGE=1`` restores the browser-driven choice everywhere.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not settings.USE_BROWSER_LANGUAGE and not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
