"""The acceptance of results on API v1: the two actions follow from their declarations, the
list filters by the new status, the customer still reads "resolved"."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import Severity
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_close
from tests.api.conftest import api_client, customer_user
from tests.clients import client_for_language
from tests.factories import UserFactory
from tests.feedback.helpers import resolved
from tests.tickets.process_helpers import agent, refreshed

pytestmark = pytest.mark.django_db


def _waiting() -> Ticket:
    handler = agent()
    ticket = resolved(handler)
    Ticket.objects.filter(pk=ticket.pk).update(severity=Severity.SERIOUS)
    return ticket_close(ticket=refreshed(ticket), actor=handler)


def test_the_list_filters_by_the_status():
    waiting = _waiting()
    resolved()
    client = api_client(UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL))
    listed = client.get("/api/v1/tickets", {"status": "awaiting_acceptance"})
    assert listed.status_code == 200, listed.content
    assert [t["number"] for t in listed.json()["items"]] == [waiting.number]


def test_the_quality_manager_accepts_through_the_api():
    waiting = _waiting()
    client = api_client(UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL))

    read = client.get(f"/api/v1/tickets/{waiting.number}/actions")
    assert {"accept_result", "return_for_rework"} <= set(read.json()["actions"])
    refused = api_client(agent()).post(
        f"/api/v1/tickets/{waiting.number}/actions/accept-result", {"comment": ""}, headers={"If-Match": read["ETag"]}
    )
    assert refused.status_code == 403
    missing = client.post(
        f"/api/v1/tickets/{waiting.number}/actions/return-for-rework", {"reason": ""}, headers={"If-Match": read["ETag"]}
    )
    assert missing.status_code == 422

    accepted = client.post(
        f"/api/v1/tickets/{waiting.number}/actions/accept-result", {"comment": "照片齐全"}, headers={"If-Match": read["ETag"]}
    )
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "closed"


def test_the_customer_reads_resolved_while_the_ticket_waits():
    waiting = _waiting()
    assert waiting.status == "awaiting_acceptance"
    user = customer_user(waiting)
    client = api_client(user)
    read = client.get(f"/api/v1/tickets/{waiting.number}").json()
    assert read["status"] == "resolved" and read["status_label"] in {"已解决待确认", "Resolved, awaiting confirmation"}
    assert [t["status"] for t in client.get("/api/v1/tickets").json()["items"]] == ["resolved"]
    staff = api_client(UserFactory(role=Role.QUALITY_MANAGER, data_scope=DataScope.ALL))
    assert staff.get(f"/api/v1/tickets/{waiting.number}").json()["status"] == "awaiting_acceptance"
    portal = client_for_language(user, "zh-hans")
    page = portal.get(f"/portal/tickets/{waiting.number}/").content.decode()
    assert "已解决待确认" in page and "待质量验收" not in page
