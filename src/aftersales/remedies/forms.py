"""The choice of a ticket's remedy on the ticket page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Remedy
from .engine import Proposal


class RemedyChoiceForm(forms.Form):
    remedy = forms.ChoiceField(label=_("Remedy"), choices=Remedy.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when the remedy is not one the rule allows."),
    )
    price_paid = forms.DecimalField(
        label=_("Price paid (yuan)"),
        required=False,
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        help_text=_("From the invoice: the refund of a return is computed from it."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args: Any, proposal: Proposal | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if proposal is not None and not self.is_bound and proposal.remedies:
            self.fields["remedy"].initial = proposal.remedies[0]
