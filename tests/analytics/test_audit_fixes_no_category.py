"""The supervisor dashboard names the column of the tickets without a category ("No category" /
"未分类"), never a bare dash."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.analytics.selectors import dashboard_grid_for_user
from tests.clients import client_for_language
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def _headers(html: str) -> list[str]:
    head = html.split("<thead>", 1)[1].split("</thead>", 1)[0]
    return re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', head)


def test_the_column_of_tickets_without_a_category_is_named():
    make_ticket(phone="13900004441")  # registered without a category
    boss = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    with translation.override("en"):
        grid = dashboard_grid_for_user(user=boss)
    assert grid.keys[-1] == 0 and grid.columns[-1] == "No category" and "—" not in grid.columns
    english = _headers(client_for_language(boss, "en").get(reverse("analytics:dashboard")).content.decode())
    assert "No category" in english and "—" not in english
    chinese = _headers(client_for_language(boss, "zh-hans").get(reverse("analytics:dashboard")).content.decode())
    assert "未分类" in chinese and "—" not in chinese
