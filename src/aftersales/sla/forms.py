"""Forms of the calendars pages: the State Council's notice for a year, one day by hand."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
