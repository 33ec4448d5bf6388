"""The forms of the trip-log pages: they read what a person typed; the services check the rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.provinces import PROVINCES

from .forms import DATE
from .models import TripStatus

# The provinces' names in English where their romanised name is not the English one.
ENGLISH_NAMES = {"neimenggu": "Inner Mongolia", "hongkong": "Hong Kong", "macau": "Macao", "shaanxi": "Shaanxi"}


def _province_label(full: str, latin: str) -> str:
    """The province as the reader reads it: 江苏省, or Jiangsu on an English page (the value sent
    is the full Chinese name either way)."""
    language = translation.get_language() or "zh-hans"
    return full if language.startswith("zh") else ENGLISH_NAMES.get(latin, latin.title())


province_label = lazy(_province_label, str)
PROVINCE_CHOICES = [("", "—"), *((full, province_label(full, latin[0])) for full, _short, latin in PROVINCES)]
MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class TripOpenForm(forms.Form):
    province = forms.ChoiceField(label=_("province"), choices=PROVINCE_CHOICES)
    city = forms.CharField(label=_("city"), max_length=32, required=False)
    purpose = forms.CharField(label=_("purpose"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    planned_from = forms.DateField(label=_("planned from"), widget=DATE)
    planned_until = forms.DateField(label=_("planned until"), widget=DATE)
    departed_on = forms.DateField(label=_("departed on"), widget=DATE, required=False)
    work_orders = forms.MultipleChoiceField(
        label=_("work orders"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    advance = forms.ChoiceField(label=_("cash advance"), required=False, choices=())
    # A fresh key per form shown: the same form sent twice opens one trip.
    idempotency_key = forms.CharField(required=False, max_length=128, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        work_orders: list[tuple[str, str]] | None = None,
        advances: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_orders"].choices = work_orders or []  # type: ignore[attr-defined]
        self.fields["advance"].choices = [("", "—"), *(advances or [])]  # type: ignore[attr-defined]


class TripEntryForm(forms.Form):
    """One day's line: defaults (today, the trip's city, a working day, his only work order) make
    it a tap to open and a tap to save."""

    day = forms.DateField(label=_("day"), widget=DATE)
    place = forms.CharField(label=_("place"), max_length=100)
    activity = forms.CharField(label=_("activity"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    work_order = forms.ChoiceField(label=_("work order"), required=False, choices=())
    working_hours = forms.DecimalField(
        label=_("working hours"), max_digits=4, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.5", "min": "0"})
    )
    travel_hours = forms.DecimalField(
        label=_("travel hours"), max_digits=4, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.5", "min": "0"})
    )
    overnight = forms.BooleanField(label=_("overnight stay"), required=False)
    km = forms.DecimalField(
        label=_("distance (km)"), max_digits=7, decimal_places=1, widget=forms.NumberInput(attrs={"step": "1", "min": "0"})
    )

    def __init__(self, *args: Any, work_orders: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_order"].choices = [("", "—"), *(work_orders or [])]  # type: ignore[attr-defined]


class TripSubmitForm(forms.Form):
    departed_on = forms.DateField(label=_("departed on"), widget=DATE, required=False)
    returned_on = forms.DateField(label=_("returned on"), widget=DATE, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TripFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=[("", _("All")), *TripStatus.choices], required=False)
    technician = forms.CharField(label=_("Technician"), max_length=64, required=False)
    month = forms.DateField(label=_("month"), required=False, input_formats=["%Y-%m"], widget=MONTH)

    def clean_month(self) -> dt.date | None:
        month: dt.date | None = self.cleaned_data.get("month")
        return month.replace(day=1) if month else None
