"""The customer declines a repair quote in the company's app (docs/api-app.md, "Decline a repair
quote"): ``POST /tickets/{number}/quotes/{wo}/decline`` beside confirm, with an optional reason and
the quote's etag; recorded as the app's, the job stops, staff are told. Staff record a refusal
given on site with the work order's action ``decline-quote``; other customers see nothing."""

from __future__ import annotations

from typing import Any

import pytest

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.fieldservice.models import WorkOrderStatus
from aftersales.notifications.models import Notification
from tests.api.conftest import ApiClient, api_client
from tests.api.test_app_quote import Job, chargeable_job, quote, sign_in_token
from tests.factories import CustomerFactory, UserFactory
from tests.fieldservice.helpers import agent, fresh

pytestmark = pytest.mark.django_db
W = WorkOrderStatus


def decline(job: Job, client: ApiClient, etag: str | None, body: dict[str, Any] | None = None, number: str = "") -> Any:
    headers = {"If-Match": etag} if etag else {}
    return client.post(f"{job.quotes}/{number or job.work_order.number}/decline", body or {}, headers=headers)


def test_the_customer_declines_the_quote_in_the_app_with_a_reason() -> None:
    job = chargeable_job()
    quote(job)
    [item] = job.app.get(job.quotes).json()
    assert (item["declined_at"], item["declined_via"], item["decline_reason"]) == (None, "", "")
    boss = fresh(job.work_order).dispatched_by
    told_before = Notification.objects.filter(user=boss, template="fieldservice.job").count()
    assert decline(job, job.app, None).status_code == 428
    assert decline(job, job.app, '"v0"').status_code == 412
    too_long = decline(job, job.app, item["etag"], {"reason": "贵" * 1001})
    assert too_long.status_code == 422
    assert fresh(job.work_order).quote_declined_at is None

    declined = decline(job, job.app, item["etag"], {"reason": "价格太高，再考虑"})

    assert declined.status_code == 200, declined.content
    body = declined.json()
    wo = fresh(job.work_order)
    assert wo.status == W.QUOTE_DECLINED and body["status"] == "quote_declined"
    assert (wo.quote_declined_via, wo.quote_declined_by, wo.quote_decline_reason) == ("app", job.customer, "价格太高，再考虑")
    assert (body["declined_via"], body["decline_reason"]) == ("app", "价格太高，再考虑") and body["declined_at"]
    assert body["etag"] == declined["ETag"] == f'"v{wo.version}"'
    assert AuditEvent.objects.filter(action="fieldservice.status.quote_declined", object_id=str(wo.pk)).count() == 1
    assert Notification.objects.filter(user=boss, template="fieldservice.job").count() == told_before + 1
    # Answered: neither confirmed nor declined again (409, the reason in its code).
    confirmed = job.app.post(f"{job.quotes}/{wo.number}/confirm", {}, headers={"If-Match": body["etag"]})
    assert confirmed.status_code == 409 and confirmed.json()["code"] == "quote_declined"
    again = decline(job, job.app, body["etag"])
    assert again.status_code == 409 and again.json()["code"] == "quote_declined"


def test_a_confirmed_quote_is_not_declined() -> None:
    job = chargeable_job()
    quote(job)
    etag = job.app.get(job.quotes).json()[0]["etag"]
    confirmed = job.app.post(f"{job.quotes}/{job.work_order.number}/confirm", {}, headers={"If-Match": etag})
    refused = decline(job, job.app, confirmed.json()["etag"])
    assert refused.status_code == 409 and refused.json()["code"] == "quote_confirmed"
    assert fresh(job.work_order).status == W.ACCEPTED


def test_staff_keep_their_own_path_and_other_customers_see_nothing() -> None:
    job = chargeable_job()
    quote(job)
    etag = f'"v{fresh(job.work_order).version}"'
    refused = decline(job, api_client(agent()), etag)
    assert refused.status_code == 403 and refused.json()["code"] == "customer_only"
    other = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, username="stranger")
    CustomerFactory(user=other, phone="13900000009")
    assert decline(job, sign_in_token(other), etag).status_code == 404
    unknown = decline(job, job.app, etag, number="WO000000000000")
    assert unknown.status_code == 404 and unknown.json()["code"] == "quote_not_found"
    read_only = api_client(job.customer, scopes=["tickets:read"])
    assert decline(job, read_only, etag).json()["code"] == "scope_missing"
    assert fresh(job.work_order).quote_declined_at is None


def test_the_technician_records_a_refusal_on_site_through_the_work_order_action() -> None:
    job = chargeable_job()
    quote(job)
    number = job.work_order.number
    tech = api_client(job.tech)
    read = tech.get(f"/api/v1/work-orders/{number}")
    assert {"confirm_quote", "decline_quote"} <= set(read.json()["actions"])
    etag = str(read["ETag"])
    recorded = tech.post(
        f"/api/v1/work-orders/{number}/actions/decline-quote", {"reason": "客户不修了"}, headers={"If-Match": etag}
    )
    assert recorded.status_code == 200, recorded.content
    wo = fresh(job.work_order)
    assert (wo.status, wo.quote_declined_via, wo.quote_declined_by) == (W.QUOTE_DECLINED, "on_site", job.tech)
    after = tech.get(f"/api/v1/work-orders/{number}").json()
    assert after["quote_declined"] is True and after["status"] == "quote_declined"
    # The customer reads it on their quotes.
    [item] = job.app.get(job.quotes).json()
    assert (item["declined_via"], item["decline_reason"]) == ("on_site", "客户不修了")
    # Another technician may not record it.
    stranger = api_client(UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN))
    assert stranger.post(f"/api/v1/work-orders/{number}/actions/decline-quote", {}, headers={"If-Match": '"v1"'}).status_code in {
        403,
        404,
    }
