"""The background path of a large file: the preview and the commit run as jobs, record their
progress and checkpoint, resume after a crash without writing twice, and the sweep re-queues a
stalled import."""

from __future__ import annotations

import datetime as dt

import pytest
from django_tasks import default_task_backend

from aftersales.catalog.models import ProductUnit
from aftersales.core import clock
from aftersales.imports import running, services, tasks
from aftersales.imports.kinds.units import UnitImport
from aftersales.imports.models import ImportJob, ImportStatus
from tests.factories import ProductModelFactory

from .helpers import admin, csv_bytes, upload

pytestmark = pytest.mark.django_db


def _units(n: int) -> bytes:
    return csv_bytes([["Serial number", "Model number", "Batch"], *[[f"SN{i:05d}", "KFR-35GW", "B1"] for i in range(n)]])


def test_a_large_file_is_checked_and_imported_by_jobs_in_chunks(settings):
    settings.IMPORT_CHUNK_ROWS = 10
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    job = upload(actor, "units", _units(35), run_inline=False)
    assert job.status == ImportStatus.PREVIEWING
    assert tasks.preview_import.call(job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.new_rows) == (ImportStatus.PREVIEWED, 35, 35)
    assert tasks.preview_import.call(job.pk) is False  # already previewed: nothing happens

    job = services.import_commit(job=job, actor=actor, run_inline=False)
    assert job.status == ImportStatus.COMMITTING
    assert tasks.commit_import.call(job.pk) is True
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.written_new, job.progress_percent) == (ImportStatus.DONE, 35, 35, 100)
    assert ProductUnit.objects.count() == 35


def test_a_commit_that_crashes_resumes_from_its_checkpoint(settings, monkeypatch):
    settings.IMPORT_CHUNK_ROWS = 10
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    job = upload(actor, "units", _units(35))
    calls = {"n": 0}
    original = UnitImport.create

    def flaky(self, rows, *, actor):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(self, rows, actor=actor)

    monkeypatch.setattr(UnitImport, "create", flaky)
    job = services.import_commit(job=job, actor=actor)
    assert job.status == ImportStatus.FAILED
    assert (job.rows_done, job.written_new) == (20, 20)  # two chunks committed, the third rolled back
    assert "disk full" in job.last_failure
    assert ProductUnit.objects.count() == 20

    job = services.import_retry(job=job, actor=actor)
    assert job.status == ImportStatus.DONE
    assert (job.written_new, ProductUnit.objects.count()) == (35, 35)
    assert calls["n"] == 5  # chunks 1 and 2 were not written again


def test_a_running_pass_is_not_run_twice_and_a_stalled_one_is_requeued(settings):
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    job = upload(actor, "units", _units(3), run_inline=False)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=clock.now())
    assert running.run_preview(job.pk) is False  # another worker holds it
    assert running.stalled_imports() == []
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=clock.now() - dt.timedelta(minutes=30))
    assert running.stalled_imports() == [(job.pk, ImportStatus.PREVIEWING)]
    assert tasks.resume_stalled_imports.call() == 1
    assert running.run_preview(job.pk) is True


def test_the_upload_queues_its_job_after_commit(django_capture_on_commit_callbacks):
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    with django_capture_on_commit_callbacks(execute=True):
        job = upload(actor, "units", _units(3), run_inline=False)
    queued = [r for r in default_task_backend.results if r.task.name == "preview_import"]
    assert queued and queued[-1].args == [job.pk]
