"""Site-wide pages: the home redirect and the health probe."""

from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


def home(request: HttpRequest) -> HttpResponse:
    """Staff land on their role's home page (``desk:home``: the workbench, today's jobs, the
    warehouse's work, the team view), customers on their portal; everybody else signs in.
    Redirected by URL name: core sits below every app and imports none of them."""
    if request.user.is_authenticated:
        return redirect("portal:home" if getattr(request.user, "is_customer", False) else "desk:home")
    return redirect("accounts:login")


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability for load balancers; no login, never cached.

    The failure names only the exception class: a probe must not leak connection details.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
