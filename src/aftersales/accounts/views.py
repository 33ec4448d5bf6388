"""Sign-in lockout and password reset for staff and customers (issue 21).

* Lockout: django-axes counts failed sign-ins (``AXES_*`` in settings; its check runs in
  ``accounts.auth.LockoutBackend``). When it locks, it calls ``audit.lockout.locked_out`` (in the
  audit app, which records the refusal): the sign-in page again, with a translated message,
  status 429, and an audit row (``access.login_locked_out``). An administrator unlocks in the admin (Axes → access attempts:
  delete the row) or with ``manage.py axes_reset_username <name>``.
* Password reset: Django's views and token generator with our templates. The e-mail is sent
  through Django's mail (at once, never stored: the link is a secret) in the user's language, and
  its link is absolute under ``AFTERSALES_SITE_URL`` (``core.links.absolute_url``). The request
  page answers the same whether or not the address belongs to an account (no enumeration), and
  each address and each client may ask ``PASSWORD_RESET_PER_HOUR`` times an hour.
* Password reset by SMS code, for customers with a phone and no e-mail address: the two pages
  at the end of this module over ``sms_reset`` (codes hashed, 10 minutes, 5 attempts, throttled
  per phone and per client).
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aftersales.core.errors import DomainError
from aftersales.core.links import absolute_url
from aftersales.core.masking import mask_phone
from aftersales.core.throttle import throttle_hit
from aftersales.core.view_errors import add_service_errors

from . import sms_reset


class ResetRequestForm(PasswordResetForm):
    """Django's form; the e-mail in the user's language with a link under the site URL."""

    email = forms.EmailField(label=_("E-mail address"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    def save(self, *args: Any, **kwargs: Any) -> None:  # type: ignore[override]
        email = self.cleaned_data["email"]
        for user in self.get_users(email):
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            link = absolute_url(reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}))
            language = getattr(user, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
            with translation.override(language):
                context = {"user": user, "link": link, "site_url": absolute_url("/")}
                subject = "".join(loader.render_to_string("accounts/password_reset_subject.txt", context).splitlines())
                body = loader.render_to_string("accounts/password_reset_email.txt", context)
            EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [getattr(user, "email", "")]).send()


class ResetRequestView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    form_class = ResetRequestForm
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: ResetRequestForm) -> HttpResponse:  # type: ignore[override]
        """Within the limits: send. Over them: the same answer, nothing sent (no enumeration,
        no mail bombing)."""
        limit = int(getattr(settings, "PASSWORD_RESET_PER_HOUR", 5))
        email = form.cleaned_data["email"].strip().lower()
        by_address = throttle_hit(key=f"pwreset:email:{email}", limit=limit, window_seconds=3600)
        by_client = throttle_hit(
            key=f"pwreset:ip:{self.request.META.get('REMOTE_ADDR', '')}", limit=limit * 4, window_seconds=3600
        )
        if by_address.allowed and by_client.allowed:
            form.save()
        return super(auth_views.PasswordResetView, self).form_valid(form)


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    post_reset_login = False

    def form_valid(self, form: Any) -> HttpResponse:
        """A new password also lifts a sign-in lockout of the account (django-axes)."""
        response = super().form_valid(form)
        from axes.utils import reset as axes_reset

        axes_reset(username=form.user.get_username())
        return response


class ResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- Password reset by SMS code (customers without an e-mail address; ``sms_reset``) -----------

SMS_RESET_PHONE = "sms_reset_phone"


def _e164(raw: str) -> str | None:
    try:
        number = phonenumbers.parse(raw.strip(), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class SmsResetRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile phone number"), max_length=32, widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
    )

    def clean_phone(self) -> str:
        e164 = _e164(self.cleaned_data["phone"])
        if e164 is None:
            raise forms.ValidationError(_("Enter a valid mobile phone number."))
        return e164


class SmsResetConfirmForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has six digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6}),
    )
    password = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    password_again = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@never_cache
@require_http_methods(["GET", "POST"])
def sms_reset_request_view(request: HttpRequest) -> HttpResponse:
    """Ask for a code: the same answer whether or not the phone has an account."""
    form = SmsResetRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        sms_reset.sms_reset_request(phone=phone, client_ip=_client_ip(request), language=translation.get_language() or "")
        request.session[SMS_RESET_PHONE] = phone
        return redirect("accounts:password_reset_sms_code")
    return render(request, "accounts/password_reset_sms_form.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def sms_reset_code_view(request: HttpRequest) -> HttpResponse:
    """Enter the code and a new password (the phone from the previous step)."""
    phone = request.session.get(SMS_RESET_PHONE)
    if not phone:
        return redirect("accounts:password_reset_sms")
    form = SmsResetConfirmForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            sms_reset.sms_reset_confirm(
                phone=phone,
                code=form.cleaned_data["code"].strip(),
                password=form.cleaned_data["password"],
                client_ip=_client_ip(request),
            )
        except DomainError as exc:
            add_service_errors(form, exc)
            status = exc.status
        else:
            request.session.pop(SMS_RESET_PHONE, None)
            return redirect("accounts:password_reset_complete")
    elif request.method == "POST":
        status = 422
    context = {"form": form, "phone_masked": mask_phone(phone), "minutes": sms_reset.code_minutes()}
    return render(request, "accounts/password_reset_sms_code.html", context, status=status)
