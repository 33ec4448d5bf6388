import json

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_health_reports_the_database_reachable_without_login(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert json.loads(response.content) == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_answers_503_when_the_database_fails(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused to secret-host:5432")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get(reverse("health"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "error", "database": "OperationalError"}
    assert "secret-host" not in response.content.decode()


def test_home_sends_visitors_to_login_and_staff_to_their_home_page(client, agent_client):
    assert client.get("/").url == reverse("accounts:login")
    assert agent_client.get("/").url == reverse("desk:home")  # each role's page: tests/web/test_role_homes.py
