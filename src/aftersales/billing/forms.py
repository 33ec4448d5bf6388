"""The forms of the billing pages: they read what a person typed; the services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import InvoiceKind, PaymentMethod, ReceivableStatus
from .selectors import ALL_FILTER, BUCKETS, OUTSTANDING_FILTER

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AMOUNT = forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"})


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(OUTSTANDING_FILTER, _("Outstanding")), *ReceivableStatus.choices, (ALL_FILTER, _("All"))],
        required=False,
    )
    bucket = forms.ChoiceField(
        label=pgettext_lazy("aging", "Age"), choices=[("", _("Any age")), *((b.key, b.label) for b in BUCKETS)], required=False
    )
    q = forms.CharField(label=_("Work order or ticket no."), max_length=32, required=False)
    technician = forms.CharField(label=_("Technician"), max_length=150, required=False)


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("amount (CNY)"), max_digits=12, decimal_places=2, widget=AMOUNT)
    method = forms.ChoiceField(label=pgettext_lazy("receivable", "payment method"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=pgettext_lazy("receivable", "paid on"), widget=DATE)
    reference = forms.CharField(label=_("reference no."), max_length=64, required=False)
    collected_by = forms.CharField(
        label=_("collected by"), max_length=150, required=False, help_text=_("Username; empty: yourself.")
    )
    # A fresh key per form shown: the same form sent twice records one payment.
    idempotency_key = forms.CharField(required=False, max_length=128, widget=forms.HiddenInput)


class CollectForm(forms.Form):
    amount = forms.DecimalField(label=_("amount collected (CNY)"), max_digits=12, decimal_places=2, widget=AMOUNT)
    method = forms.ChoiceField(
        label=pgettext_lazy("receivable", "payment method"), choices=PaymentMethod.choices, initial=PaymentMethod.CASH
    )
    reference = forms.CharField(label=_("reference no."), max_length=64, required=False)
    idempotency_key = forms.CharField(required=False, max_length=128, widget=forms.HiddenInput)


class InvoiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("invoice type"), choices=InvoiceKind.choices)
    number = forms.CharField(label=_("invoice number"), max_length=20)
    issued_on = forms.DateField(label=_("issued on"), widget=DATE)
    title = forms.CharField(label=_("invoice title"), max_length=200)
    tax_id = forms.CharField(
        label=_("taxpayer ID"), max_length=20, required=False, help_text=_("Required on a special VAT invoice.")
    )
    amount = forms.DecimalField(label=_("invoiced amount (CNY)"), max_digits=12, decimal_places=2, required=False, widget=AMOUNT)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
