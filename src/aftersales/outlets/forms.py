"""The forms of the outlet pages: they read what a person typed; the services check the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import OutletKind, Region, ServiceOutlet, Team

from .models import SettlementStatus
from .services import OutletInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 10, "decimal_places": 2, "min_value": 0}


class OutletForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=128)
    kind = forms.ChoiceField(label=_("kind"), choices=OutletKind.choices)
    company = forms.CharField(label=_("company (legal name)"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("contact name"), max_length=128, required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("email"), required=False)
    province = forms.CharField(label=_("province"), max_length=32, required=False)
    city = forms.CharField(label=_("city"), max_length=32, required=False)
    district = forms.CharField(label=_("district"), max_length=32, required=False)
    address = forms.CharField(label=_("address"), max_length=200, required=False)
    regions = forms.ModelMultipleChoiceField(
        label=_("regions served"), queryset=Region.objects.order_by("code"), required=False, widget=forms.CheckboxSelectMultiple
    )
    team = forms.ModelChoiceField(
        label=_("team"),
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text=_("Its technicians are the team's members; the team's leader is the outlet's dispatcher."),
    )
    active = forms.BooleanField(label=_("active"), required=False, initial=True)
    call_out_fee = forms.DecimalField(label=_("call-out fee per completed visit"), **MONEY)
    labour_rate = forms.DecimalField(label=_("labour rate per hour"), **MONEY)
    travel_rate = forms.DecimalField(label=_("travel rate per km"), **MONEY)
    repeat_penalty = forms.DecimalField(label=_("penalty per repeat repair"), initial=0, **MONEY)
    contract_from = forms.DateField(label=_("contract valid from"), required=False, widget=DATE)
    contract_until = forms.DateField(label=_("contract valid until"), required=False, widget=DATE)

    @classmethod
    def for_outlet(cls, outlet: ServiceOutlet) -> OutletForm:
        initial = {name: getattr(outlet, name) for name in cls.base_fields if name not in {"regions", "team"}}
        initial["regions"] = list(outlet.regions.values_list("pk", flat=True))
        initial["team"] = outlet.team_id
        return cls(initial=initial)

    def outlet_input(self) -> OutletInput:
        data = dict(self.cleaned_data)
        data["regions"] = list(data["regions"])
        return OutletInput(**data)


class DraftForm(forms.Form):
    month = forms.DateField(
        label=_("Month"),
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        error_messages={"invalid": _("Enter a month as YYYY-MM.")},
    )


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def period(self, today: dt.date) -> tuple[dt.date, dt.date]:
        """The chosen days, by default the last three months up to today."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        until = data.get("until") or today
        since = data.get("since") or (until - dt.timedelta(days=90))
        return (since, until) if since <= until else (until, since)


class SettlementFilterForm(forms.Form):
    outlet = forms.ModelChoiceField(
        label=_("Service outlet"), queryset=ServiceOutlet.objects.none(), required=False, to_field_name="code"
    )
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *SettlementStatus.choices], required=False)
    since = forms.DateField(label=_("From"), required=False, widget=DATE)
    until = forms.DateField(label=_("Until"), required=False, widget=DATE)

    def __init__(self, *args: Any, outlets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = outlets  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class PayForm(forms.Form):
    payment_reference = forms.CharField(label=_("payment reference"), max_length=64)
    paid_on = forms.DateField(label=_("paid on"), widget=DATE)


class AdjustForm(forms.Form):
    line = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    adjustment = forms.DecimalField(label=_("adjustment"), max_digits=10, decimal_places=2)
    reason = forms.CharField(label=_("reason for the adjustment"), max_length=2000, required=False)
