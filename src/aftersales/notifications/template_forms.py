"""Forms of the template pages (validation of the texts is the services')."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .template_events import LANGUAGE_LABELS


class NotificationTemplateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    expected_state = forms.CharField(required=False, widget=forms.HiddenInput)


class ReplyTemplateForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    language = forms.ChoiceField(label=_("Language"), choices=list(LANGUAGE_LABELS.items()))
    category = forms.CharField(
        label=_("Category"), required=False, max_length=100, help_text=_("Optional, e.g. Delays or Revisits.")
    )
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    active = forms.BooleanField(label=_("In use (agents see it)"), required=False, initial=True)
    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)
