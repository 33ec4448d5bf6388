"""Personal data requests in the customer's app (docs/api-app.md, "Privacy requests"): a copy
downloaded as the portal's file, an erasure answered by staff, a correction, a withdrawal — each
through the portal's services with their audit rows; the customer's own requests only, staff
refused, creates idempotent, the operations in the OpenAPI document."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from aftersales.accounts.models import DataScope, Role, User
from aftersales.api.models import KeyKind
from aftersales.api.services import api_key_create
from aftersales.api.signin import APP_SCOPES
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.privacy.deadlines import answer_due
from aftersales.privacy.models import PrivacyRequest, RequestChannel, RequestKind, RequestStatus
from aftersales.privacy.services import privacy_request_create
from aftersales.tickets.models import Ticket
from tests.api.conftest import ApiClient, api_client, customer_user
from tests.factories import CustomerFactory, UserFactory, make_ticket

from .jobs import ready, run_export_jobs

pytestmark = pytest.mark.django_db

REQUESTS = "/api/v1/privacy/requests"


@dataclass
class AppCustomer:
    user: User
    customer: Customer
    ticket: Ticket | None
    app: ApiClient  # the customer's sign-in token, as POST /auth/token makes it


def sign_in_token(user: User, **kwargs: Any) -> ApiClient:
    expires = clock.now() + dt.timedelta(days=90)
    created = api_key_create(
        name="iPhone", owner=user, scopes=APP_SCOPES, actor=user, kind=KeyKind.SIGN_IN, expires_at=expires, **kwargs
    )
    return ApiClient(created.secret)


def app_customer(username: str, phone: str, name: str, *, with_ticket: bool = True) -> AppCustomer:
    """A customer signed in to the app; with a ticket of theirs (open), or none (erasable)."""
    if with_ticket:
        ticket = make_ticket(phone=phone, customer_name=name)
        user = customer_user(ticket, username)
        customer = Customer.objects.get(pk=ticket.customer_id)
    else:
        ticket = None
        user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, username=username)
        customer = CustomerFactory(user=user, name=name, phone=f"+86{phone}")
    return AppCustomer(user=user, customer=customer, ticket=ticket, app=sign_in_token(user))


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def me() -> AppCustomer:
    return app_customer("app.wang", "13912340001", "王芳")


@pytest.fixture
def other() -> AppCustomer:
    return app_customer("app.li", "13912340002", "李雷")


def _archive(response: Any) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def _actions(item_id: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="privacy.privacyrequest", object_id=str(item_id))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _fields(response: Any) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_the_app_asks_for_a_copy_and_downloads_the_portals_file(me):
    created = me.app.post(REQUESTS, {"kind": "export"})

    assert created.status_code == 201, created.content
    queued = created.json()
    assert queued["status"] == "received" and queued["preparing"] is True and queued["download_url"] is None
    assert created["Location"] == f"{REQUESTS}/{queued['id']}" and created["ETag"] == f'"v{queued["version"]}"'
    assert run_export_jobs() == ["built"]  # the background job
    body = me.app.get(f"{REQUESTS}/{queued['id']}").json()
    assert body["kind"] == "export" and body["status"] == "completed" and body["channel"] == "app"
    assert body["preparing"] is False
    assert body["download_url"] == f"{REQUESTS}/{body['id']}/download" and body["export_expires_at"]
    assert body["can_cancel"] is False
    item = PrivacyRequest.objects.get(pk=body["id"])
    assert item.customer == me.customer and item.requested_by == me.user

    download = me.app.get(body["download_url"])

    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert "no-store" in download["Cache-Control"]
    data = json.loads(_archive(download).read("personal-data.json"))
    assert data["customer"]["name"] == "王芳"
    assert me.ticket is not None and [t["number"] for t in data["tickets"]] == [me.ticket.number]
    # The portal's services wrote the portal's audit rows, the customer named as the actor.
    assert _actions(item.pk) == ["privacy.requested", "privacy.export_queued", "privacy.exported", "privacy.export_downloaded"]
    assert set(
        AuditEvent.objects.filter(object_id=str(item.pk), action__startswith="privacy.").values_list("actor", flat=True)
    ) == {me.user.pk}


def test_a_copy_past_its_date_is_no_longer_given(me):
    body = me.app.post(REQUESTS, {"kind": "export"}).json()
    assert run_export_jobs() == ["built"]
    PrivacyRequest.objects.filter(pk=body["id"]).update(export_expires_at=clock.now() - dt.timedelta(minutes=1))

    assert me.app.get(f"{REQUESTS}/{body['id']}").json()["download_url"] is None
    gone = me.app.get(f"{REQUESTS}/{body['id']}/download")

    assert gone.status_code == 404 and gone.json()["code"] == "export_not_available"
    assert "privacy.export_downloaded" not in _actions(body["id"])


def test_the_customer_sees_only_their_own_requests(me, other):
    mine = me.app.post(REQUESTS, {"kind": "erasure", "note": "不再使用"}).json()
    theirs = privacy_request_create(
        customer=other.customer, kind=RequestKind.EXPORT, channel=RequestChannel.PORTAL, actor=other.user
    )
    theirs = ready(theirs)

    listed = me.app.get(REQUESTS)

    assert listed.status_code == 200 and [r["id"] for r in listed.json()] == [mine["id"]]
    assert me.app.get(f"{REQUESTS}/{mine['id']}").status_code == 200
    for response in (
        me.app.get(f"{REQUESTS}/{theirs.pk}"),
        me.app.get(f"{REQUESTS}/{theirs.pk}/download"),
        me.app.post(f"{REQUESTS}/{theirs.pk}/cancel", {}, headers={"If-Match": "*"}),
    ):
        assert response.status_code == 404, response.content
        assert response.json()["code"] == "privacy_request_not_found"
    assert "privacy.export_downloaded" not in _actions(theirs.pk)
    assert PrivacyRequest.objects.get(pk=theirs.pk).status == RequestStatus.COMPLETED


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR])
def test_staff_keys_are_refused_with_the_way_staff_handle_requests(me, role):
    item = privacy_request_create(customer=me.customer, kind=RequestKind.EXPORT, channel=RequestChannel.PORTAL, actor=me.user)
    staff = api_client(UserFactory(role=role))

    answers = [
        staff.get(REQUESTS),
        staff.post(REQUESTS, {"kind": "export"}),
        staff.get(f"{REQUESTS}/{item.pk}"),
        staff.post(f"{REQUESTS}/{item.pk}/cancel", {}, headers={"If-Match": "*"}),
        staff.get(f"{REQUESTS}/{item.pk}/download"),
    ]

    assert [a.status_code for a in answers] == [403] * 5
    assert {a.json()["code"] for a in answers} == {"customer_only"}
    assert "/privacy/" in answers[0].json()["detail"]
    assert PrivacyRequest.objects.count() == 1


def test_a_customer_key_without_the_scope_is_refused(me):
    read_only = ApiClient(
        api_key_create(name="catalogue", owner=me.user, scopes=["catalog:read"], actor=None).secret  # no tickets:*
    )
    assert read_only.get(REQUESTS).json()["code"] == "scope_missing"
    assert read_only.post(REQUESTS, {"kind": "erasure"}).status_code == 403
    assert not PrivacyRequest.objects.exists()


def test_a_create_retried_with_its_idempotency_key_is_one_request(me):
    key = {"Idempotency-Key": "privacy-7f3a"}
    first = me.app.post(REQUESTS, {"kind": "export"}, headers=key)
    again = me.app.post(REQUESTS, {"kind": "export"}, headers=key)
    assert run_export_jobs() == ["built"]

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    assert PrivacyRequest.objects.filter(customer=me.customer).count() == 1
    assert _actions(first.json()["id"]).count("privacy.exported") == 1

    reused = me.app.post(REQUESTS, {"kind": "erasure"}, headers=key)
    assert reused.status_code == 409 and _fields(reused) == ["Idempotency-Key"]
    assert PrivacyRequest.objects.filter(customer=me.customer).count() == 1


def test_an_erasure_asked_in_the_app_waits_for_staff_who_erase():
    me = app_customer("app.zhou", "13912340003", "周杰", with_ticket=False)
    created = me.app.post(REQUESTS, {"kind": "erasure", "note": "请删除我的信息"})

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "received" and body["can_cancel"] is True and body["download_url"] is None
    item = PrivacyRequest.objects.get(pk=body["id"])
    assert item.due_at == answer_due(received_at=item.created_at)  # 15 working days (test_answer_deadline)
    assert item.due_at - item.created_at >= dt.timedelta(days=19)
    assert dt.datetime.fromisoformat(body["due_at"]) == item.due_at.replace(microsecond=0) and body["overdue"] is False
    # Asking again while it waits answers with the same request.
    again = me.app.post(REQUESTS, {"kind": "erasure"})
    assert again.status_code == 200 and again.json()["id"] == body["id"]

    supervisor = UserFactory(role=Role.SUPERVISOR)
    staff = Client()
    staff.force_login(supervisor)
    assert f"/privacy/{item.pk}/" in staff.get("/privacy/").content.decode()  # in the handlers' list
    assert item.channel == RequestChannel.APP
    staff.post(f"/privacy/{item.pk}/", {"do": "erase", "version": item.version})

    item.refresh_from_db()
    assert item.status == RequestStatus.COMPLETED and item.handled_by == supervisor
    assert Customer.objects.get(pk=me.customer.pk).erased_at is not None
    assert _actions(item.pk) == ["privacy.requested", "privacy.erased"]
    # The account is closed: the app's token no longer works.
    assert me.app.get(REQUESTS).status_code == 401


def test_a_refusal_reaches_the_app_with_its_reason(me):
    body = me.app.post(REQUESTS, {"kind": "erasure"}).json()
    staff = Client()
    staff.force_login(UserFactory(role=Role.ADMINISTRATOR))
    staff.post(f"/privacy/{body['id']}/", {"do": "refuse", "reason": "三包纠纷处理中，依法保留记录", "version": body["version"]})

    shown = me.app.get(f"{REQUESTS}/{body['id']}").json()

    assert shown["status"] == "refused" and shown["refusal_reason"] == "三包纠纷处理中，依法保留记录"
    assert shown["handled_at"] and shown["can_cancel"] is False


def test_the_customer_withdraws_a_waiting_request_with_its_etag(me):
    body = me.app.post(REQUESTS, {"kind": "erasure"}).json()
    cancel = f"{REQUESTS}/{body['id']}/cancel"

    missing = me.app.post(cancel, {})
    stale = me.app.post(cancel, {}, headers={"If-Match": '"v99"'})
    etag = me.app.get(f"{REQUESTS}/{body['id']}")["ETag"]
    done = me.app.post(cancel, {}, headers={"If-Match": etag})

    assert missing.status_code == 428 and _fields(missing) == ["If-Match"]
    assert stale.status_code == 412
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "cancelled" and done.json()["can_cancel"] is False
    assert done["ETag"] != etag
    assert _actions(body["id"]) == ["privacy.requested", "privacy.cancelled"]
    # Answered (withdrawn) requests stay so; a new erasure may be asked.
    twice = me.app.post(cancel, {}, headers={"If-Match": done["ETag"]})
    assert twice.status_code == 409 and twice.json()["code"] == "request_answered"
    assert me.app.post(REQUESTS, {"kind": "erasure"}).status_code == 201


def test_a_ready_copy_cannot_be_withdrawn(me):
    created = me.app.post(REQUESTS, {"kind": "export"}).json()
    assert run_export_jobs() == ["built"]
    body = me.app.get(f"{REQUESTS}/{created['id']}").json()
    answer = me.app.post(f"{REQUESTS}/{body['id']}/cancel", {}, headers={"If-Match": f'"v{body["version"]}"'})
    assert answer.status_code == 409 and _fields(answer) == ["status"]


def test_a_correction_names_the_right_values_and_staff_answer_it(me):
    created = me.app.post(
        REQUESTS,
        {"kind": "correction", "note": "搬家了", "corrections": {"phone": "139 1234 0009", "address": "上海市徐汇区新路1号"}},
    )

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "received"
    assert body["corrections"] == {"phone": "+8613912340009", "address": "上海市徐汇区新路1号"}
    audit = AuditEvent.objects.get(object_id=str(body["id"]), action="privacy.requested")
    assert audit.changes["fields"] == ["address", "phone"] and "13912340009" not in json.dumps(audit.changes)

    staff = Client()
    staff.force_login(UserFactory(role=Role.SUPERVISOR))
    page = staff.get(f"/privacy/{body['id']}/").content.decode()
    assert "上海市徐汇区新路1号" in page and 'data-test-id="privacy-corrected"' in page
    staff.post(f"/privacy/{body['id']}/", {"do": "corrected", "version": body["version"]})

    assert me.app.get(f"{REQUESTS}/{body['id']}").json()["status"] == "completed"
    assert _actions(body["id"]) == ["privacy.requested", "privacy.corrected"]


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"kind": "correction"}, "corrections", "corrections_invalid"),
        ({"kind": "correction", "corrections": {"phone": "12"}}, "corrections.phone", "corrections_invalid"),
        ({"kind": "correction", "corrections": {"email": "not-an-address"}}, "corrections.email", "corrections_invalid"),
        ({"kind": "correction", "corrections": {"birthday": "1990-01-01"}}, "corrections.birthday", "field_not_allowed"),
        ({"kind": "correction", "corrections": {"name": "张" * 201}}, "corrections.name", "validation_failed"),
        ({"kind": "export", "corrections": {"name": "王芳芳"}}, "corrections", "field_not_allowed"),
        ({"kind": "copy"}, "kind", "validation_failed"),
        ({"kind": "erasure", "note": "x" * 2001}, "note", "validation_failed"),
    ],
)
def test_bad_input_is_a_problem_naming_the_field(me, payload, field, code):
    answer = me.app.post(REQUESTS, payload)

    assert answer.status_code == 422, answer.content
    assert answer["Content-Type"].startswith("application/problem+json")
    assert answer.json()["code"] == code and field in _fields(answer)
    assert not PrivacyRequest.objects.exists()


def test_problems_are_in_chinese_by_default(me):
    answer = me.app.client.get(f"{REQUESTS}/987654", headers={"Authorization": f"Bearer {me.app.secret}"})
    assert answer.status_code == 404 and answer.json()["detail"] == "您没有这个编号的个人信息请求。"


def test_creates_count_against_the_callers_rate_limit(me):
    limited = sign_in_token(me.user, rate_limit_per_minute=2)
    assert limited.post(REQUESTS, {"kind": "erasure"}).status_code == 201
    assert limited.get(REQUESTS).status_code == 200
    third = limited.post(REQUESTS, {"kind": "export"})
    assert third.status_code == 429 and third["Retry-After"]
    assert PrivacyRequest.objects.filter(kind=RequestKind.EXPORT).count() == 0


def test_the_openapi_document_lists_the_operations():
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]

    assert set(paths[REQUESTS]) == {"get", "post"}
    assert set(paths[f"{REQUESTS}/{{request_id}}"]) == {"get"}
    assert set(paths[f"{REQUESTS}/{{request_id}}/cancel"]) == {"post"}
    assert set(paths[f"{REQUESTS}/{{request_id}}/download"]) == {"get"}
    operations = [op for ops in paths.values() for op in ops.values() if "privacy" in op.get("tags", [])]
    assert len(operations) == 5 and all(op["summary"] for op in operations)
    create = paths[REQUESTS]["post"]
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    cancel = paths[f"{REQUESTS}/{{request_id}}/cancel"]["post"]
    assert any(p["name"] == "If-Match" for p in cancel["parameters"]) and {"412", "428"} <= set(cancel["responses"])
    download = paths[f"{REQUESTS}/{{request_id}}/download"]["get"]
    assert list(download["responses"]["200"]["content"]) == ["application/zip"]
