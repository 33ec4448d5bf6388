from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices)
    file = forms.FileField(label=_("File (.xlsx or .csv)"))

    def __init__(self, *args: object, kinds: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["kind"]
        field.choices = [(k, label) for k, label in ImportKind.choices if k in kinds]  # type: ignore[attr-defined]
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv"
