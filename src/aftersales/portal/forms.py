"""The customer's answer to a plan in the portal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class PlanAnswerForm(forms.Form):
    """Accept or decline (the button pressed), an optional note, the signed agreement if asked."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))], widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Anything you want to tell us"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    document = forms.FileField(label=_("Signed agreement"), required=False)

    def __init__(self, *args: Any, version: int, needs_document: bool, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expected_version": version})
        super().__init__(*args, **kwargs)
        if not needs_document:
            del self.fields["document"]
