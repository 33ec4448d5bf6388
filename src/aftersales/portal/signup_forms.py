"""The forms of getting a portal account and signing in by SMS code (``signup_views``): they read
input only; the services decide (``accounts.login_code``, ``customers.portal_accounts``)."""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.contrib.auth.password_validation import password_validators_help_texts
from django.utils.translation import gettext_lazy as _

from aftersales.customers.phones import PhoneFormField

MOBILE_TYPES = frozenset({phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE})
NAME_MAX_LENGTH = 64


class PhoneForm(forms.Form):
    """A mobile number (an SMS goes to it), typed any way people type it; cleaned to E.164."""

    phone = PhoneFormField(label=_("Mobile phone number"), help_text=_("For example 139 1234 5678."))

    def clean_phone(self) -> str:
        phone: str = self.cleaned_data["phone"]
        number = phonenumbers.parse(phone, settings.PHONENUMBER_DEFAULT_REGION)
        if phonenumbers.number_type(number) not in MOBILE_TYPES:
            raise forms.ValidationError(_("Enter a mobile phone number: the code is sent by SMS."))
        return phone


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("The code has six digits.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 6}),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class PasswordConsentForm(forms.Form):
    """A new password (twice) and the consents: the privacy notice (required), offers (optional)."""

    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    privacy = forms.BooleanField(
        label=_(
            "I have read the privacy notice and agree that my data is used to handle my service requests and to contact me about them."
        ),
        error_messages={"required": _("Tick the box to agree to the privacy notice: without it we cannot open an account.")},
    )
    marketing = forms.BooleanField(label=_("You may send me offers and news (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The configured validators' rules, in the language of the page.
        self.fields["password"].help_text = " ".join(str(text) for text in password_validators_help_texts())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data


class SignupForm(PasswordConsentForm):
    name = forms.CharField(
        label=_("Your name"), max_length=NAME_MAX_LENGTH, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    field_order = ["name", "password", "password_again", "privacy", "marketing"]
