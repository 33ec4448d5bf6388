"""Two-factor sign-in with a time-based one-time password (TOTP, RFC 6238) — issue 21, item 4.

django-otp keeps the devices (``otp_totp.TOTPDevice``: the secret, the last time step used, its
own throttling of wrong codes) and marks a session verified (``django_otp.login``). What this
module adds:

- At sign-in (``user_logged_in``) one query decides what the session still needs: a user with a
  confirmed device must enter a code (``PENDING``); a user whose role is in
  ``TWO_FACTOR_REQUIRED_ROLES`` (administrators in production) and who has no device must set one
  up first (``ENROL``). The answer is kept in the session, so later requests cost no query.
- ``TwoFactorGateMiddleware`` sends such a session to the code page (or the set-up page) from
  every page except those two, sign-out, the language switch and static files; the API refuses
  such a session (api/auth.py reads ``session_needs_second_factor``).
- The pages: "My account" (set up, turn off), the code page, the set-up page with the QR code
  (an SVG image made by the ``qrcode`` package, no third-party service) and the secret in text.
"""

from __future__ import annotations

import base64
import io
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .sessions import sign_out_everywhere
from .signals import security_event

PENDING = "two_factor_pending"  # the session signed in with a password; its code is still due
ENROL = "two_factor_enrol"  # the role requires a second factor and the user has none yet
OPEN_PATHS = ("/accounts/two-factor/", "/accounts/logout/", "/i18n/", "/static/", "/healthz", "/readyz")


def required_for(user: Any) -> bool:
    return bool(user.is_superuser and "administrator" in settings.TWO_FACTOR_REQUIRED_ROLES) or (
        getattr(user, "role", "") in settings.TWO_FACTOR_REQUIRED_ROLES
    )


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def session_needs_second_factor(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    return bool(session is not None and (session.get(PENDING) or session.get(ENROL)))


@receiver(user_logged_in, dispatch_uid="aftersales.two_factor.after_password")
def _after_password(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session.pop(PENDING, None)
    request.session.pop(ENROL, None)
    if confirmed_device(user) is not None:
        request.session[PENDING] = True
    elif required_for(user):
        request.session[ENROL] = True


class TwoFactorGateMiddleware:
    """Pages wait for the second factor of a session that still owes it (no query: a session flag)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if session_needs_second_factor(request) and not request.path.startswith(("/api/", *OPEN_PATHS)):
            target = "accounts:two_factor_setup" if request.session.get(ENROL) else "accounts:two_factor_verify"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise forms.ValidationError(_("Enter the six digits your authenticator app shows."))
        return code


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return "/"
    return target


def _qr_data_uri(device: TOTPDevice) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _secret_text(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """The code after the password."""
    device = confirmed_device(request.user)
    if device is None:
        request.session.pop(PENDING, None)
        return HttpResponseRedirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _why = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["code"]):
            otp_login(request, device)
            request.session.pop(PENDING, None)
            return HttpResponseRedirect(_next(request))
        security_event.send(sender=None, user=request.user, what="second_factor_wrong", actor=request.user)
        form.add_error("code", _("That code is not right, or it was used already. Wait for the next one and try again."))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app: scan the code (or type the secret), confirm with a code."""
    if request.session.get(PENDING):
        return redirect("accounts:two_factor_verify")
    if confirmed_device(request.user) is not None:
        return redirect("accounts:security")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name=str(_("Authenticator app")), confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            otp_login(request, device)
            request.session.pop(ENROL, None)
            security_event.send(sender=None, user=request.user, what="second_factor_on", actor=request.user)
            return HttpResponseRedirect(_next(request) if request.GET.get("next") else reverse("accounts:security"))
        form.add_error("code", _("That code is not right. Check the time on your phone and try the next code."))
    context = {
        "form": form,
        "qr": _qr_data_uri(device),
        "secret": _secret_text(device),
        "required": required_for(request.user),
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)


@login_required
@require_http_methods(["POST"])
def disable(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off (not for a role that requires it)."""
    if required_for(request.user):
        return render(request, "accounts/security.html", _security_context(request, error=True), status=400)
    deleted, _rows = TOTPDevice.objects.filter(user=request.user).delete()
    if deleted:
        security_event.send(sender=None, user=request.user, what="second_factor_off", actor=request.user)
    return redirect("accounts:security")


@login_required
@require_http_methods(["POST"])
def sign_out_elsewhere(request: HttpRequest) -> HttpResponse:
    """End every other session of the signed-in user (this one stays)."""
    sign_out_everywhere(user=request.user, keep=request)  # type: ignore[arg-type]
    security_event.send(sender=None, user=request.user, what="signed_out_everywhere", actor=request.user)
    return render(request, "accounts/security.html", {**_security_context(request), "signed_out": True})


def _security_context(request: HttpRequest, *, error: bool = False) -> dict[str, Any]:
    return {
        "device": confirmed_device(request.user),
        "required": required_for(request.user),
        "error": error,
    }


@login_required
def security(request: HttpRequest) -> HttpResponse:
    """My account: sign-in security."""
    return render(request, "accounts/security.html", _security_context(request))
