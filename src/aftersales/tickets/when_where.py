"""When and where a request happened, as the web forms take it (SPEC §2.1: "Required: customer,
contact, what happened, when, where").

A caller seldom knows the minute a fault began: "when" is a date, a time only if known, and an
answer may be approximate ("about then") or an explicit "unknown — the customer doesn't remember"
— never a field silently left empty. "Where" is the address; it may be "the same as the
customer's address on file". The staff intake page and the portal's request form both use these
helpers; the service (``services.intake``) keeps ``occurred_at`` and the address optional for the
API and e-mail intake, whose tickets show what is missing at verification
(``selectors.when_where``).

How sure the answer is travels to the ticket's "registered" timeline entry
(``IntakeInput.extra``: ``occurred_precision`` and ``occurred_about``, see ``intake_notes``): the
ticket row keeps only ``occurred_at`` (a date without a time is stored as its local midnight).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.core import clock
from aftersales.customers.models import Address


class Certainty(models.TextChoices):
    """How sure the caller is of the date given (the form's choice)."""

    GIVEN = "given", _("As given")
    ABOUT = "about", _("About then (approximate)")
    UNKNOWN = "unknown", _("Unknown — the customer doesn't remember")


class Precision(models.TextChoices):
    """What ``occurred_at`` stands for (kept in the registered entry's data)."""

    TIME = "time", _("Date and time")
    DAY = "day", _("Date only")
    UNKNOWN = "unknown", _("Unknown")


# The keys intake copies from ``IntakeInput.extra`` into the registered entry's data.
PRECISION_KEY = "occurred_precision"
ABOUT_KEY = "occurred_about"


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%H:%M")


def occurred_on_field(label: Any) -> forms.DateField:
    """The date it happened: required unless the answer is "unknown" (``clean_when``)."""
    field = forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    field.show_required = True  # type: ignore[attr-defined]
    return field


def occurred_time_field(label: Any) -> forms.TimeField:
    return forms.TimeField(label=label, required=False, widget=TimeInput)


def certainty_field(label: Any, choices: Any = None) -> forms.ChoiceField:
    """How sure the date is: as given, about then, or unknown (a radio choice, "as given" first
    and checked; left out of a post: as given)."""
    return forms.ChoiceField(
        label=label, required=False, choices=choices or Certainty.choices, initial=Certainty.GIVEN, widget=forms.RadioSelect
    )


def clean_when(form: forms.Form, data: dict[str, Any], *, missing_message: Any) -> None:
    """Put ``occurred_at`` (aware, or None for "unknown"), ``occurred_precision`` and
    ``occurred_about`` into ``data``; a field error on the date (or the time) when it is missing
    or in the future. "Unknown" ignores a date typed anyway: the answer is that nobody knows."""
    data["occurred_at"] = None
    data[PRECISION_KEY] = Precision.UNKNOWN
    data[ABOUT_KEY] = False
    certainty = data.get("occurred_certainty") or Certainty.GIVEN
    if certainty == Certainty.UNKNOWN or "occurred_certainty" in form.errors:
        return
    if "occurred_on" in form.errors or "occurred_time" in form.errors:
        return
    day: dt.date | None = data.get("occurred_on")
    if day is None:
        form.add_error("occurred_on", missing_message)
        return
    time: dt.time | None = data.get("occurred_time")
    today = clock.local_today()
    if day > today:
        form.add_error("occurred_on", _("The date it happened cannot be in the future."))
        return
    if day < dt.date(1900, 1, 2):
        form.add_error("occurred_on", _("The time it happened is too long ago: check the date."))
        return
    when = timezone.make_aware(dt.datetime.combine(day, time or dt.time(0, 0)), timezone.get_default_timezone())
    if time is not None and when > clock.now() + dt.timedelta(minutes=5):
        form.add_error("occurred_time", _("The time it happened cannot be in the future."))
        return
    data["occurred_at"] = when
    data[PRECISION_KEY] = Precision.TIME if time is not None else Precision.DAY
    data[ABOUT_KEY] = certainty == Certainty.ABOUT


def intake_notes(data: dict[str, Any]) -> dict[str, Any]:
    """What the registered entry keeps of the "when" answer (``IntakeInput.extra``)."""
    return {PRECISION_KEY: str(data[PRECISION_KEY]), ABOUT_KEY: bool(data[ABOUT_KEY])}


PLACE_FIELDS = ("province", "city", "district", "address")


def address_values(address: Address) -> dict[str, str]:
    """The address on file as the form's place fields."""
    return {"province": address.province, "city": address.city, "district": address.district, "address": address.detail}


def clean_where(
    form: forms.Form,
    data: dict[str, Any],
    *,
    on_file: Address | None,
    no_file_message: Any,
    city_message: Any,
    address_message: Any,
) -> None:
    """The place: the address on file when "same as the customer's address" is ticked (an error
    on that box when there is none), else the typed city and street address, both required."""
    if data.get("same_address"):
        if on_file is None:
            form.add_error("same_address", no_file_message)
            return
        data.update(address_values(on_file))
        return
    for name in PLACE_FIELDS:
        data[name] = (data.get(name) or "").strip()
    if not data["city"] and "city" not in form.errors:
        form.add_error("city", city_message)
    if not data["address"] and "address" not in form.errors:
        form.add_error("address", address_message)
