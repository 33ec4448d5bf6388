"""The forms of the RMA's pages: authorisation (from the ticket's panel) and one per step. Each
step carries the version the page was read at (a stale page gets "changed meanwhile")."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.parts.models import Warehouse

from .models import Disposition, HandoverMethod, UnitCondition


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class AuthoriseForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Receiving warehouse"),
        queryset=Warehouse.objects.none(),
        empty_label=_("Choose a warehouse"),
        help_text=_("Where the goods go back to; for an exchange, where the replacement is reserved."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)

    def __init__(self, *args: Any, warehouses: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses  # type: ignore[attr-defined]


class HandoverForm(StepForm):
    method = forms.ChoiceField(label=_("How the goods come back"), choices=HandoverMethod.choices, widget=forms.RadioSelect)
    carrier = forms.CharField(label=_("Carrier"), required=False, max_length=64)
    tracking_number = forms.CharField(
        label=_("Tracking number"), required=False, max_length=64, help_text=_("With it, the goods are in transit.")
    )
    outlet = forms.CharField(label=_("Service outlet"), required=False, max_length=128)


class ReceiveForm(StepForm):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=20000)


class InspectForm(StepForm):
    serial = forms.CharField(label=_("Serial number on the unit"), max_length=64)
    accessories_complete = forms.BooleanField(label=_("Accessories complete"), required=False)
    condition = forms.ChoiceField(label=_("Condition"), choices=UnitCondition.choices)
    disposition = forms.ChoiceField(label=_("What becomes of the unit"), choices=Disposition.choices)
    passed = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("1", _("Passed")), ("0", _("Failed: back to the agent"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20000,
        help_text=_("Required when the inspection fails: say why."),
    )


class AcceptForm(StepForm):
    reason = forms.CharField(label=_("Why the goods are accepted"), widget=forms.Textarea(attrs={"rows": 2}), max_length=20000)


class ShipForm(StepForm):
    serial = forms.CharField(label=_("Replacement serial number"), max_length=64)
    carrier = forms.CharField(label=_("Carrier"), max_length=64)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=64)


class CancelForm(StepForm):
    reason = forms.CharField(label=_("Why it is cancelled"), widget=forms.Textarea(attrs={"rows": 2}), max_length=20000)
