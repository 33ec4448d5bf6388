"""The form and the API body of ``promise_solution_date`` (declared in ``tickets.actions_promise``).

They parse input only; ``process.promise.ticket_promise_solution_date`` says what is refused.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _
from pydantic import Field

from .action_forms import ActionForm, reason_field
from .action_schemas import Input, IsoDate
from .forms import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class PromiseSolutionDateForm(ActionForm):
    title = _("Promise a solution date")
    submit_label = _("Tell the customer")
    promised_date = forms.DateField(label=_("Solved by (date)"), widget=DateInput)
    promised_time = forms.TimeField(
        label=_("Time (optional)"),
        required=False,
        widget=TimeInput(),
        help_text=_("Without a time the promise holds until the end of the day."),
    )
    reason = reason_field(_("Why it takes until then (sent to the customer)"))


class PromiseSolutionDateInput(Input):
    promised_date: IsoDate = Field(description="The date by which the problem will be solved (Asia/Shanghai).")
    promised_time: dt.time | None = Field(
        default=None, description="Optional time on that date (HH:MM); without it, the end of the day."
    )
    reason: str = Field(max_length=2000, description="Why it takes until then; the customer reads it.")
