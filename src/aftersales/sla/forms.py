"""Forms of the calendars pages (the State Council's notice for a year, one day by hand) and of
the SLA policies in /admin/ (targets in hours)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import SlaPolicy
from .notice import MAX_NOTICE_CHARS


class NoticeForm(forms.Form):
    notice = forms.CharField(
        label=_("The notice's items"),
        max_length=MAX_NOTICE_CHARS,
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_("Paste the items of the State Council's notice on the year's holidays as published, one per line."),
    )


class DayForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_workday = forms.TypedChoiceField(
        label=_("The day is"),
        choices=[("0", _("a day off")), ("1", _("a workday"))],
        coerce=lambda value: value == "1",
        initial="0",
    )
    name = forms.CharField(label=_("name"), max_length=64, required=False, help_text=_("e.g. company closure, local holiday"))


# --- SLA policies in /admin/: targets in hours (docs/decisions/0013-administration.md) ----------

MAX_HOURS = 9999  # over a year of working time: a typing slip, not a target


def hours_input(minutes: int) -> str:
    """A target as the policy form shows it: 540 → "9", 90 → "1:30"."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours}:{rest:02d}" if rest else str(hours)


def hours_text(minutes: int) -> str:
    """A target in words, in the reader's language: "9 h", "1 h 30 min" (9小时, 1小时30分钟)."""
    hours, rest = divmod(int(minutes), 60)
    if not rest:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}


class HoursField(forms.Field):
    """A duration stored in minutes, entered in hours: "9", "1.5" or "9:30" (hours:minutes; a
    full-width colon, "9：30", too). Decimal hours are rounded to the minute."""

    widget = forms.TextInput(attrs={"size": 8, "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("Enter hours, e.g. 9, 1.5 or 9:30."),
        "min_value": _("Enter at least %(minimum)s."),
        "max_value": _("Enter at most %(maximum)s hours."),
    }

    def __init__(self, *, min_minutes: int = 1, **kwargs: Any) -> None:
        self.min_minutes = min_minutes
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return hours_input(value)
        return value

    def to_python(self, value: Any) -> int | None:
        text = str(value if value is not None else "").strip().replace("：", ":")
        if text in self.empty_values:
            return None
        if ":" in text:
            hours, _colon, minutes = text.partition(":")
            if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and int(minutes) < 60):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            return int(hours) * 60 + int(minutes)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not amount.is_finite() or amount < 0 or amount > MAX_HOURS:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return int((amount * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if value < self.min_minutes:
            minimum = hours_input(self.min_minutes) if self.min_minutes % 60 == 0 else f"0:{self.min_minutes:02d}"
            raise forms.ValidationError(self.error_messages["min_value"], code="min_value", params={"minimum": minimum})
        if value > MAX_HOURS * 60:
            raise forms.ValidationError(self.error_messages["max_value"], code="max_value", params={"maximum": MAX_HOURS})


_HOW = _("In working hours on the calendar: 9, 1.5 or 9:30 (hours:minutes).")


class SlaPolicyAdminForm(forms.ModelForm):
    """The policy's targets in hours; stored, as the clocks count them, in working minutes."""

    first_response_minutes = HoursField(label=_("first response (hours)"), help_text=_HOW)
    solution_minutes = HoursField(
        label=_("solution commitment (hours)"),
        help_text=format_lazy("{} {}", _("A plan, or an expected completion time told to the customer."), _HOW),
    )
    resolution_minutes = HoursField(label=_("resolution (hours)"), help_text=_HOW)
    escalate_after_minutes = HoursField(
        label=_("escalate after breach (hours)"),
        min_minutes=0,
        initial=SlaPolicy._meta.get_field("escalate_after_minutes").default,
        help_text=format_lazy("{} {}", _("Working time after the breach; 0: at once."), _HOW),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "priority",
            "customer_tier",
            "calendar",
            "first_response_minutes",
            "solution_minutes",
            "resolution_minutes",
            "warning_share",
            "escalate_after_minutes",
            "position",
            "active",
        ]
