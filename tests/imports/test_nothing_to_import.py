"""A file with nothing to import (every row has errors, or every valid row is already stored as
it is) is refused at the commit, not only hidden on the page: a request posted to the commit URL
anyway, or through the API, gets ``import_nothing_to_import`` and writes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer
from aftersales.imports import services
from aftersales.imports.models import ImportJob, ImportStatus
from tests.api.conftest import api_client
from tests.clients import client_for_language

from .helpers import admin, csv_bytes, upload

pytestmark = pytest.mark.django_db

INVALID = csv_bytes([["客户姓名", "手机号"], ["", "not a phone"], ["王强", "123"]])
VALID = csv_bytes([["客户姓名", "手机号"], ["王强", "13912345679"]])


def _commits() -> int:
    return AuditEvent.objects.filter(action="import.commit_requested").count()


def test_the_service_refuses_a_file_whose_rows_all_have_errors():
    actor = admin()
    job = upload(actor, "customers", INVALID)
    with pytest.raises(ValidationFailed) as refused:
        services.import_commit(job=job, actor=actor)
    assert refused.value.code == "import_nothing_to_import"
    assert "No row of the file can be imported" in str(refused.value.message)
    job.refresh_from_db()
    assert job.status == ImportStatus.PREVIEWED and job.committed_by is None
    assert _commits() == 0 and not Customer.objects.exists()


def test_the_service_refuses_a_file_whose_valid_rows_are_all_unchanged():
    actor = admin()
    services.import_commit(job=upload(actor, "customers", VALID), actor=actor)
    again = upload(actor, "customers", VALID)
    before = (_commits(), AuditEvent.objects.filter(object_type="customers.customer").count())
    with pytest.raises(ValidationFailed) as refused:
        services.import_commit(job=again, actor=actor)
    assert refused.value.code == "import_nothing_to_import"
    assert "every valid row is already as the file says" in str(refused.value.message)
    again.refresh_from_db()
    assert again.status == ImportStatus.PREVIEWED
    assert (_commits(), AuditEvent.objects.filter(object_type="customers.customer").count()) == before


@pytest.mark.parametrize(
    ("language", "said"), [("en", "No row of the file can be imported"), ("zh-hans", "文件中没有可导入的行")]
)
def test_posting_to_the_commit_url_anyway_shows_the_refusal(language, said):
    actor = admin()
    job = upload(actor, "customers", INVALID)
    client = client_for_language(actor, language)
    response = client.post(reverse("imports:commit", args=[job.pk]), follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and said in page
    assert "Import started" not in page and "导入已开始" not in page
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.PREVIEWED and _commits() == 0


def test_the_api_answers_422_with_the_code():
    actor = admin()
    job = upload(actor, "customers", INVALID)
    api = api_client(actor, scopes=("imports:write",))
    refused = api.post(f"/api/v1/imports/{job.pk}/commit", json={}, headers={"Accept-Language": "en"})
    assert refused.status_code == 422, refused.content
    body = refused.json()
    assert body["code"] == "import_nothing_to_import" and "No row of the file can be imported" in body["detail"]
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.PREVIEWED and not Customer.objects.exists()


def test_a_file_with_a_new_row_is_still_imported():
    actor = admin()
    job = services.import_commit(job=upload(actor, "customers", VALID), actor=actor)
    assert job.status == ImportStatus.DONE and Customer.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "said", "figures"),
    [
        ("en", "No row of the file can be imported", "rows 2: new 0"),
        ("zh-hans", "文件中没有可导入的行", "共 2 行：新增 0"),
    ],
)
def test_the_command_says_why_and_commits_nothing(tmp_path, language, said, figures):
    admin()
    path = tmp_path / "customers.csv"
    path.write_bytes(INVALID)
    out = io.StringIO()
    call_command("import_data", "customers", str(path), "--commit", "--language", language, stdout=out)
    assert said in out.getvalue() and figures in out.getvalue()
    assert ImportJob.objects.get().status == ImportStatus.PREVIEWED and _commits() == 0
