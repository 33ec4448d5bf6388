"""API v1 for appraisals: request with Idempotency-Key, each step with If-Match, the report PDF,
the customer's answer, problems naming the field, and authorization against another customer's
and another region's objects (404, nothing changed)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from aftersales.accounts.models import DataScope
from aftersales.appraisal.models import Appraisal, AppraisalStatus
from tests.api.conftest import api_client
from tests.appraisal.helpers import A, agent, appraiser, customer_user, png_bytes, ticket_with_unit, walk
from tests.factories import RegionFactory

pytestmark = pytest.mark.django_db
CUSTOMER_SCOPES = ("tickets:read", "appraisals:read", "appraisals:write")

REPORT = {
    "symptom": "不制冷",
    "tests": [{"name": "冷媒压力", "reading": "0.2 MPa", "expected": "0.45–0.55 MPa"}],
    "findings": "蒸发器焊点泄漏",
    "fault_type": "performance",
    "nature": "quality",
    "severity": "serious",
    "cause": "manufacturing",
    "component_text": "蒸发器",
    "responsibility": "internal",
    "responsible_party": "总装车间",
    "sanbao_applies": True,
}


def fields(response: Any) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


def _step(client: Any, appraisal_id: int, step: str, body: Any = None, *, method: str = "post") -> Any:
    etag = client.get(f"/api/v1/appraisals/{appraisal_id}")["ETag"]
    if method == "put":
        return client.client.put(
            f"/api/v1/appraisals/{appraisal_id}/{step}",
            body or {},
            content_type="application/json",
            headers={**client._headers(None), "If-Match": etag},
        )
    return client.post(f"/api/v1/appraisals/{appraisal_id}/{step}", body or {}, headers={"If-Match": etag})


def test_the_whole_appraisal_through_the_api() -> None:
    requester = agent()
    who = appraiser()
    ticket = ticket_with_unit(actor=requester)
    staff = api_client(requester)
    body = {"ticket": ticket.number, "place": "outlet", "note": "请鉴定压缩机"}
    created = staff.post("/api/v1/appraisals", body, headers={"Idempotency-Key": "ap-1"})
    assert created.status_code == 201, created.content
    appraisal_id = created.json()["id"]
    again = staff.post("/api/v1/appraisals", body, headers={"Idempotency-Key": "ap-1"})
    assert again.status_code == 201 and again.json()["id"] == appraisal_id
    assert Appraisal.objects.count() == 1

    assert staff.post(f"/api/v1/appraisals/{appraisal_id}/assign", {"appraiser": who.username}).status_code == 428
    stale = staff.post(f"/api/v1/appraisals/{appraisal_id}/assign", {"appraiser": who.username}, headers={"If-Match": '"v99"'})
    assert stale.status_code == 412
    assert _step(staff, appraisal_id, "assign", {"appraiser": who.username}).json()["status"] == "assigned"

    mine = api_client(who)
    assert _step(mine, appraisal_id, "start").json()["status"] == "in_progress"
    reported = _step(mine, appraisal_id, "report", REPORT, method="put")
    assert reported.status_code == 200, reported.content
    assert reported.json()["tests"][0]["name"] == "冷媒压力"
    upload = mine.upload(
        f"/api/v1/appraisals/{appraisal_id}/files",
        {"kind": "photo", "file": SimpleUploadedFile("外机.png", png_bytes(4, 4), content_type="image/png")},
    )
    assert upload.status_code == 201, upload.content
    fake = mine.upload(
        f"/api/v1/appraisals/{appraisal_id}/files",
        {"kind": "photo", "file": SimpleUploadedFile("x.png", b"#!/bin/sh\necho hi\n", content_type="image/png")},
    )
    assert fake.status_code == 422 and fields(fake) == ["file"]
    signed = _step(mine, appraisal_id, "sign")
    assert signed.status_code == 200 and signed.json()["signed_by"] == who.username

    pdf = mine.client.get(
        f"/api/v1/appraisals/{appraisal_id}/report.pdf", headers={**mine._headers(None), "Accept-Language": "zh-hans"}
    )
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "鉴定报告" in text and "性能故障" in text and "冷媒压力" in text

    owner = customer_user(ticket.customer)
    customer = api_client(owner, scopes=CUSTOMER_SCOPES)
    listed = customer.get(f"/api/v1/tickets/{ticket.number}/appraisals").json()
    assert [a["id"] for a in listed] == [appraisal_id]
    answered = _step(customer, appraisal_id, "answer", {"decision": "reappraisal", "reason": "不认可，要求第三方检测"})
    assert answered.status_code == 200 and answered.json()["status"] == "reappraisal"
    twice = _step(customer, appraisal_id, "answer", {"decision": "accepted"})
    assert twice.status_code == 409 and twice.json()["code"] == "already_answered" and fields(twice) == ["decision"]
    assert Appraisal.objects.filter(previous_id=appraisal_id, status=AppraisalStatus.REQUESTED).count() == 1


def test_sign_without_conclusion_names_the_fields() -> None:
    who = appraiser()
    appraisal = walk(to=A.IN_PROGRESS, who=who)
    mine = api_client(who)
    assert _step(mine, appraisal.pk, "report", {"symptom": "异响"}, method="put").status_code == 200
    refused = _step(mine, appraisal.pk, "sign")
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["code"] == "report_incomplete" and fields(refused) == ["fault_type", "sanbao_applies"]


def test_request_on_a_closed_ticket_is_refused() -> None:
    from aftersales.tickets.process import ticket_cancel

    requester = agent()
    ticket = ticket_with_unit(actor=requester)
    ticket_cancel(ticket=ticket, actor=requester, reason="撤回")
    refused = api_client(requester).post(
        "/api/v1/appraisals", {"ticket": ticket.number, "place": "on_site"}, headers={"Idempotency-Key": "ap-closed"}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "ticket_final" and fields(refused) == ["ticket"]
    assert not Appraisal.objects.exists()


def test_another_customers_and_another_regions_appraisals_are_not_found() -> None:
    east, west = RegionFactory(code="east"), RegionFactory(code="west")
    mine = walk(to=A.SIGNED, ticket=ticket_with_unit(region=east))
    theirs = walk(to=A.SIGNED, ticket=ticket_with_unit(region=west))
    owner = customer_user(mine.ticket.customer)
    customer = api_client(owner, scopes=CUSTOMER_SCOPES)
    assert customer.get(f"/api/v1/appraisals/{theirs.pk}").status_code == 404
    assert customer.get(f"/api/v1/appraisals/{theirs.pk}/report.pdf").status_code == 404
    answer = customer.post(f"/api/v1/appraisals/{theirs.pk}/answer", {"decision": "accepted"}, headers={"If-Match": "*"})
    assert answer.status_code == 404
    assert [a["id"] for a in customer.get("/api/v1/appraisals").json()["items"]] == [mine.pk]
    # A customer may not act as staff.
    assert (
        customer.post(
            "/api/v1/appraisals", {"ticket": mine.ticket.number, "place": "on_site"}, headers={"Idempotency-Key": "c1"}
        ).status_code
        == 403
    )

    # A region-scoped agent, and a key limited to a region.
    east_agent = agent(data_scope=DataScope.REGION, region=east)
    east_client = api_client(east_agent)
    assert east_client.get(f"/api/v1/appraisals/{theirs.pk}").status_code == 404
    cancel = east_client.post(f"/api/v1/appraisals/{theirs.pk}/cancel", {"reason": "x"}, headers={"If-Match": "*"})
    assert cancel.status_code == 404
    regional_key = api_client(agent(), region=east)
    assert regional_key.get(f"/api/v1/appraisals/{theirs.pk}").status_code == 404
    assert regional_key.get(f"/api/v1/appraisals/{mine.pk}").status_code == 200
    theirs.refresh_from_db()
    assert theirs.status == AppraisalStatus.SIGNED and not theirs.customer_decision


def test_scopes_are_required() -> None:
    requester = agent()
    appraisal = walk(to=A.REQUESTED, requester=requester)
    reader = api_client(requester, scopes=("tickets:read", "appraisals:read"))
    assert reader.get(f"/api/v1/appraisals/{appraisal.pk}").status_code == 200
    assert reader.post(f"/api/v1/appraisals/{appraisal.pk}/cancel", {"reason": "x"}, headers={"If-Match": "*"}).status_code == 403
    nothing = api_client(requester, scopes=("tickets:read",))
    assert nothing.get(f"/api/v1/appraisals/{appraisal.pk}").status_code == 403
