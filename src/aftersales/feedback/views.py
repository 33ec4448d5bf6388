"""The satisfaction survey, opened from the signed link sent when a ticket is resolved."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aftersales.core.link_language import in_link_owner_language
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.tickets.states import TicketStatus

from .forms import SurveyForm
from .models import SurveyStatus
from .services import survey_get_by_signed_token, survey_is_expired, survey_submit


@never_cache
@domain_errors
@require_http_methods(["GET", "POST"])
@in_link_owner_language(survey_get_by_signed_token, keyword="signed_token")
def survey(request: HttpRequest, token: str) -> HttpResponse:
    survey_obj = survey_get_by_signed_token(signed_token=token)  # a forged or unknown link: 404
    context = {"survey": survey_obj, "ticket": survey_obj.ticket, "expired": survey_is_expired(survey_obj)}
    if survey_obj.status != SurveyStatus.PENDING or context["expired"]:
        return render(request, "feedback/survey_done.html", context)
    form = SurveyForm(request.POST or None, survey=survey_obj)
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:  # invalid ratings, answered meanwhile: on the form
            survey_obj = survey_submit(signed_token=token, **form.cleaned_data)
        if not refused:
            reopened = survey_obj.ticket.status == TicketStatus.REOPENED
            done = {**context, "survey": survey_obj, "just_submitted": True, "reopened": reopened}
            return render(request, "feedback/survey_done.html", done)
    response = render(request, "feedback/survey.html", {**context, "form": form})
    # Not "no-referrer": with it browsers send "Origin: null" on the form's POST and Django's
    # CSRF check refuses the answer. "same-origin" still keeps the token from other sites.
    response["Referrer-Policy"] = "same-origin"
    return response
