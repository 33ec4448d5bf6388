"""The customer's survey link: the survey's token, signed so it cannot be guessed or altered."""

from __future__ import annotations

from django.core import signing
from django.urls import NoReverseMatch, reverse

from aftersales.core.links import absolute_url

from .models import Survey

SALT = "aftersales.feedback.survey"


def survey_signed_token(*, survey: Survey) -> str:
    """The value in the customer's link: the survey's token, signed so it cannot be guessed or altered."""
    return signing.Signer(salt=SALT).sign(survey.token)


def survey_link(*, survey: Survey) -> str:
    signed = survey_signed_token(survey=survey)
    try:
        return reverse("feedback:survey", kwargs={"token": signed})
    except NoReverseMatch:  # the survey page is not wired yet
        return f"/feedback/{signed}/"


def survey_url(*, survey: Survey) -> str:
    """The survey link a message carries: absolute under ``AFTERSALES_SITE_URL``."""
    return absolute_url(survey_link(survey=survey))


def survey_token_of(signed_token: str) -> str | None:
    """The token inside a signed link; None for a forged or altered one."""
    try:
        return signing.Signer(salt=SALT).unsign(signed_token)
    except signing.BadSignature:
        return None
