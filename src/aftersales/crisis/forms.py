"""The forms of the crisis pages (each posts to one service)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.catalog.models import ProductModel
from aftersales.parts.models import Stock

from .models import Audience, CrisisLevel, CrisisStatus, CrisisType, Currency, EmergencyPlan, TeamRole


def _staff() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Member of staff"),
        queryset=User.objects.filter(is_active=True).filter(~Q(role=Role.CUSTOMER)).order_by("username"),
    )


class ConfirmAlertForm(forms.Form):
    level = forms.ModelChoiceField(label=_("Level"), queryset=CrisisLevel.objects.all())
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    plan = forms.ModelChoiceField(label=_("Emergency plan"), queryset=EmergencyPlan.objects.filter(active=True), required=False)


class DismissAlertForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class OpenCrisisForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    crisis_type = forms.ChoiceField(label=_("Crisis type"), choices=CrisisType.choices)
    level = forms.ModelChoiceField(label=_("Level"), queryset=CrisisLevel.objects.all())
    plan = forms.ModelChoiceField(label=_("Emergency plan"), queryset=EmergencyPlan.objects.filter(active=True), required=False)
    is_drill = forms.BooleanField(label=_("This is a drill"), required=False)
    models = forms.ModelMultipleChoiceField(label=_("Affected models"), queryset=ProductModel.objects.all(), required=False)
    batches = forms.CharField(label=_("Affected batches"), required=False, max_length=500, help_text=_("Separated by commas."))
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=5000)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Status"), choices=CrisisStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    lessons = forms.CharField(label=_("Lessons"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    improvements = forms.CharField(
        label=_("Improvement actions"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class LevelForm(forms.Form):
    level = forms.ModelChoiceField(label=_("Level"), queryset=CrisisLevel.objects.all())
    version = forms.IntegerField(widget=forms.HiddenInput)


class MemberForm(forms.Form):
    user = _staff()
    role = forms.ChoiceField(label=_("Role"), choices=TeamRole.choices)


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("username"),
        required=False,
    )
    due_at = forms.DateTimeField(label=_("Due"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class CommunicationForm(forms.Form):
    audience = forms.ChoiceField(label=_("Audience"), choices=[(a.value, a.label) for a in Audience if a != Audience.CUSTOMERS])
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class NoticeForm(forms.Form):
    body = forms.CharField(
        label=_("Notice to the affected customers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text=_("Sent to every affected customer by in-app message, e-mail and SMS, as each has consented."),
    )


class LinkTicketsForm(forms.Form):
    numbers = forms.CharField(label=_("Ticket numbers"), max_length=2000, help_text=_("Separated by commas or spaces."))


class EmergencyStockField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Stock) -> str:  # type: ignore[override]
        return _("%(number)s %(part)s · %(warehouse)s (%(available)d available)") % {
            "number": obj.part.number,
            "part": obj.part.name,
            "warehouse": obj.warehouse.display_name,
            "available": obj.available,
        }


class PartsForm(forms.Form):
    stock = EmergencyStockField(
        label=_("Emergency reserve"),
        queryset=Stock.objects.filter(emergency_reserve__gt=0).select_related("part", "warehouse").order_by("part__number", "pk"),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10000)


class TechnicianForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Technician"), queryset=User.objects.filter(is_active=True, role=Role.TECHNICIAN).order_by("username")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class BudgetForm(forms.Form):
    amount = forms.DecimalField(label=_("Budget"), min_value=0, max_digits=12, decimal_places=2)
    currency = forms.ChoiceField(label=_("Currency"), choices=Currency.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExpenseForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount spent"), min_value=0.01, max_digits=12, decimal_places=2)
    description = forms.CharField(label=_("What for"), max_length=200)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Improvement action"), max_length=200)
    problem = forms.CharField(
        label=_("Problem statement"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text=_("Empty: the crisis's summary and lessons."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("username"),
        required=False,
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
