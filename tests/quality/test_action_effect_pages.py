"""An action aimed at a factory or a supplier on the pages, the API and the export: raised from the
fault rates' row, its scope chosen from the register, its measured effect shown with the figures, the
close form suggesting the outcome the effect shows (the person decides), refusals naming the field."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from aftersales.exports.kinds.quality import ACTIONS
from aftersales.quality.models import ImprovementAction
from tests.api.conftest import api_client

from .factories_rates import register
from .helpers import engineer, fault, model, refresh, ship, unit

pytestmark = pytest.mark.django_db
D = dt.date
FOSHAN, HUADE = "佛山工厂", "宁波华德"


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    cache.clear()


def _client(user, language: str = "en") -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"Accept-Language": language})
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def plant():  # type: ignore[no-untyped-def]
    """佛山: F1 (made 2025-03, 8 faulty in their second month) before a change on 2025-06-01, F2
    (made 2025-07, none faulty) after; both with 华德's capacitor."""
    m = model("KFR-35GW")
    for batch, produced, faulty in (("F1", D(2025, 3, 5), 8), ("F2", D(2025, 7, 5), 0)):
        register(m, batch, factory=FOSHAN, month=produced.replace(day=1), components={"启动电容": HUADE})
        ship(m, batch, 1000, produced.replace(day=1, month=produced.month + 1))
        for _n in range(faulty):
            u = unit(m, batch, production_date=produced, purchase_date=produced + dt.timedelta(days=10))
            fault(u, on=produced + dt.timedelta(days=50))
    refresh()
    return m


def _raise(client: Client, **extra: Any) -> Any:
    body = {
        "origin": "fault_cluster",
        "title": "佛山焊接",
        "problem": "钎焊泄漏",
        "factory": FOSHAN,
        "change_kind": "process",
        "change_content": "钎焊温度曲线调整",
        "effective_date": "2025-06-01",
        **extra,
    }
    return client.post(reverse("quality:action_new"), body)


def test_a_factory_action_through_pdca_with_its_measured_effect(plant):  # type: ignore[no-untyped-def]
    user = engineer(language="en")
    client = _client(user)
    form = client.get(reverse("quality:action_new") + "?factory=" + quote(FOSHAN)).content.decode()
    assert f'<option value="{FOSHAN}" selected>' in form and f'<option value="{HUADE}">' in form
    assert _raise(client).status_code == 302
    action = ImprovementAction.objects.get()
    assert (action.factory, action.product_model_id) == (FOSHAN, None)
    for to in ("do", "check"):
        client.post(reverse("quality:action_move", args=[action.pk]), {"to": to, "expected_version": action.version})
        action.refresh_from_db()
    assert action.status == "check" and action.effect_verdict == "fell" and action.checked_at is None
    assert (action.effect["before_faulty"], action.effect["before_units"], action.effect["after_faulty"]) == (8, 1000, 0)
    checked = AuditEvent.objects.filter(action="quality.action_check").get()
    assert checked.changes["effect"]["verdict"] == "fell"
    page = client.get(reverse("quality:action", args=[action.pk])).content.decode()
    assert 'data-verdict="fell"' in page and 'data-testid="quality-effect-chart"' in page
    assert 'data-test-id="quality-check"' not in page  # no model: the model's check is not shown
    assert 'data-test-id="effect-before-faulty">8<' in page
    client.post(reverse("quality:action_move", args=[action.pk]), {"to": "act", "expected_version": action.version})
    action.refresh_from_db()
    page = client.get(reverse("quality:action", args=[action.pk])).content.decode()
    assert 'data-test-id="quality-suggested-outcome"' in page and '<option value="effective" selected>' in page
    # The effect fell: closing as effective needs no reason (the person still chooses).
    client.post(
        reverse("quality:action_move", args=[action.pk]),
        {"to": "closed", "outcome": "effective", "expected_version": action.version},
    )
    action.refresh_from_db()
    assert action.status == "closed" and action.outcome == "effective"


def test_the_page_in_chinese_and_an_unknown_factory_named(plant):  # type: ignore[no-untyped-def]
    client = _client(engineer(language="zh-hans"), "zh-hans")
    refused = _raise(client, factory="北京工厂")
    assert refused.status_code == 200 and ImprovementAction.objects.count() == 0
    assert "生产登记中没有工厂" in refused.content.decode()
    _raise(client)
    action = ImprovementAction.objects.get()
    client.post(reverse("quality:action_move", args=[action.pk]), {"to": "do", "expected_version": 2})
    client.post(reverse("quality:action_move", args=[action.pk]), {"to": "check", "expected_version": 3})
    page = client.get(reverse("quality:action", args=[action.pk])).content.decode()
    assert "故障率下降了" in page and "变更前" in page


