"""A customer import never writes an erased person's data back (privacy: erasure anonymises the
customer, ``Customer.erased_at``): a row matching an erased customer — by the external code, the
phone or the email — is refused on that column, in the reader's language; the other rows are
imported; a customer erased after the match is not written either."""

from __future__ import annotations

import pytest
from django.utils import translation

from aftersales.core import clock
from aftersales.core.i18n import rendered
from aftersales.customers.models import Customer
from aftersales.imports import services
from aftersales.imports.kinds.customers import ADDRESS, CustomerKindImport
from aftersales.privacy.inventory import ERASED
from aftersales.privacy.models import RequestChannel, RequestKind
from aftersales.privacy.services import privacy_erase, privacy_request_create
from tests.factories import CustomerFactory

from .helpers import admin, csv_bytes, errors_of, upload

pytestmark = pytest.mark.django_db
HEADER = ["客户编码", "姓名", "手机号", "邮箱"]


def erased_keeping_its_keys(**fields: object) -> Customer:
    """An erased customer whose row still holds a key (erased before the key was cleared, or
    written by hand): what the import could otherwise match."""
    customer = CustomerFactory(**fields)
    Customer.objects.filter(pk=customer.pk).update(name=ERASED, erased_at=clock.now())
    customer.refresh_from_db()
    return customer


@pytest.mark.parametrize(
    ("keys", "row", "column", "label"),
    [
        ({"external_code": "C900", "phone": "+8613700000900"}, ["C900", "张三", "13700000999", ""], "external_code", "客户编码"),
        ({"phone": "+8613700000901", "email": ""}, ["", "张三", "13700000901", ""], "phone", "手机号"),
        ({"phone": "", "email": "zhangsan@example.com"}, ["", "张三", "", "ZhangSan@example.com"], "email", "邮箱"),
    ],
)
def test_a_row_matching_an_erased_customer_is_refused_on_the_column_it_matched(keys, row, column, label):
    actor = admin()
    erased = erased_keeping_its_keys(**keys)
    live = CustomerFactory(name="李四", phone="+8613700000950")
    rows = [HEADER, row, ["", "李四（改名）", "13700000950", ""], ["", "王五", "13700000960", ""]]
    job = upload(actor, "customers", csv_bytes(rows))
    assert errors_of(job) == [(2, column, "customer_erased")]
    assert (job.new_rows, job.changed_rows, job.error_rows) == (1, 1, 1)
    (error,) = job.errors
    with translation.override("zh-hans"):
        assert rendered(error["text"]) == f"按“{label}”匹配到的客户，其个人信息已被删除：此行不导入，以免再次保存其个人信息。"
    with translation.override("en"):
        assert rendered(error["text"]).startswith("The customer matched by “")
        assert "had their personal data erased: the row is not imported" in rendered(error["text"])

    services.import_commit(job=job, actor=actor)
    before = (erased.name, erased.phone, erased.email, erased.version)
    erased.refresh_from_db()
    assert (erased.name, erased.phone, erased.email, erased.version) == before  # nothing written back
    assert erased.name == ERASED and erased.erased_at is not None
    live.refresh_from_db()
    assert live.name == "李四（改名）"
    assert Customer.objects.filter(name="王五").count() == 1
    assert not Customer.objects.filter(name="张三").exists()  # not made again as a new customer either


def test_after_a_real_erasure_the_row_finds_no_one_and_the_erased_customer_stays_anonymous():
    """Erasure empties the code, the phone and the email: the same person imported again is a new
    customer (nothing of the erased one is written)."""
    actor = admin()
    person = CustomerFactory(name="赵六", external_code="C910", phone="+8613700000910", email="zhao6@example.com")
    request = privacy_request_create(customer=person, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=actor)
    privacy_erase(request=request, actor=actor)
    job = upload(actor, "customers", csv_bytes([HEADER, ["C910", "赵六", "13700000910", "zhao6@example.com"]]))
    assert errors_of(job) == [] and job.new_rows == 1
    services.import_commit(job=job, actor=actor)
    person.refresh_from_db()
    assert (person.name, person.external_code, person.phone, person.email) == (ERASED, "", "", "")


def test_a_customer_erased_between_the_match_and_the_write_is_not_written():
    customer = CustomerFactory(name="钱七", phone="+8613700000920")
    kind = CustomerKindImport()
    current = {name: getattr(customer, name) for name in ("name", "external_code", "phone", "email", "kind", "tier")}
    current["region_id"] = customer.region_id
    Customer.objects.filter(pk=customer.pk).update(name=ERASED, phone="", email="", erased_at=clock.now())
    address = ("江苏省", "南京市", "鼓楼区", "中山北路1号", "210009")
    kind.update([(customer.pk, {**current, "name": "钱七（新）", ADDRESS: address})], ["name", ADDRESS])
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == (ERASED, "")
    assert customer.addresses.count() == 0
