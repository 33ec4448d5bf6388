"""Creating customers and their addresses through the one door, audited."""

from __future__ import annotations

import pytest

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from aftersales.customers.effects import CUSTOMER_TERMS_CHANGED
from aftersales.customers.models import Address, Customer, CustomerKind, CustomerTier
from aftersales.customers.services import customer_add_address, customer_create, customer_set_tier, normalize_email
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_customer_create_normalises_phone_and_email_and_writes_an_audit_event():
    agent = UserFactory()
    customer = customer_create(name="  张伟 ", phone="138-1234-5678", email="Zhang.Wei@Example.COM", actor=agent)

    customer.refresh_from_db()
    assert customer.name == "张伟"
    assert customer.phone == "+8613812345678"
    # The domain is case-insensitive, the local part is kept as typed.
    assert customer.email == "Zhang.Wei@example.com"
    assert customer.consent_contact is True
    assert customer.consent_recorded_at is not None
    event = AuditEvent.objects.get(action="customer.created")
    assert (event.object_type, event.object_id, event.actor) == ("customers.customer", str(customer.pk), agent)
    assert event.actor_label == str(agent)


def test_a_customer_reachable_only_by_email_needs_no_phone():
    customer = customer_create(name="ACME 有限公司", email="service@acme.cn", kind=CustomerKind.COMPANY, tier=CustomerTier.KEY)
    assert (customer.phone, customer.email, customer.kind, customer.tier) == ("", "service@acme.cn", "company", "key")


def test_without_an_actor_the_audit_names_the_channel_or_the_system():
    customer_create(name="李娜", phone="13912345678", actor_label="Web portal")
    customer_create(name="王芳", phone="13912345679")
    labels = set(AuditEvent.objects.filter(action="customer.created").values_list("actor_label", flat=True))
    assert labels == {"Web portal", "system"}


def test_customer_create_requires_a_name_and_a_way_to_reach_them():
    with pytest.raises(ValidationFailed) as raised:
        customer_create(name="  ", phone="", email="")
    assert raised.value.code == "customer_invalid"
    assert set(raised.value.errors) == {"name", "phone"}
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.exists()


def test_customer_create_reports_a_bad_phone_and_a_bad_email_together():
    with pytest.raises(ValidationFailed) as raised:
        customer_create(name="张伟", phone="12345", email="not-an-email")
    assert set(raised.value.errors) == {"phone", "email"}
    assert not Customer.objects.exists()


def test_customer_create_refuses_a_name_longer_than_it_can_store_instead_of_cutting_it():
    with pytest.raises(ValidationFailed) as raised:
        customer_create(name="张" * 129, phone="13812345678")
    assert set(raised.value.errors) == {"name"}
    assert customer_create(name="张" * 128, phone="13812345678").name == "张" * 128


def test_normalize_email_refuses_an_address_longer_than_the_column():
    local = "a" * 64
    too_long = f"{local}@{'b' * 63}.{'c' * 63}.{'d' * 63}.cn"
    assert len(too_long) > 254
    with pytest.raises(ValidationFailed) as raised:
        normalize_email(too_long)
    assert raised.value.code == "email_invalid"
    assert normalize_email("") == ""
    assert normalize_email("  Li@Example.CN ") == "Li@example.cn"


def test_the_new_address_becomes_the_only_default():
    customer = CustomerFactory()
    first = customer_add_address(customer=customer, province="广东省", city="深圳市", district="南山区", detail="科技园路1号")
    second = customer_add_address(customer=customer, province=" 北京市 ", city="北京市", detail=" 中关村大街2号 ")

    first.refresh_from_db()
    second.refresh_from_db()
    assert not first.is_default
    assert second.is_default
    assert (second.province, second.district, second.detail) == ("北京市", "", "中关村大街2号")
    assert Address.objects.filter(customer=customer, is_default=True).count() == 1
    assert AuditEvent.objects.filter(action="customer.address_added", object_id=str(customer.pk)).count() == 2


def test_another_customers_default_address_is_left_alone():
    mine, theirs = CustomerFactory(), CustomerFactory()
    their_address = customer_add_address(customer=theirs, province="上海市", city="上海市", detail="南京路1号")
    customer_add_address(customer=mine, province="上海市", city="上海市", detail="淮海路2号")
    their_address.refresh_from_db()
    assert their_address.is_default


def test_an_address_needs_province_city_and_street_reported_at_once():
    customer = CustomerFactory()
    with pytest.raises(ValidationFailed) as raised:
        customer_add_address(customer=customer, province="", city=" ", detail="")
    assert raised.value.code == "address_invalid"
    assert set(raised.value.errors) == {"province", "city", "detail"}
    assert not Address.objects.exists()


def test_an_address_longer_than_its_columns_is_refused_not_cut():
    customer = CustomerFactory()
    with pytest.raises(ValidationFailed) as raised:
        customer_add_address(customer=customer, province="省" * 33, city="市", district="区" * 33, detail="路" * 201)
    assert set(raised.value.errors) == {"province", "district", "detail"}
    assert not Address.objects.exists()


def test_a_new_tier_is_audited_and_sets_off_the_terms_hook_once():
    supervisor = UserFactory()
    customer = CustomerFactory(tier=CustomerTier.NORMAL)
    sent: list[dict[str, object]] = []
    with CUSTOMER_TERMS_CHANGED.override(lambda **kwargs: sent.append(kwargs)):
        changed = customer_set_tier(customer=customer, tier=CustomerTier.KEY, actor=supervisor)
        customer_set_tier(customer=changed, tier=CustomerTier.KEY, actor=supervisor)  # no change: nothing
    assert sent == [{"customer_id": customer.pk}]
    assert Customer.objects.get(pk=customer.pk).tier == CustomerTier.KEY
    event = AuditEvent.objects.get(action="customer.tier_changed")
    assert (event.object_id, event.actor, event.changes) == (str(customer.pk), supervisor, {"tier": ["normal", "key"]})


def test_an_unknown_tier_is_refused_and_sets_off_nothing():
    customer = CustomerFactory()
    sent: list[dict[str, object]] = []
    with CUSTOMER_TERMS_CHANGED.override(lambda **kwargs: sent.append(kwargs)), pytest.raises(ValidationFailed):
        customer_set_tier(customer=customer, tier="platinum")
    assert sent == []
