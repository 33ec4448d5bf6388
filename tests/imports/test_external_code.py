"""Customers matched by their external code first, then by phone, then by email; a code used
twice in a file is refused on the code's column."""

from __future__ import annotations

import pytest

from aftersales.customers.models import Customer
from aftersales.imports import services
from tests.factories import CustomerFactory

from .helpers import admin, csv_bytes, errors_of, upload

pytestmark = pytest.mark.django_db
HEADER = ["客户编码", "姓名", "手机号", "邮箱"]


def test_the_code_wins_over_the_phone_and_the_phone_over_the_email():
    actor = admin()
    coded = CustomerFactory(name="李雷", external_code="C001", phone="+8613700000001", email="lilei@example.com")
    phone_owner = CustomerFactory(name="韩梅梅", phone="+8613700000002", email="han@example.com")
    mail_owner = CustomerFactory(name="林涛", phone="", email="lin@example.com")
    rows = [
        HEADER,
        # The code's customer, though the phone is 韩梅梅's and the email 林涛's.
        ["C001", "李雷", "13700000002", "lin@example.com"],
        # No code: the phone's customer; she takes the code.
        ["C002", "韩梅梅", "13700000002", ""],
        # No code or phone known: the email's customer.
        ["", "林涛", "13700000003", "LIN@example.com"],
    ]
    job = upload(actor, "customers", csv_bytes(rows))
    assert errors_of(job) == []
    assert (job.new_rows, job.changed_rows, job.unchanged_rows) == (0, 3, 0)
    services.import_commit(job=job, actor=actor)
    coded.refresh_from_db()
    phone_owner.refresh_from_db()
    mail_owner.refresh_from_db()
    assert (coded.phone, coded.email) == ("+8613700000002", "lin@example.com")
    assert phone_owner.external_code == "C002"
    assert (mail_owner.phone, mail_owner.external_code) == ("+8613700000003", "")
    assert Customer.objects.count() == 3
    again = upload(actor, "customers", csv_bytes(rows))
    assert (again.new_rows, again.changed_rows, again.unchanged_rows) == (0, 0, 3)


def test_a_customer_with_another_code_is_another_customer():
    actor = admin()
    other = CustomerFactory(name="王五", external_code="C100", phone="+8613711112222", email="wang5@example.com")
    rows = [HEADER, ["C200", "王五的同事", "13711112222", "wang5@example.com"]]
    job = upload(actor, "customers", csv_bytes(rows))
    assert (job.new_rows, job.changed_rows, job.unchanged_rows) == (1, 0, 0)
    services.import_commit(job=job, actor=actor)
    other.refresh_from_db()
    assert other.external_code == "C100" and other.name == "王五"
    made = Customer.objects.get(external_code="C200")
    assert made.phone == "+8613711112222"


def test_a_code_twice_in_the_file_is_an_error_on_the_code_column_in_the_readers_language():
    actor = admin()
    rows = [HEADER, ["C300", "甲", "13700000010", ""], ["C300", "乙", "13700000011", ""], ["C301", "丙", "13700000010", ""]]
    job = upload(actor, "customers", csv_bytes(rows))
    # The third row's phone repeats the first row's, but its code makes it another customer.
    assert errors_of(job) == [(3, "external_code", "duplicate_key")]
    error = job.errors[0]
    assert "客户编码" in str(error["text"]) or "External code" in str(error["text"])
    assert (job.new_rows, job.error_rows) == (2, 1)


def test_a_code_longer_than_the_column_is_refused_on_its_cell():
    actor = admin()
    rows = [HEADER, ["X" * 65, "甲", "13700000012", ""]]
    job = upload(actor, "customers", csv_bytes(rows))
    assert errors_of(job) == [(2, "external_code", "too_long")]
