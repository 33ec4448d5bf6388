from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import Customer
from aftersales.customers.phones import PhoneFormField

from .models import RequestKind
from .reveals import RevealReason


class StaffRequestForm(forms.Form):
    """A request received by phone, letter or at the counter, recorded by staff."""

    phone = PhoneFormField(label=_("Customer's phone"))
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How the request arrived and how the person's identity was checked."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        phone = data.get("phone")
        if phone:
            customer = Customer.objects.filter(phone=phone, erased_at__isnull=True).order_by("pk").first()
            if customer is None:
                self.add_error("phone", _("No customer has this phone number."))
            data["customer"] = customer
        return data


class ErasureRequestForm(forms.Form):
    note = forms.CharField(
        label=_("Anything we should know (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Reason for refusal"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ConsentForm(forms.Form):
    contact = forms.BooleanField(label=_("You may contact me about my service requests (calls, SMS, email)"), required=False)
    marketing = forms.BooleanField(label=_("You may send me offers and news"), required=False)


class RevealForm(forms.Form):
    """Why a masked value is needed in full (``reveals.privacy_reveal`` checks it again)."""

    reason = forms.ChoiceField(label=_("Why do you need it?"), choices=[("", "—")])
    detail = forms.CharField(label=_("Details"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", "—"), *RevealReason.choices]
