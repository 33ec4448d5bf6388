from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.exports.registry import kinds_for_user

from .models import Frequency, Weekday


class SubscriptionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"))
    name = forms.CharField(label=_("Name"), max_length=100, required=False, help_text=_("Empty: the report's title."))
    filters = forms.CharField(
        label=_("Filters"),
        required=False,
        max_length=4000,
        help_text=_("The list page's filters (its address after “?”); empty for the whole list."),
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices, initial=Frequency.DAILY)
    send_time = forms.TimeField(
        label=_("Send at"),
        initial="08:00",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Beijing time."),
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"),
        choices=[("", "—"), *Weekday.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Weekly reports only."),
    )
    day_of_month = forms.IntegerField(
        label=_("Day of the month"),
        min_value=1,
        max_value=31,
        required=False,
        help_text=_("Monthly reports only; past the month's last day, its last day."),
    )
    recipients = forms.CharField(
        label=_("Recipients"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "translate": "no"}),
        help_text=_("Email addresses inside the company, one per line or separated by commas."),
    )
    language = forms.ChoiceField(label=_("Language of the file and the email"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.key, str(k.title)) for k in kinds_for_user(user)]
