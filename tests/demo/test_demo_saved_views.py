"""The demo's saved views: the agent's ticket list opens with her two views and the supervisor's
shared one in the bar, each link opening the list with its filters."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.tickets.models import SavedView

pytestmark = pytest.mark.django_db


def test_the_agent_sees_her_views_and_the_supervisors_shared_one(demo_output):
    assert "Saved views: 3 views" in demo_output
    agent = User.objects.get(username="agent")
    client = Client()
    client.force_login(agent)
    html = client.get(reverse("tickets:list")).content.decode()
    names = [n.strip() for n in re.findall(r'data-test-id="saved-view" data-view-id="\d+">([^<]+)<', html)]
    assert names == ["我的紧急单", "等我回复", "SLA 已超时"]
    shared = SavedView.objects.get(name="SLA 已超时")
    assert shared.owner.username == "supervisor"
    opened = client.get(f"{reverse('tickets:list')}?{shared.query_string}").content.decode()
    assert 'aria-current="page"' in opened and opened.count('data-test-id="saved-view"') == 3


def test_loading_the_demo_again_adds_no_view(demo_output):
    from io import StringIO

    from aftersales.demo.saved_views import load_saved_views_demo

    before = SavedView.objects.count()
    out = StringIO()
    load_saved_views_demo(out)
    assert SavedView.objects.count() == before and "already loaded" in out.getvalue()
