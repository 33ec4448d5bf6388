from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region

from .models import SUBSCRIBABLE_EVENTS


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    target_url = forms.URLField(
        label=_("Target URL"), max_length=500, assume_scheme="https", help_text=_("A public http(s) address of the receiver.")
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"), choices=[(e.value, e.label) for e in SUBSCRIBABLE_EVENTS], widget=forms.CheckboxSelectMultiple
    )
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), required=False, empty_label=_("All regions")
    )
