"""A survey's 0–10 answer counts in the NPS beside the revisit calls' answers
(``analytics.selectors.nps.monthly_nps``): promoters 9–10, detractors 0–6, by the month of the
answer, scoped by the ticket's region."""

from __future__ import annotations

import datetime as dt

import pytest

from aftersales.analytics.selectors.nps import monthly_nps
from aftersales.feedback.services import survey_signed_token, survey_submit
from tests.clock import freeze_time
from tests.factories import RegionFactory

from .helpers import pending, resolved, utc

pytestmark = pytest.mark.django_db

MARCH, APRIL = dt.date(2026, 3, 1), dt.date(2026, 4, 1)


def _answer(nps: int | None, *, region=None) -> None:  # type: ignore[no-untyped-def]
    ticket = resolved(region=region)
    survey_submit(signed_token=survey_signed_token(survey=pending(ticket)), overall=4, solved=True, nps=nps)


def test_the_survey_answers_make_the_months_nps_scoped_by_region():
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    with freeze_time(utc(2026, 3, 10, 2)):
        _answer(10, region=east)
        _answer(9, region=east)
        _answer(3, region=west)
        _answer(None, region=west)  # not answered: not counted
    with freeze_time(utc(2026, 4, 2, 2)):
        _answer(7, region=east)  # passive

    assert monthly_nps([MARCH, APRIL]) == ([33.3, 0.0], [3, 1])
    assert monthly_nps([MARCH], region=east.pk) == ([100.0], [2])
    assert monthly_nps([MARCH], region=west.pk) == ([-100.0], [1])
