"""Every record an import writes has its own audit event: a customer created or changed by an
import is in that customer's history like any other change (with the import and the row it came
from), and a unit's, part's, model's or policy's change names each field's value before and after."""

from __future__ import annotations

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.catalog.models import ProductUnit
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Customer
from aftersales.customers.services import stale_customer_conflict
from aftersales.imports import services
from aftersales.parts.models import Part
from tests.factories import CustomerFactory, ProductModelFactory

from .helpers import admin, csv_bytes, upload

pytestmark = pytest.mark.django_db

UNIT_HEADER = ["序列号", "型号", "批次", "工厂", "购买日期"]


def events(model: type, pk: int, action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(object_type=model._meta.label_lower, object_id=str(pk), action=action))


def test_each_customer_created_or_changed_by_an_import_has_an_event_in_their_history():
    actor = admin()
    known = CustomerFactory(phone="+8613912345678", name="李娜", email="")
    rows = [
        ["姓名", "手机号", "邮箱", "地址"],
        ["张伟", "13812345678", "", "江苏省苏州市工业园区星湖街 1 号"],
        ["李娜娜", "13912345678", "lina@example.com", ""],
    ]
    job = services.import_commit(job=upload(actor, "customers", csv_bytes(rows)), actor=actor)
    assert (job.written_new, job.written_changed) == (1, 1)

    zhang = Customer.objects.get(phone="+8613812345678")
    [created] = events(Customer, zhang.pk, "customer.created")
    assert created.actor == actor
    assert created.changes == {"import": job.pk, "row": 2}

    [updated] = events(Customer, known.pk, "customer.updated")
    assert updated.actor == actor
    assert updated.changes["import"] == job.pk and updated.changes["row"] == 3
    assert updated.changes["name"] == ["李娜", "李娜娜"]
    assert updated.changes["email"] == ["", "lina@example.com"]
    # An edit form opened before the import is refused naming the import's committer.
    assert str(actor) in str(stale_customer_conflict(known))

    # The same file again changes nothing, and writes no event.
    before = AuditEvent.objects.filter(object_type="customers.customer").count()
    with pytest.raises(ValidationFailed, match="Nothing to import"):  # import_nothing_to_import
        services.import_commit(job=upload(actor, "customers", csv_bytes(rows)), actor=actor)
    assert AuditEvent.objects.filter(object_type="customers.customer").count() == before


def test_units_created_and_changed_have_events_with_values_before_and_after():
    actor = admin()
    ProductModelFactory(code="KFR-35GW")
    first = services.import_commit(
        job=upload(actor, "units", csv_bytes([UNIT_HEADER, ["SN1", "KFR-35GW", "B1", "苏州工厂", "2025-08-20"]])),
        actor=actor,
    )
    unit = ProductUnit.objects.get(serial_number="SN1")
    [created] = events(ProductUnit, unit.pk, "import.record_created")
    assert (created.object_repr, created.changes) == ("SN1", {"import": first.pk, "row": 2})

    second = services.import_commit(
        job=upload(actor, "units", csv_bytes([UNIT_HEADER, ["SN1", "KFR-35GW", "B2", "", "2025-09-01"]])), actor=actor
    )
    [changed] = events(ProductUnit, unit.pk, "import.record_changed")
    assert changed.changes == {
        "import": second.pk,
        "row": 2,
        "batch": ["B1", "B2"],
        "purchase_date": ["2025-08-20", "2025-09-01"],
    }


def test_parts_changed_by_an_import_log_amounts_as_text():
    actor = admin()
    header = ["配件编号", "名称", "成本价", "销售价"]
    services.import_commit(job=upload(actor, "parts", csv_bytes([header, ["P-100", "压缩机", "300", "450"]])), actor=actor)
    part = Part.objects.get(number="P-100")
    services.import_commit(job=upload(actor, "parts", csv_bytes([header, ["P-100", "压缩机", "300", "480.50"]])), actor=actor)
    [changed] = events(Part, part.pk, "import.record_changed")
    assert changed.changes["unit_price"] == ["450.00", "480.50"]
    assert "unit_cost" not in changed.changes


def test_an_import_that_changes_the_e_mail_takes_off_the_bouncing_mark():
    """A customer whose address bounced gets a new one from an import: the mark comes off; a
    customer the import leaves at the same address keeps it."""
    from django.utils import timezone

    actor = admin()
    moved = CustomerFactory(phone="+8613912340001", name="王芳", email="old@example.com")
    stays = CustomerFactory(phone="+8613912340002", name="赵强", email="same@example.com")
    Customer.objects.filter(pk__in=[moved.pk, stays.pk]).update(email_bounced_at=timezone.now(), email_bounce_reason="550 5.1.1")
    rows = [
        ["姓名", "手机号", "邮箱"],
        ["王芳", "13912340001", "new@example.com"],
        ["赵强强", "13912340002", "same@example.com"],
    ]
    job = services.import_commit(job=upload(actor, "customers", csv_bytes(rows)), actor=actor)
    assert job.written_changed == 2
    moved.refresh_from_db()
    stays.refresh_from_db()
    assert (moved.email, moved.email_bounced_at, moved.email_bounce_reason) == ("new@example.com", None, "")
    assert stays.email_bounced_at is not None and stays.name == "赵强强"
