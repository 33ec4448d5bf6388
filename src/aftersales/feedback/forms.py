from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

RATING_CHOICES = [(5, _("5 – very satisfied")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 – very dissatisfied"))]


def _rating(label: str, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=required,
        coerce=int,
        empty_value=None,
        choices=RATING_CHOICES if required else [("", _("No answer")), *RATING_CHOICES],
        widget=forms.RadioSelect if required else forms.Select,
    )


class SurveyForm(forms.Form):
    """满意度评价表: overall 1–5 required, the four dimensions optional, solved yes/no."""

    solved = forms.TypedChoiceField(
        label=_("Was your problem solved?"),
        coerce=lambda v: v == "yes",
        choices=[("yes", _("Yes")), ("no", _("No"))],
        widget=forms.RadioSelect,
    )
    overall = _rating(_("Overall satisfaction"), required=True)
    speed = _rating(_("Speed"), required=False)
    attitude = _rating(_("Attitude"), required=False)
    professionalism = _rating(_("Professionalism"), required=False)
    result = _rating(_("Result"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
