"""Forms of the staff's customer pages: the search, a customer's fields (editing and
registering) and an address. They read what was typed; the rules are the services'
(``customers.editing``), whose refusals the views show on these forms, each on its field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.customers.models import EXTERNAL_CODE_MAX_LENGTH, Customer, CustomerKind, CustomerTier
from aftersales.customers.phones import PhoneFormField
from aftersales.customers.services import ADDRESS_MAX_LENGTHS, NAME_MAX_LENGTH, NOTES_MAX_LENGTH

# The languages of the customer's messages, named in the reader's language (``settings.LANGUAGES``
# names each in its own, for the language switch).
LANGUAGE_CHOICES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]


def language_label(code: str) -> str:
    return str(dict(LANGUAGE_CHOICES).get(code, code))


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, phone or its last 4 digits, email, code"), "autocomplete": "off"}
        ),
    )
    tier = forms.ChoiceField(label=_("Tier"), required=False, choices=[("", _("All tiers")), *CustomerTier.choices])


class CustomerForm(forms.Form):
    """The customer's own fields. Without ``may_set_tier`` the tier is not a field (the page
    shows it); ``expected_version`` carries the version the form was drawn from."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerKind.choices)
    phone = PhoneFormField(label=_("Phone"), required=False)
    email = forms.EmailField(
        label=_("Email"), required=False, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    external_code = forms.CharField(
        label=_("External code"),
        required=False,
        max_length=EXTERNAL_CODE_MAX_LENGTH,
        help_text=_("The customer's number in the company's own systems; no two customers share one."),
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=CustomerTier.choices)
    language = forms.ChoiceField(label=_("Language of messages"), choices=LANGUAGE_CHOICES)
    consent_contact = forms.BooleanField(label=_("Consents to service contact"), required=False)
    consent_marketing = forms.BooleanField(label=_("Consents to offers and news"), required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=NOTES_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, may_set_tier: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not may_set_tier:
            del self.fields["tier"]

    @classmethod
    def initial_of(cls, customer: Customer) -> dict[str, Any]:
        return {
            "expected_version": customer.version,
            "name": customer.name,
            "kind": customer.kind,
            "phone": customer.phone,
            "email": customer.email,
            "external_code": customer.external_code,
            "tier": customer.tier,
            "language": customer.language,
            "consent_contact": customer.consent_contact,
            "consent_marketing": customer.consent_marketing,
            "notes": customer.notes,
        }

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned fields as the services take them (``customer_update``, ``customer_register``)."""
        data = self.cleaned_data
        values = {name: data[name] for name in self.fields if name != "expected_version" and name in data}
        for text in ("name", "email", "external_code", "notes"):
            if text in values:
                values[text] = values[text] or ""
        return values


class AddressFields(forms.Form):
    province = forms.CharField(label=_("Province"), max_length=ADDRESS_MAX_LENGTHS["province"])
    city = forms.CharField(label=_("City"), max_length=ADDRESS_MAX_LENGTHS["city"])
    district = forms.CharField(label=_("District"), required=False, max_length=ADDRESS_MAX_LENGTHS["district"])
    detail = forms.CharField(label=_("Street address"), max_length=ADDRESS_MAX_LENGTHS["detail"])
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=ADDRESS_MAX_LENGTHS["postal_code"])


class NewCustomerForm(CustomerForm):
    """Registering a customer: their fields and, optionally, an address (the default one)."""

    province = forms.CharField(label=_("Province"), required=False, max_length=ADDRESS_MAX_LENGTHS["province"])
    city = forms.CharField(label=_("City"), required=False, max_length=ADDRESS_MAX_LENGTHS["city"])
    district = forms.CharField(label=_("District"), required=False, max_length=ADDRESS_MAX_LENGTHS["district"])
    detail = forms.CharField(label=_("Street address"), required=False, max_length=ADDRESS_MAX_LENGTHS["detail"])
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=ADDRESS_MAX_LENGTHS["postal_code"])

    ADDRESS_FIELDS = ("province", "city", "district", "detail", "postal_code")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["expected_version"]
        self.fields["consent_contact"].initial = True
        self.fields["language"].initial = "zh-hans"
        if "tier" in self.fields:
            self.fields["tier"].initial = CustomerTier.NORMAL

    def service_arguments(self) -> dict[str, Any]:
        values = super().service_arguments()
        for name in self.ADDRESS_FIELDS:
            values[name] = values.get(name) or ""
        return values


class AddressForm(AddressFields):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    is_default = forms.BooleanField(label=_("Default address"), required=False)

    def address_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) or "" for name in ("province", "city", "district", "detail", "postal_code")}
