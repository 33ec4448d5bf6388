"""Forms of the ticket list's saved views: they only read the input; the rules (name, filters,
sharing) are the services' (``tickets.services.saved_views``), shown back next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User

from .models.saved_view import NAME_MAX_LENGTH
from .services.saved_views import sharing_choices


class SavedViewForm(forms.Form):
    """Name and sharing of a view; on the list's "Save this view" also its filters (hidden)."""

    name = forms.CharField(
        label=_("Name"), required=False, widget=forms.TextInput(attrs={"maxlength": NAME_MAX_LENGTH, "autocomplete": "off"})
    )
    # Offered: what the user may choose; read as typed, so that the service refuses (naming the
    # field) a sharing the user may not choose instead of the form quietly dropping it.
    sharing = forms.CharField(label=_("Shared with"), required=False, widget=forms.Select)
    filters = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_sharing_choices(sharing_choices(user))

    def set_sharing_choices(self, choices: list[tuple[str, Any]]) -> None:
        widget = self.fields["sharing"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = choices
