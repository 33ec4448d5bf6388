"""The customer's signed link to an appraisal's result (the portal page where they accept it or
ask for a re-appraisal), absolute under ``AFTERSALES_SITE_URL`` like ``notifications.links``.

A token names the appraisal and its ticket's customer inside a signature, never by a guessable
id alone, and expires after ``PORTAL_LINK_MAX_AGE_DAYS``.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from aftersales.core.errors import NotFound
from aftersales.core.links import absolute_url

from .models import Appraisal

SALT = "aftersales.appraisal.result"


def appraisal_token(appraisal: Appraisal) -> str:
    return signing.dumps({"a": appraisal.pk, "c": appraisal.ticket.customer_id}, salt=SALT, compress=True)


def appraisal_ids(token: str) -> tuple[int, int]:
    """(appraisal id, customer id) of a valid, unexpired token; ``NotFound`` for anything else."""
    max_age = getattr(settings, "PORTAL_LINK_MAX_AGE_DAYS", 60) * 86400
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
        return int(payload["a"]), int(payload["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound("invalid appraisal link") from None


def appraisal_result_path(appraisal: Appraisal) -> str:
    return reverse("portal:appraisal_by_link", kwargs={"token": appraisal_token(appraisal)})


def appraisal_result_url(appraisal: Appraisal) -> str:
    return absolute_url(appraisal_result_path(appraisal))
