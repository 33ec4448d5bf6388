"""The administrator's page for the satisfaction survey's settings (``/feedback/settings/``):
the questions, the comment prompt, when it is sent, the reminder and the link's validity, with
the versions saved before. Thin: the form, ``settings_services.survey_settings_save``, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from aftersales.accounts.decorators import staff_required
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import request_user
from aftersales.sla.models import Calendar

from .config import QUESTION_LABELS, SurveyConfig
from .forms import SurveySettingsForm
from .models import RATING_FIELDS
from .selectors import require_survey_settings_editor, survey_settings_current, survey_settings_history
from .settings_services import SurveySettingsInput, survey_settings_save


def _initial(config: SurveyConfig) -> dict[str, Any]:
    initial: dict[str, Any] = {
        "ask_solved": config.ask_solved,
        "ask_nps": config.ask_nps,
        "comment_prompt_zh": config.comment_prompt_zh,
        "comment_prompt_en": config.comment_prompt_en,
        "delay": config.delay,
        "delay_hours": config.delay_hours or None,
        "send_time": config.send_time,
        "calendar": config.calendar_id,
        "reminder_days": config.reminder_days,
        "valid_days": config.valid_days,
        "expected_version": config.version,
    }
    later = [name for name in RATING_FIELDS if name not in config.aspects]
    for position, name in enumerate([*config.aspects, *later], start=1):
        initial[f"ask_{name}"] = name in config.aspects
        initial[f"order_{name}"] = position
    return initial


def _input(form: SurveySettingsForm) -> SurveySettingsInput:
    data = form.cleaned_data
    return SurveySettingsInput(
        aspects=form.aspects(),
        ask_solved=bool(data.get("ask_solved")),
        ask_nps=bool(data.get("ask_nps")),
        comment_prompt_zh=data.get("comment_prompt_zh") or "",
        comment_prompt_en=data.get("comment_prompt_en") or "",
        delay=data.get("delay") or "",
        delay_hours=data.get("delay_hours"),
        send_time=data.get("send_time"),
        calendar_id=data.get("calendar"),
        reminder_days=data.get("reminder_days"),
        valid_days=data.get("valid_days"),
    )


@staff_required
@domain_errors
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    require_survey_settings_editor(user)  # administrators only: 403 for the rest of the staff
    config = survey_settings_current()
    calendars = [(c.pk, c.label) for c in Calendar.objects.order_by("name")]
    form = SurveySettingsForm(request.POST or None, calendars=calendars, initial=_initial(config))
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            survey_settings_save(actor=user, data=_input(form), expected_version=form.cleaned_data.get("expected_version"))
        if not refused:
            messages.success(request, _("The survey settings are saved. New surveys use them from now on."))
            return redirect("feedback:settings")
    context = {
        "form": form,
        "config": config,
        "questions": [QUESTION_LABELS[name] for name in config.questions],
        "history": survey_settings_history(user=user),
    }
    return render(request, "feedback/settings.html", context, status=200)
