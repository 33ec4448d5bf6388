"""django-axes' lockout answer (``AXES_LOCKOUT_CALLABLE``): the sign-in page again with the
reason, status 429, and an audit row ``access.login_locked_out``. Here rather than in accounts
because it records the refusal (the audit app sits above accounts)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .audit_actions import AccessAudit
from .services import audit_record_refusal

LOCKOUT_MESSAGE = _(
    "Too many failed sign-in attempts: this account is locked for %(minutes)d minutes. "
    "Try again later, reset your password, or ask an administrator to unlock it."
)


def lockout_minutes() -> int:
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    if cool_off is None:
        return 0
    if hasattr(cool_off, "total_seconds"):
        return max(1, int(cool_off.total_seconds() // 60))
    return max(1, int(float(cool_off) * 60))


def locked_out(request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """django-axes' lockout response: the sign-in form with the reason, 429."""
    username = ""
    if isinstance(credentials, dict):
        username = str(credentials.get("username") or "")[:150]
    username = username or str(request.POST.get("username", ""))[:150]
    audit_record_refusal(
        action=AccessAudit.LOGIN_LOCKED_OUT,
        actor=None,
        actor_label=f"login:{username}"[:128],
        path=request.path,
        method=request.method or "POST",
        status=429,
        detail={"username": username},
    )
    form = AuthenticationForm(request, initial={"username": username})
    message = LOCKOUT_MESSAGE % {"minutes": lockout_minutes()}
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked_out_message": message, "next": request.POST.get("next", "")},
        status=429,
    )
