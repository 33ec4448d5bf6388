"""The panel's one form: accept (no value) or correct (a value) one suggested field."""

from __future__ import annotations

from django import forms

from .models import TriageField


class FeedbackForm(forms.Form):
    field = forms.ChoiceField(choices=TriageField.choices)
    value = forms.CharField(required=False, max_length=32)
    expected_version = forms.IntegerField(required=False, min_value=0)
