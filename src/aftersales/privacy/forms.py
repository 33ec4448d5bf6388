from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import Customer
from aftersales.customers.phones import PhoneFormField

from .models import CorrectableField, RequestKind
from .reveals import RevealReason


def _correction_field(label: Any) -> forms.CharField:
    return forms.CharField(label=label, required=False, max_length=200)


class CorrectionFields(forms.Form):
    """The right values of a correction request, one optional field per thing that may be wrong
    (``services.clean_corrections`` checks them: at least one, a real phone number and email)."""

    correct_name = _correction_field(CorrectableField.NAME.label)
    correct_phone = _correction_field(CorrectableField.PHONE.label)
    correct_email = _correction_field(CorrectableField.EMAIL.label)
    correct_address = _correction_field(CorrectableField.ADDRESS.label)
    correct_other = _correction_field(CorrectableField.OTHER.label)

    def corrections(self) -> dict[str, object]:
        data = getattr(self, "cleaned_data", {})
        return {key: data.get(f"correct_{key}") or "" for key in CorrectableField.values}


class StaffRequestForm(CorrectionFields):
    """A request received by phone, letter or at the counter, recorded by staff (a correction with
    the right values the person gave)."""

    field_order = ["phone", "kind", "note"]

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


class CorrectionRequestForm(CorrectionFields):
    """The customer's correction request on "My personal data": what is right, and a note."""

    note = forms.CharField(
        label=_("Anything we should know (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
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
