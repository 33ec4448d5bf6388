"""The quality pages: who may open them, the overview's figures and links, the tickets behind a
figure, first-time fix, the actions' pages through a whole PDCA cycle, the change archive."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.quality.models import ImprovementAction
from tests.factories import UserFactory

from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date


def _client(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    m = model("KFR-50LW")
    ship(m, "B1", 1000, D(2026, 1, 1))
    for day in (2, 3):
        fault(unit(m, "B1", purchase_date=D(2026, 1, 10)), on=D(2026, 2, day), cause="materials")
    fault(unit(m, "B9", purchase_date=D(2026, 1, 10)), on=D(2026, 2, 4))
    refresh()
    return m


def test_who_may_open_the_quality_pages(world):  # type: ignore[no-untyped-def]
    for role, status in ((Role.QUALITY_ENGINEER, 200), (Role.QUALITY_MANAGER, 200), (Role.SUPERVISOR, 200), (Role.AGENT, 403)):
        client = _client(UserFactory(role=role, data_scope=DataScope.ALL))
        assert client.get(reverse("quality:overview")).status_code == status, role
    assert Client().get(reverse("quality:overview")).status_code == 302


def test_overview_shows_rates_with_denominator_flags_and_links(world):  # type: ignore[no-untyped-def]
    page = _client(engineer(language="en")).get(reverse("quality:overview"))
    html = page.content.decode()
    assert "Fault rate per batch" in html and "data:image/svg+xml;base64," in html
    assert "no shipment volume" in html  # B9
    assert 'data-test-id="quality-missing-volumes"' in html
    assert reverse("quality:tickets") + "?model=" in html
    zh = _client(engineer(language="zh-hans"), "zh-hans").get(reverse("quality:overview")).content.decode()
    assert "批次故障率" in zh and "Fault rate per batch" not in zh


def test_tickets_behind_a_figure(world):  # type: ignore[no-untyped-def]
    client = _client(engineer())
    listed = client.get(reverse("quality:tickets"), {"model": world.pk, "batch": "B1"})
    assert listed.status_code == 200
    assert listed.content.decode().count('data-test-id="quality-ticket-row"') == 2
    by_cause = client.get(reverse("quality:tickets"), {"cause": "materials"})
    assert by_cause.content.decode().count('data-test-id="quality-ticket-row"') == 2
    outsider = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=None)
    assert _client(outsider).get(reverse("quality:tickets")).content.decode().count("quality-ticket-row") == 0


def test_first_time_fix_page(world):  # type: ignore[no-untyped-def]
    page = _client(engineer()).get(reverse("quality:ftf"))
    assert page.status_code == 200 and b"ftf-by-technician" in page.content


def test_an_action_through_the_pages(world):  # type: ignore[no-untyped-def]
    user = engineer()
    client = _client(user)
    form = client.get(reverse("quality:action_new"), {"model": world.pk, "batch": "B1", "origin": "fault_cluster"})
    assert form.status_code == 200 and 'value="B1"' in form.content.decode()
    refused = client.post(reverse("quality:action_new"), {"origin": "fault_cluster", "title": ""})
    assert refused.status_code == 200 and ImprovementAction.objects.count() == 0
    created = client.post(
        reverse("quality:action_new"),
        {
            "origin": "fault_cluster",
            "title": "B1 电容",
            "problem": "不制冷",
            "product_model": world.pk,
            "batch": "B1",
            "root_cause": "膜厚",
            "change_kind": "supplier",
            "change_content": "换供应商",
            "effective_date": "2026-01-20",
        },
    )
    action = ImprovementAction.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse("quality:action", args=[action.pk])
    for to in ("do", "check"):
        client.post(reverse("quality:action_move", args=[action.pk]), {"to": to, "expected_version": action.version})
        action.refresh_from_db()
    assert action.status == "check" and action.checked_at is not None
    detail = client.get(reverse("quality:action", args=[action.pk])).content.decode()
    assert 'data-test-id="quality-check-result"' in detail
    stale = client.post(reverse("quality:action_move", args=[action.pk]), {"to": "act", "expected_version": 1})
    assert stale.status_code == 302
    action.refresh_from_db()
    assert action.status == "check"
    edit = client.get(reverse("quality:action_edit", args=[action.pk]))
    assert edit.status_code == 200
    archive = client.get(reverse("quality:archive")).content.decode()
    assert "换供应商" in archive
    assert client.get(reverse("quality:actions")).content.decode().count("quality-action-row") == 1


def test_a_supervisor_reads_actions_but_cannot_write(world):  # type: ignore[no-untyped-def]
    client = _client(UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL))
    assert client.get(reverse("quality:actions")).status_code == 200
    assert client.get(reverse("quality:action_new")).status_code == 403