def test_the_rates_rows_lead_to_their_actions(plant):  # type: ignore[no-untyped-def]
    client = _client(engineer(language="en"))
    _raise(client)
    page = client.get(reverse("quality:rates")).content.decode()
    listed = reverse("quality:actions") + "?factory=" + quote(FOSHAN)
    assert f'href="{listed}" data-test-id="quality-rate-actions-link">1 action<' in page
    # 华德 has no action yet: a writer may raise one aimed at it.
    assert reverse("quality:action_new") + "?origin=fault_cluster&amp;supplier=" + quote(HUADE) in page
    # The tickets behind the factory's rate raise an action aimed at it.
    tickets = client.get(reverse("quality:tickets") + "?pfactory=" + quote(FOSHAN)).content.decode()
    assert "factory=" + quote(FOSHAN) in tickets
    actions = client.get(listed).content.decode()
    assert actions.count('data-test-id="quality-action-row"') == 1 and FOSHAN in actions
    assert (
        client.get(reverse("quality:actions") + "?supplier=" + quote(HUADE))
        .content.decode()
        .count('data-test-id="quality-action-row"')
        == 0
    )


def test_the_api_reads_and_writes_the_scope_and_the_effect(plant):  # type: ignore[no-untyped-def]
    client = api_client(engineer())
    body = {
        "title": "华德电容",
        "problem": "电容失效",
        "supplier": HUADE,
        "component": "启动电容",
        "change_kind": "supplier",
        "change_content": "膜材更换",
        "effective_date": "2025-06-01",
        "effect_window_months": 4,
    }
    created = client.post("/api/v1/quality/actions", body, headers={"Idempotency-Key": "e-1"})
    assert created.status_code == 201, created.content
    got = created.json()
    assert got["scope"] == {"model": None, "factory": None, "supplier": HUADE, "component": "启动电容"}
    assert got["effect"]["verdict"] == "" and got["effect"]["measured_at"] is None
    etag = created["ETag"]
    moved = client.post(f"/api/v1/quality/actions/{got['id']}/transition", {"to": "do"}, headers={"If-Match": etag})
    checked = client.post(f"/api/v1/quality/actions/{got['id']}/transition", {"to": "check"}, headers={"If-Match": moved["ETag"]})
    effect = checked.json()["effect"]
    # F1's faults name no component: none is 华德's capacitor's, and no drop can show from none.
    assert [b["batch"] for b in effect["batches"]] == ["F1", "F2"] and effect["window_months"] == 4
    assert (effect["before_units"], effect["before_faulty"], effect["after_units"], effect["after_faulty"]) == (1000, 0, 1000, 0)
    assert effect["verdict"] == "too_early" and effect["reason"] == "too_few_units" and effect["suggested_outcome"] == ""
    assert effect["before_per_thousand"] == 0.0 and effect["p_value"] == 1.0
    bad = client.client.put(
        f"/api/v1/quality/actions/{got['id']}",
        json.dumps({**body, "supplier": "无名厂"}),
        content_type="application/json",
        headers=client._headers({"If-Match": checked["ETag"]}),
    )
    assert bad.status_code == 422 and [e["field"] for e in bad.json()["errors"]] == ["supplier"]


def test_the_export_has_the_scope_and_the_effect(plant):  # type: ignore[no-untyped-def]
    user = engineer(language="en")
    client = _client(user)
    _raise(client)
    action = ImprovementAction.objects.get()
    for to, version in (("do", 2), ("check", 3)):
        client.post(reverse("quality:action_move", args=[action.pk]), {"to": to, "expected_version": version})
    headers = [str(c.header) for c in ACTIONS.columns]
    rows = list(ACTIONS.rows(user, {"factory": FOSHAN}).items)
    assert len(rows) == 1 and list(ACTIONS.rows(user, {"factory": "别处"}).items) == []
    values = dict(zip(headers, (c.value(rows[0], user) for c in ACTIONS.columns), strict=True))
    assert values["Factory"] == FOSHAN and values["Measured effect"] == "The fault rate fell"
    assert values["Before: faulty per 1,000"] == 8.0 and values["After: faulty per 1,000"] == 0.0
