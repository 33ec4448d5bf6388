from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .config import QUESTION_LABELS, comment_prompt
from .models import NPS, RATING_FIELDS, SOLVED, SendDelay, Survey

RATING_CHOICES = [(5, _("5 – very satisfied")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 – very dissatisfied"))]
NPS_CHOICES = [
    ("", _("No answer")),
    (10, _("10 – extremely likely")),
    *[(n, str(n)) for n in range(9, 0, -1)],
    (0, _("0 – not at all likely")),
]


def _rating(label: object, *, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=required,
        coerce=int,
        empty_value=None,
        choices=RATING_CHOICES if required else [("", _("No answer")), *RATING_CHOICES],
        widget=forms.RadioSelect if required else forms.Select,
    )


class SurveyForm(forms.Form):
    """满意度评价表 with the survey's own questions, in its order: "solved?" (required), overall
    1–5 (required), the other aspects (optional), the 0–10 recommendation (optional), a comment."""

    def __init__(self, *args: object, survey: Survey, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name in survey.asked:
            if name == SOLVED:
                self.fields[SOLVED] = forms.TypedChoiceField(
                    label=QUESTION_LABELS[SOLVED],
                    coerce=lambda v: v == "yes",
                    choices=[("yes", _("Yes")), ("no", _("No"))],
                    widget=forms.RadioSelect,
                )
            elif name == NPS:
                self.fields[NPS] = forms.TypedChoiceField(
                    label=QUESTION_LABELS[NPS], required=False, coerce=int, empty_value=None, choices=NPS_CHOICES
                )
            elif name in RATING_FIELDS:
                self.fields[name] = _rating(QUESTION_LABELS[name], required=name == "overall")
        self.fields["comment"] = forms.CharField(
            label=comment_prompt(survey.settings_version),
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 4}),
        )


ORDER_CHOICES = [(n, str(n)) for n in range(1, len(RATING_FIELDS) + 1)]


class SurveySettingsForm(forms.Form):
    """The administrator's settings page: each aspect on or off with its place, the other
    questions, the comment prompt in both languages, the timing."""

    ask_solved = forms.BooleanField(label=QUESTION_LABELS[SOLVED], required=False)
    ask_nps = forms.BooleanField(label=_("How likely to recommend us (0–10, the NPS)"), required=False)
    comment_prompt_zh = forms.CharField(
        label=_("Comment prompt (Chinese)"), required=False, max_length=200, help_text=_("Empty: “Comment”.")
    )
    comment_prompt_en = forms.CharField(label=_("Comment prompt (English)"), required=False, max_length=200)
    delay = forms.ChoiceField(label=_("When to send"), choices=SendDelay.choices, widget=forms.RadioSelect)
    delay_hours = forms.IntegerField(label=_("Hours after the resolution"), required=False, min_value=1, max_value=720)
    send_time = forms.TimeField(
        label=_("Time of day on the next working day"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    calendar = forms.TypedChoiceField(label=_("Business calendar"), required=False, coerce=int, empty_value=None)
    reminder_days = forms.IntegerField(
        label=_("Reminder after (days)"), required=False, min_value=1, max_value=365, help_text=_("Empty: no reminder.")
    )
    valid_days = forms.IntegerField(label=_("Link valid for (days)"), min_value=1, max_value=365)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, calendars: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["calendar"].choices = [("", _("The office calendar")), *calendars]  # type: ignore[attr-defined]
        for position, name in enumerate(RATING_FIELDS, start=1):
            self.fields[f"ask_{name}"] = forms.BooleanField(label=QUESTION_LABELS[name], required=False)
            self.fields[f"order_{name}"] = forms.TypedChoiceField(
                label=_("Place"),
                choices=ORDER_CHOICES,
                coerce=int,
                initial=position,
                widget=forms.Select(attrs={"aria-label": QUESTION_LABELS[name]}),
            )

    def aspect_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"ask_{name}"], self[f"order_{name}"]) for name in RATING_FIELDS]

    def aspects(self) -> list[str]:
        """The aspects ticked, by their place (ties: the list's order)."""
        data = self.cleaned_data
        ticked = [name for name in RATING_FIELDS if data.get(f"ask_{name}")]
        return sorted(ticked, key=lambda n: (data.get(f"order_{n}") or 99, RATING_FIELDS.index(n)))
