"""Who may import what, the pages (upload, preview, commit, error report, templates) and the
API (upload with Idempotency-Key → preview → commit → status), the management command."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.models import DataScope, Role
from aftersales.catalog.models import ProductUnit, ShipmentVolume
from aftersales.core.errors import PermissionDenied
from aftersales.customers.models import Customer
from aftersales.imports.models import ImportJob, ImportStatus
from tests.api.conftest import api_client
from tests.factories import PASSWORD, ProductModelFactory, UserFactory

from .helpers import admin, csv_bytes, quality_manager, upload

pytestmark = pytest.mark.django_db

SHIPMENTS = [["型号", "批次", "月份", "出货数量"], ["KFR-35GW", "B1", "2025-08", "100"], ["KFR-35GW", "B1", "2025-09", "-1"]]


def _login(client, user):  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_quality_managers_import_units_and_shipments_but_not_customers_and_agents_nothing():
    qm = quality_manager()
    ProductModelFactory(code="KFR-35GW")
    assert upload(qm, "shipments", csv_bytes(SHIPMENTS)).status == ImportStatus.PREVIEWED
    with pytest.raises(PermissionDenied):
        upload(qm, "customers", csv_bytes([["姓名", "手机号"], ["张伟", "13812345678"]]))
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    with pytest.raises(PermissionDenied):
        upload(agent, "units", csv_bytes(SHIPMENTS))
    # An administrator's customer import is not among the quality manager's imports.
    job = upload(admin(), "customers", csv_bytes([["姓名", "手机号"], ["张伟", "13812345678"]]))
    assert not ImportJob.objects.filter(pk=job.pk, kind__in=["units", "shipments"]).exists()


def test_the_pages_upload_preview_commit_and_report_errors(client):
    user = admin()
    ProductModelFactory(code="KFR-35GW")
    _login(client, user)
    page = client.get(reverse("imports:list"))
    assert page.status_code == 200
    assert "新建导入" in page.content.decode()
    sent = client.post(
        reverse("imports:list"), {"kind": "shipments", "file": io.BytesIO(csv_bytes(SHIPMENTS))}, format="multipart"
    )
    job = ImportJob.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("imports:detail", args=[job.pk])
    detail = client.get(sent["Location"]).content.decode()
    assert 'data-test-id="fig-new">1<' in detail and 'data-test-id="fig-errors">1<' in detail
    assert "不能为负数（-1）" in detail and "出货数量" in detail

    report = client.get(reverse("imports:errors", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(report.content.decode("utf-8-sig"))))
    assert rows[0] == ["行", "列", "错误代码", "原因"]
    assert rows[1][:3] == ["3", "出货数量", "negative"]

    assert client.post(reverse("imports:commit", args=[job.pk])).status_code == 302
    assert ShipmentVolume.objects.get().units == 100
    assert "新建记录" in client.get(reverse("imports:detail", args=[job.pk])).content.decode()


def test_a_wrong_file_is_refused_on_the_form_and_polling_shows_progress(client):
    _login(client, admin())
    refused = client.post(reverse("imports:list"), {"kind": "units", "file": io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00")})
    assert refused.status_code == 422
    assert "这不是 .xlsx 或 .csv 文件" in refused.content.decode()
    job = upload(admin(), "units", csv_bytes([["序列号", "型号"], ["SN1", "X"]]), run_inline=False)
    polled = client.get(reverse("imports:detail", args=[job.pk]), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in polled.content.decode() and "<progress" in polled.content.decode()


def test_templates_download_in_both_formats_with_the_readers_headers(client):
    _login(client, quality_manager())
    sheet = client.get(reverse("imports:template", args=["units", "xlsx"]))
    book = load_workbook(io.BytesIO(sheet.content), read_only=True)
    header = next(book.worksheets[0].iter_rows(values_only=True))
    assert header[:3] == ("序列号", "产品型号", "批次")
    plain = client.get(reverse("imports:template", args=["shipments", "csv"]), headers={"Accept-Language": "en"})
    assert plain.content.decode("utf-8-sig").startswith("产品型号") or plain.content.decode("utf-8-sig").startswith(
        "Model number"
    )
    assert client.get(reverse("imports:template", args=["customers", "csv"])).status_code == 404
    _login(client, UserFactory(role=Role.AGENT))
    assert client.get(reverse("imports:list")).status_code == 403


def test_api_upload_is_idempotent_then_commit_and_status():
    user = admin()
    ProductModelFactory(code="KFR-35GW")
    api = api_client(user, scopes=("imports:write",))
    body = csv_bytes([["Serial number", "Model number"], ["SN1", "KFR-35GW"], ["SN2", "NOPE"]])

    def send():  # type: ignore[no-untyped-def]
        return api.upload(
            "/api/v1/imports",
            {"kind": "units", "file": io.BytesIO(body)},
            headers={"Idempotency-Key": "imp-1", "Accept-Language": "en"},
        )

    first = send()
    assert first.status_code == 201, first.content
    data = first.json()
    assert (data["status"], data["new_rows"], data["error_rows"]) == ("previewed", 1, 1)
    assert data["errors"][0] == {
        "row": 3,
        "column": "model",
        "column_label": "Model number",
        "code": "unknown_model",
        "message": "No product model “NOPE”. Import the product models first.",
    }
    assert send().json()["id"] == data["id"] and ImportJob.objects.count() == 1
    committed = api.post(f"/api/v1/imports/{data['id']}/commit", json={})
    assert committed.status_code == 202
    assert committed.json()["status"] == "done"
    status = api.get(f"/api/v1/imports/{data['id']}").json()
    assert (status["created"], status["progress_percent"]) == (1, 100)
    assert ProductUnit.objects.count() == 1
    assert api.get("/api/v1/imports").json()["total"] == 1


def test_api_refuses_without_the_scope_a_wrong_file_and_another_roles_import():
    user = admin()
    no_scope = api_client(user, scopes=("tickets:read",))
    assert no_scope.upload("/api/v1/imports", {"kind": "units", "file": io.BytesIO(b"a,b\n")}).status_code == 403
    api = api_client(user, scopes=("imports:write",))
    wrong = api.upload("/api/v1/imports", {"kind": "units", "file": io.BytesIO(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)})
    assert wrong.status_code == 422 and wrong.json()["code"] == "import_wrong_type"
    job = upload(user, "customers", csv_bytes([["姓名", "手机号"], ["张伟", "13812345678"]]))
    qm_api = api_client(quality_manager(), scopes=("imports:write",))
    assert qm_api.get(f"/api/v1/imports/{job.pk}").status_code == 404
    assert qm_api.post(f"/api/v1/imports/{job.pk}/commit", json={}).status_code == 404
    assert not Customer.objects.exists()


def test_the_management_command_prints_the_preview_and_imports_with_commit(tmp_path):
    admin()
    ProductModelFactory(code="KFR-35GW")
    path = tmp_path / "shipments.csv"
    path.write_bytes(csv_bytes(SHIPMENTS, encoding="gb18030"))
    out = io.StringIO()
    call_command("import_data", "shipments", str(path), stdout=out)
    assert "new 1" in out.getvalue() and "row 3" in out.getvalue()
    assert not ShipmentVolume.objects.exists()
    out = io.StringIO()
    call_command("import_data", "shipments", str(path), "--commit", stdout=out)
    assert "created 1" in out.getvalue()
    assert ShipmentVolume.objects.get().units == 100
