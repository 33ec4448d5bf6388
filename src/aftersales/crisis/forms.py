"""The forms of the crisis pages (each posts to one service)."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.catalog.models import ProductModel

from .models import Audience, CrisisLevel, CrisisStatus, CrisisType, EmergencyPlan, TeamRole


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
