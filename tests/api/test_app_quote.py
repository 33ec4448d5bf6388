"""The customer confirms a repair quote in the company's app (docs/api-app.md, "Confirm a repair
quote"): reads the quotes of their ticket, confirms the one they read (If-Match), through the
service the quote link calls — recorded as the portal's, the technician told; staff keep their
own path, other customers see nothing, a quote changed since it was read is not confirmed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from aftersales.accounts.models import DataScope, Role, User
from aftersales.api.models import KeyKind
from aftersales.api.services import api_key_create
from aftersales.api.signin import APP_SCOPES
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.fieldservice import services as fs
from aftersales.fieldservice.models import ChargePolicy, WorkOrder
from aftersales.notifications.models import Notification
from aftersales.tickets.models import Ticket, TicketEvent
from tests.api.conftest import ApiClient, api_client, customer_user
from tests.factories import CustomerFactory, UserFactory
from tests.fieldservice.helpers import agent, dispatcher, fresh, in_progress_ticket, technician, unit_out_of_warranty, walk_to

pytestmark = pytest.mark.django_db


@dataclass
class Job:
    ticket: Ticket
    work_order: WorkOrder
    tech: User
    customer: User
    app: ApiClient  # the customer's sign-in token

    @property
    def quotes(self) -> str:
        return f"/api/v1/tickets/{self.ticket.number}/quotes"

    def confirm(self, client: ApiClient, etag: str | None, number: str | None = None) -> Any:
        headers = {"If-Match": etag} if etag else {}
        return client.post(f"{self.quotes}/{number or self.work_order.number}/confirm", {}, headers=headers)


def sign_in_token(user: User) -> ApiClient:
    """A token as ``POST /auth/token`` makes it (kind sign_in, the app's scopes, an expiry)."""
    expires = clock.now() + dt.timedelta(days=90)
    created = api_key_create(name="iPhone", owner=user, scopes=APP_SCOPES, actor=user, kind=KeyKind.SIGN_IN, expires_at=expires)
    return ApiClient(created.secret)


def chargeable_job(username: str = "app-customer") -> Job:
    ChargePolicy.objects.create(
        name="2026", labour_cost_per_hour=Decimal("60"), labour_price_per_hour=Decimal("120"), valid_from=dt.date(2020, 1, 1)
    )
    handler, tech = agent(), technician()
    ticket, measure = in_progress_ticket(actor=handler, unit=unit_out_of_warranty())
    work_order = walk_to(fs.work_order_create(measure=measure, actor=handler), "accepted", boss=dispatcher(), tech=tech)
    assert work_order.chargeable
    user = customer_user(ticket, username)
    return Job(ticket=ticket, work_order=work_order, tech=tech, customer=user, app=sign_in_token(user))


def quote(job: Job, hours: str = "2") -> None:
    fs.work_order_prepare_quote(work_order=fresh(job.work_order), actor=job.tech, estimated_hours=hours)


def test_the_customer_reads_the_quote_and_confirms_it_in_the_app_as_by_the_link() -> None:
    job = chargeable_job()
    assert job.app.get(job.quotes).json() == []  # nothing quoted yet
    quote(job)

    listed = job.app.get(job.quotes)

    assert listed.status_code == 200, listed.content
    [item] = listed.json()
    wo = fresh(job.work_order)
    assert (item["work_order"], item["total"], item["confirmed_at"], item["confirmed_via"]) == (
        wo.number,
        f"{wo.quote_total:.2f}",
        None,
        "",
    )
    assert item["lines"] and item["etag"] == f'"v{wo.version}"' and item["status"] == "accepted"
    assert job.confirm(job.app, None).status_code == 428
    told_before = Notification.objects.filter(user=job.tech, template="fieldservice.job").count()
    assert job.confirm(job.app, '"v0"').status_code == 412
    assert fresh(job.work_order).quote_confirmed_at is None

    confirmed = job.confirm(job.app, item["etag"])

    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    wo = fresh(job.work_order)
    assert wo.quote_confirmed_at is not None and wo.quote_confirmed_via == "portal"
    assert body["confirmed_via"] == "portal" and body["etag"] == confirmed["ETag"] == f'"v{wo.version}"'
    assert AuditEvent.objects.filter(action="fieldservice.quote_confirmed", object_id=str(wo.pk)).count() == 1
    entry = TicketEvent.objects.filter(ticket=job.ticket, data__action="quote_confirmed").get()
    assert entry.public
    assert Notification.objects.filter(user=job.tech, template="fieldservice.job").count() == told_before + 1
    again = job.confirm(job.app, body["etag"])
    assert again.status_code == 409 and again.json()["code"] == "quote_confirmed"


def test_staff_keep_their_own_path_and_other_customers_see_nothing() -> None:
    job = chargeable_job()
    quote(job)
    etag = f'"v{fresh(job.work_order).version}"'
    staff = api_client(agent())

    refused = job.confirm(staff, etag)
    assert refused.status_code == 403 and refused.json()["code"] == "customer_only"
    assert [q["work_order"] for q in staff.get(job.quotes).json()] == [job.work_order.number]  # staff may read it
    other = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, username="stranger")
    CustomerFactory(user=other, phone="13900000009")
    stranger = sign_in_token(other)  # another customer's own token
    assert stranger.get(job.quotes).status_code == 404
    assert job.confirm(stranger, etag).status_code == 404
    unknown = job.confirm(job.app, etag, number="WO000000000000")
    assert unknown.status_code == 404 and unknown.json()["code"] == "quote_not_found"
    read_only = api_client(job.customer, scopes=["tickets:read"])
    assert job.confirm(read_only, etag).json()["code"] == "scope_missing"
    assert fresh(job.work_order).quote_confirmed_at is None


def test_a_quote_changed_after_the_customer_read_it_is_not_confirmed() -> None:
    job = chargeable_job()
    quote(job, hours="1")
    seen = job.app.get(job.quotes).json()[0]
    quote(job, hours="3")  # the technician re-estimates: a higher total

    stale = job.confirm(job.app, seen["etag"])

    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    assert fresh(job.work_order).quote_confirmed_at is None
    now = job.app.get(job.quotes).json()[0]
    assert (seen["total"], now["total"]) == ("120.00", "360.00")  # the labour, 120.00 an hour
    assert job.confirm(job.app, now["etag"]).status_code == 200
