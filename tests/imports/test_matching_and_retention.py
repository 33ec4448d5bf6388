"""Customers matched by phone, else by email (a customer who changed numbers, a row without a
phone); and the retention of uploaded files (``IMPORT_KEEP_DAYS``)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.storage import default_storage

from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.imports import services
from aftersales.imports.models import ImportJob, ImportStatus
from aftersales.imports.tasks import purge_old_import_files
from tests.factories import CustomerFactory

from .helpers import admin, csv_bytes, errors_of, upload

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "手机号", "邮箱"]


def test_a_customer_is_found_by_email_when_the_phone_is_new_or_missing():
    actor = admin()
    moved = CustomerFactory(name="王芳", phone="+8613700000001", email="wang.fang@example.com")
    mailonly = CustomerFactory(name="赵磊", phone="", email="zhao@example.com")
    rows = [
        HEADER,
        ["王芳", "13799999999", "Wang.Fang@Example.com"],  # a new number, the known address
        ["赵磊", "", "zhao@EXAMPLE.com"],  # no phone: the address alone (the domain in any case)
        ["钱敏", "", "qian@example.com"],  # new, known by address only
        ["孙丽", "", ""],  # neither
        ["钱敏二", "", "qian@EXAMPLE.com"],  # the same address again in the file
    ]
    job = upload(actor, "customers", csv_bytes(rows))
    assert errors_of(job) == [(5, "phone", "contact_required"), (6, "email", "duplicate_key")]
    assert (job.new_rows, job.changed_rows, job.unchanged_rows) == (1, 1, 1)
    services.import_commit(job=job, actor=actor)
    moved.refresh_from_db()
    assert moved.phone == "+8613799999999"  # the same customer, their new number
    assert Customer.objects.filter(name="王芳").count() == 1
    mailonly.refresh_from_db()
    assert mailonly.phone == ""  # a blank cell keeps what is stored
    qian = Customer.objects.get(name="钱敏")
    assert (qian.phone, qian.email) == ("", "qian@example.com")
    # Importing the same file again changes nothing.
    again = upload(actor, "customers", csv_bytes(rows))
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 3)


def test_the_phone_wins_over_the_email_and_one_customer_is_matched_once():
    actor = admin()
    by_phone = CustomerFactory(name="周杰", phone="+8613811110000", email="zhou@example.com")
    other = CustomerFactory(name="吴昊", phone="+8613822220000", email="wu@example.com")
    rows = [
        HEADER,
        ["周杰", "13811110000", "wu@example.com"],  # the phone's customer (takes the address)
        ["吴昊", "13833330000", "zhou@example.com"],  # zhou@ is already matched above: a new customer
    ]
    job = services.import_commit(job=upload(actor, "customers", csv_bytes(rows)), actor=actor)
    assert errors_of(job) == []
    by_phone.refresh_from_db()
    other.refresh_from_db()
    assert by_phone.email == "wu@example.com"
    assert other.phone == "+8613822220000"
    assert Customer.objects.filter(phone="+8613833330000").count() == 1


def _age(job: ImportJob, days: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(created_at=clock.now() - dt.timedelta(days=days))


def test_uploaded_files_are_deleted_after_the_keep_days(settings, django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    settings.IMPORT_KEEP_DAYS = 30
    actor = admin()
    rows = [HEADER, ["李雷", "13900000001", ""]]
    done = services.import_commit(job=upload(actor, "customers", csv_bytes(rows)), actor=actor)
    waiting = upload(actor, "customers", csv_bytes([HEADER, ["韩梅", "13900000002", ""]]))
    recent = upload(actor, "customers", csv_bytes([HEADER, ["林涛", "13900000003", ""]]))
    _age(done, 31)
    _age(waiting, 45)
    _age(recent, 29)
    names = {job.pk: ImportJob.objects.get(pk=job.pk).file.name for job in (done, waiting, recent)}
    assert all(default_storage.exists(name) for name in names.values())
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_old_import_files.call() == 2
    assert not default_storage.exists(names[done.pk])
    assert not default_storage.exists(names[waiting.pk])
    assert default_storage.exists(names[recent.pk])
    done.refresh_from_db()
    waiting.refresh_from_db()
    assert (done.status, done.file.name, done.written_new) == (ImportStatus.DONE, "", 1)  # the figures stay
    assert (waiting.status, waiting.file.name) == (ImportStatus.DISCARDED, "")  # never committed: discarded
    assert AuditEvent.objects.filter(action="import.file_purged").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert purge_old_import_files.call() == 0  # nothing left to do
