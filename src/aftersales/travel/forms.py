"""The forms of the travel pages: they read what a person typed; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.fieldservice.models import ExpenseStatus

from .models import AdvanceStatus, PaymentMethod, ReimbursementStatus

# The queue's advance filter beyond the statuses: paid advances overdue for settlement.
OVERDUE = "overdue"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AdvanceRequestForm(forms.Form):
    purpose = forms.CharField(label=_("purpose"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    amount = forms.DecimalField(
        label=_("amount (CNY)"), max_digits=12, decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"})
    )
    trip_from = forms.DateField(label=_("trip from"), widget=DATE)
    trip_until = forms.DateField(label=_("trip until"), widget=DATE)
    work_orders = forms.MultipleChoiceField(
        label=_("work orders"), required=False, choices=(), widget=forms.CheckboxSelectMultiple
    )
    # A fresh key per form shown: the same form sent twice makes one advance.
    idempotency_key = forms.CharField(required=False, max_length=128, widget=forms.HiddenInput)

    def __init__(self, *args: Any, work_orders: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["work_orders"].choices = work_orders or []  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(forms.Form):
    pass


class PaymentForm(forms.Form):
    method = forms.ChoiceField(label=_("payment method"), choices=PaymentMethod.choices)
    reference = forms.CharField(label=_("payment reference"), max_length=64)


class QueueFilterForm(forms.Form):
    technician = forms.CharField(label=_("Technician"), max_length=64, required=False)
    claim_status = forms.ChoiceField(label=_("Expense claims"), choices=ExpenseStatus.choices, required=False)
    advance_status = forms.ChoiceField(
        label=_("Cash advances"),
        choices=[("", _("Waiting")), *AdvanceStatus.choices, (OVERDUE, _("Overdue for settlement"))],
        required=False,
    )
    reimbursement_status = forms.ChoiceField(
        label=_("Reimbursements"), choices=[("", _("All")), *ReimbursementStatus.choices], required=False
    )
