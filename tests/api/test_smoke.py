from __future__ import annotations

import pytest

from tests.api.conftest import api_client


@pytest.mark.django_db
def test_a_staff_key_reads_a_ticket_with_its_etag(world):
    client = api_client(world["agent"])
    number = world["east_ticket"].number
    response = client.get(f"/api/v1/tickets/{number}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == number
    assert response["ETag"] == f'"v{world["east_ticket"].version}"'
    assert "start_verification" in body["actions"]
