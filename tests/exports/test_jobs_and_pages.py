"""The export job (progress, idempotent, retried, purged), the audit log, the pages (request,
progress, download by the owner only, the button on the lists) and the API."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.exports import running, services
from aftersales.exports.audit_actions import ExportAudit
from aftersales.exports.models import Export, ExportStatus
from tests.api.conftest import api_client
from tests.factories import PASSWORD, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def _supervisor(**kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, **kwargs)


def _login(client, user):  # type: ignore[no-untyped-def]
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_job_writes_the_file_once_with_progress_and_audit(monkeypatch):
    for _ in range(3):
        make_ticket()
    user = _supervisor(language="en")
    export = services.export_request(user=user, kind="tickets", filters={"status": "all", "cursor": "x"})
    assert export.status == ExportStatus.QUEUED and export.filters == {"status": "all"}
    monkeypatch.setattr("aftersales.exports.writing.PROGRESS_EVERY", 2)

    assert running.run_export(export.pk) == running.Outcome.DONE
    export.refresh_from_db()
    assert (export.status, export.rows_done, export.rows_total, export.attempts) == ("done", 3, 3, 1)
    assert export.size > 0 and export.finished_at is not None
    with export.file.open("rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).worksheets[0]
    assert sheet.max_row == 4
    # Run again (a retry, the sweep): nothing happens, the file stays the same.
    name = export.file.name
    assert running.run_export(export.pk) == running.Outcome.SKIPPED
    export.refresh_from_db()
    assert (export.file.name, export.attempts) == (name, 1)
    actions = list(
        AuditEvent.objects.filter(object_id=str(export.pk), object_type="exports.export").values_list("action", flat=True)
    )
    assert sorted(actions) == sorted([ExportAudit.REQUESTED, ExportAudit.COMPLETED])


def test_a_running_export_with_a_live_heartbeat_is_left_alone_a_stale_one_restarts():
    make_ticket()
    user = _supervisor()
    export = services.export_request(user=user, kind="tickets", filters={"status": "all"})
    from aftersales.core import clock

    Export.objects.filter(pk=export.pk).update(status=ExportStatus.RUNNING, heartbeat_at=clock.now(), attempts=1)
    assert running.run_export(export.pk) == running.Outcome.SKIPPED
    assert running.stalled_exports() == []
    Export.objects.filter(pk=export.pk).update(heartbeat_at=clock.now() - dt.timedelta(hours=1), rows_done=500)
    assert running.stalled_exports() == [export.pk]
    assert running.run_export(export.pk) == running.Outcome.DONE
    export.refresh_from_db()
    assert (export.status, export.rows_done, export.attempts) == ("done", 1, 2)


def test_a_failing_export_is_retried_then_marked_failed(monkeypatch):
    user = _supervisor()
    export = services.export_request(user=user, kind="tickets", filters={})

    def boom(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk full")

    monkeypatch.setattr(running, "write_xlsx", boom)
    assert running.run_export(export.pk) == running.Outcome.RETRY
    assert Export.objects.get(pk=export.pk).status == ExportStatus.QUEUED
    assert running.run_export(export.pk) == running.Outcome.RETRY
    assert running.run_export(export.pk) == running.Outcome.FAILED
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED and "disk full" in export.error
    assert AuditEvent.objects.filter(action=ExportAudit.FAILED, object_id=str(export.pk)).exists()


def test_old_exports_are_purged_file_and_row(settings):
    make_ticket()
    user = _supervisor()
    old = services.export_request(user=user, kind="tickets", filters={})
    new = services.export_request(user=user, kind="tickets", filters={})
    running.run_export(old.pk)
    running.run_export(new.pk)
    old.refresh_from_db()
    storage, name = old.file.storage, old.file.name
    assert storage.exists(name)
    from aftersales.core import clock

    Export.objects.filter(pk=old.pk).update(finished_at=clock.now() - dt.timedelta(days=8))
    assert running.purge_old_exports() == 1
    assert not storage.exists(name) and not Export.objects.filter(pk=old.pk).exists()
    assert Export.objects.filter(pk=new.pk).exists()


def test_a_customer_may_not_request_an_export_and_a_statement_needs_its_party():
    with pytest.raises(NotFound):
        services.export_request(user=UserFactory(role=Role.CUSTOMER), kind="tickets", filters={})
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    with pytest.raises(ValidationFailed):
        services.export_request(user=finance, kind="chargeback_statement", filters={"party": "x"})
    assert services.export_request(user=finance, kind="chargeback_statement", filters={"responsibility": "supplier"})


def test_the_pages_request_poll_and_download_by_the_owner_only(client):
    make_ticket()
    owner = _supervisor()
    _login(client, owner)
    listing = client.get(reverse("tickets:list"), {"status": "all"})
    assert 'data-test-id="export-xlsx"' in listing.content.decode()
    assert 'value="status=all"' in listing.content.decode()

    sent = client.post(reverse("exports:new"), {"kind": "tickets", "query": "status=all&cursor=abc"})
    export = Export.objects.get()
    assert sent.status_code == 302 and sent["Location"] == reverse("exports:detail", args=[export.pk])
    assert export.filters == {"status": "all"}
    detail = client.get(sent["Location"])
    body = detail.content.decode()
    assert "<progress" in body and 'hx-trigger="every 1s"' in body and "导出" in body
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404  # not ready

    running.run_export(export.pk)
    polled = client.get(reverse("exports:detail", args=[export.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in polled and 'data-test-id="export-download"' in polled
    listing = client.get(reverse("exports:list")).content.decode()
    assert 'data-test-id="export-row"' in listing and "工单" in listing

    download = client.get(reverse("exports:download", args=[export.pk]))
    assert download.status_code == 200
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=utf-8''" + quote("工单") in disposition
    assert download["Cache-Control"].startswith("private") or "no-store" in download["Cache-Control"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0]
    assert sheet.max_row == 2
    assert AuditEvent.objects.filter(action=ExportAudit.DOWNLOADED, object_id=str(export.pk), actor=owner).exists()

    client.logout()
    _login(client, _supervisor())
    assert client.get(reverse("exports:download", args=[export.pk])).status_code == 404
    assert client.get(reverse("exports:detail", args=[export.pk])).status_code == 404
    assert 'data-test-id="export-row"' not in client.get(reverse("exports:list")).content.decode()


def test_the_pages_refuse_a_kind_the_user_may_not_use(client):
    _login(client, UserFactory(role=Role.AGENT))
    assert client.post(reverse("exports:new"), {"kind": "parts_stock", "query": ""}).status_code == 404
    assert not Export.objects.exists()


def test_the_page_is_in_english_for_an_english_user(client):
    _login(client, _supervisor(language="en"))
    page = client.get(reverse("exports:list"), headers={"Accept-Language": "en"}).content.decode()
    assert "My exports" in page or "我的导出" in page


def test_the_api_creates_polls_and_downloads_with_the_scope():
    make_ticket()
    user = _supervisor(language="en")
    api = api_client(user, scopes=("exports:write",))
    kinds = api.get("/api/v1/exports/kinds")
    assert kinds.status_code == 200
    assert "tickets" in {k["kind"] for k in kinds.json()}

    def send():  # type: ignore[no-untyped-def]
        return api.post("/api/v1/exports", {"kind": "tickets", "filters": {"status": "all"}}, headers={"Idempotency-Key": "ex-1"})

    created = send()
    assert created.status_code == 202, created.content
    data = created.json()
    assert (data["status"], data["kind"], data["file_url"]) == ("queued", "tickets", None)
    assert send().json()["id"] == data["id"] and Export.objects.count() == 1
    assert api.get(f"/api/v1/exports/{data['id']}/file").status_code == 404

    running.run_export(data["id"])
    status = api.get(f"/api/v1/exports/{data['id']}").json()
    assert (status["status"], status["rows_done"], status["progress_percent"]) == ("done", 1, 100)
    file = api.get(status["file_url"])
    assert file.status_code == 200
    assert file["Content-Type"].startswith("application/vnd.openxmlformats")
    assert load_workbook(io.BytesIO(b"".join(file.streaming_content))).worksheets[0].max_row == 2

    assert api_client(user, scopes=("tickets:read",)).get(f"/api/v1/exports/{data['id']}").status_code == 403
    other = api_client(_supervisor(), scopes=("exports:write",))
    assert other.get(f"/api/v1/exports/{data['id']}").status_code == 404
    assert other.get(f"/api/v1/exports/{data['id']}/file").status_code == 404
    assert api.post("/api/v1/exports", {"kind": "nope"}).status_code == 404
