"""An improvement action's before/after fault rates (per 1,000 units) on its page and in the
change archive use the ``rate`` filter: a rate above zero never reads 0.00."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aftersales.quality.models import ImprovementAction

from .helpers import engineer, model

pytestmark = pytest.mark.django_db


def _client(user, language: str) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


def _checked_action(user) -> ImprovementAction:  # type: ignore[no-untyped-def]
    client = _client(user, "en")
    client.post(
        reverse("quality:action_new"),
        {
            "origin": "fault_cluster",
            "title": "B1 电容",
            "problem": "不制冷",
            "product_model": model("KFR-50LW").pk,
            "batch": "B1",
            "root_cause": "膜厚",
            "change_kind": "supplier",
            "change_content": "换供应商",
            "effective_date": "2026-01-20",
        },
    )
    action = ImprovementAction.objects.get()
    # A very large fleet: one faulty unit in 2.5 million is 0.0004 per 1,000, which two decimals show as 0.00.
    ImprovementAction.objects.filter(pk=action.pk).update(
        check_before_units=2_500_000,
        check_before_faulty=1,
        check_after_units=0,
        check_after_faulty=0,
        check_p_value=0.5,
        check_passed=False,
        checked_at=timezone.make_aware(dt.datetime(2026, 3, 1)),
        status="check",
    )
    return ImprovementAction.objects.get(pk=action.pk)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_tiny_non_zero_rate_never_reads_zero_on_the_action_and_the_archive(language):  # type: ignore[no-untyped-def]
    user = engineer()
    action = _checked_action(user)
    client = _client(user, language)
    detail = client.get(reverse("quality:action", args=[action.pk])).content.decode()
    assert 'data-test-id="check-before-rate">0.00040<' in detail
    assert 'data-test-id="check-after-rate">—<' in detail  # no units after the change: no rate
    archive = client.get(reverse("quality:archive")).content.decode()
    assert 'data-test-id="archive-rates">0.00040 → — ‰<' in archive
    assert "0.00 →" not in archive
