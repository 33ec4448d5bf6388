"""Response headers for personal data and browser features (issue 21).

``SecurityHeadersMiddleware`` (after WhiteNoise, so static files keep their long caching):

* ``Cache-Control: no-store`` (Django's ``add_never_cache_headers``) on every response to a
  signed-in user and on every API response: pages and JSON with personal data are never kept
  by the browser's or a proxy's cache (shared computers at service points, back button after
  sign-out).
* ``Permissions-Policy`` from ``PERMISSIONS_POLICY`` (settings): geolocation and camera for our
  own pages only (the technician's check-in asks for the position), everything else off.
  Features browsers do not know (``UNRECOGNISED_FEATURES``: each logs "Unrecognized feature"
  in the console on every page) are left out, also when a setting names them.

The Content-Security-Policy itself is django-csp's (``CONTENT_SECURITY_POLICY`` in settings).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

DEFAULT_PERMISSIONS_POLICY = {
    "geolocation": "(self)",
    "camera": "(self)",
    "microphone": "()",
    "payment": "()",
    "usb": "()",
    "serial": "()",
    "midi": "()",
    "magnetometer": "()",
    "gyroscope": "()",
    "accelerometer": "()",
    "display-capture": "()",
    "browsing-topics": "()",
}
# Not in the Permissions Policy registry Chromium implements: the header would only add warnings.
UNRECOGNISED_FEATURES = frozenset({"bluetooth", "interest-cohort", "battery", "vr", "speaker", "vibrate"})


def permissions_policy_header() -> str:
    policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)
    return ", ".join(f"{feature}={allow}" for feature, allow in policy.items() if feature not in UNRECOGNISED_FEATURES)


def holds_personal_data(request: HttpRequest) -> bool:
    """Whether the answer may carry personal data: any signed-in user's, and the whole API."""
    if request.path.startswith("/api/"):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if holds_personal_data(request) and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
        if self.permissions_policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.permissions_policy
        return response
