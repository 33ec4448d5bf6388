"""The revisits' forms: the queue's filters, the call record, cancelling."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.tickets.choices import RequestType

from .models import CallOutcome, RevisitReason, RevisitStatus
from .services import CallInput

RATINGS = [("", "—"), *[(str(n), str(n)) for n in range(5, 0, -1)]]
NPS = [("", "—"), *[(str(n), str(n)) for n in range(10, -1, -1)]]


class QueueForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("open", _("Open")), *RevisitStatus.choices, ("all", _("All statuses"))],
        required=False,
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=[("", _("All reasons")), *RevisitReason.choices], required=False)
    who = forms.ChoiceField(
        label=_("Whose"),
        choices=[("", _("All I see")), ("mine", _("Mine")), ("unassigned", _("Not assigned"))],
        required=False,
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    q = forms.CharField(label=_("Customer"), max_length=64, required=False)


def _rating(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=RATINGS, coerce=int, empty_value=None, required=False)


class CallForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did the call go?"), choices=CallOutcome.choices, widget=forms.RadioSelect, required=False
    )
    overall = _rating(_("Overall satisfaction"))
    speed = _rating(_("Speed"))
    attitude = _rating(_("Attitude"))
    professionalism = _rating(_("Professionalism"))
    result = _rating(_("Result"))
    nps = forms.TypedChoiceField(
        label=_("How likely to recommend us (0–10)"), choices=NPS, coerce=int, empty_value=None, required=False
    )
    comment = forms.CharField(
        label=_("Notes of the call"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000
    )
    new_problem = forms.CharField(
        label=_("New problem raised"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
        help_text=_("Registers a new ticket for the customer, linked to this revisit."),
    )
    new_problem_type = forms.ChoiceField(
        label=_("Kind of request"), choices=RequestType.choices, initial=RequestType.REPAIR, required=False
    )
    complaint_staff = forms.ModelChoiceField(
        label=_("Complaint about"),
        queryset=User.objects.none(),
        required=False,
        empty_label="—",
    )
    complaint = forms.CharField(
        label=_("Complaint about staff"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("display_name", "username")
        self.fields["complaint_staff"].queryset = staff  # type: ignore[attr-defined]

    def call_input(self) -> CallInput:
        c: dict[str, Any] = self.cleaned_data
        return CallInput(
            outcome=c["outcome"] or "",
            overall=c["overall"],
            speed=c["speed"],
            attitude=c["attitude"],
            professionalism=c["professionalism"],
            result=c["result"],
            nps=c["nps"],
            comment=c["comment"],
            new_problem=c["new_problem"],
            new_problem_type=c["new_problem_type"] or RequestType.REPAIR,
            complaint=c["complaint"],
            complaint_staff_id=c["complaint_staff"].pk if c["complaint_staff"] else None,
        )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Why is it cancelled?"), max_length=2000, required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
