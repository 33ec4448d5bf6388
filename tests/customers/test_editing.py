"""The staff's changes to a customer (customers.editing) and the customer search
(customers.search): one door each, versions, permissions, audit, unique phones and codes."""

from __future__ import annotations

import pytest

from aftersales.accounts.models import DataScope, RegionArea, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.customers.editing import customer_register, customer_remove_address, customer_update, customer_update_address
from aftersales.customers.models import Address, ConsentRecord, ConsentSource, Contact, Customer, CustomerTier
from aftersales.customers.search import customer_search, read_search_text
from aftersales.customers.services import (
    customer_add_address,
    customer_set_consents,
    customer_set_external_code,
    customer_set_tier,
)
from tests.factories import CustomerFactory, RegionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent():
    return UserFactory(role=Role.AGENT, username="agent.wang", display_name="王芳")


@pytest.fixture
def supervisor():
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="李主管")


def fresh(customer: Customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


# --- customer_update ------------------------------------------------------------------------------


def test_an_edit_changes_the_fields_raises_the_version_and_is_audited(agent):
    customer = CustomerFactory(name="张伟", phone="+8613800001111", email="zw@example.com")
    before = fresh(customer).version

    changed = customer_update(
        customer=customer,
        actor=agent,
        expected_version=before,
        name=" 张伟强 ",
        phone="139 0000 2222",
        email="ZW@Example.COM",
        language="en",
        notes="只在工作日上午联系",
    )

    assert (changed.name, changed.phone, changed.email, changed.language) == ("张伟强", "+8613900002222", "ZW@example.com", "en")
    assert changed.notes == "只在工作日上午联系"
    assert changed.version == before + 1
    event = AuditEvent.objects.get(action="customer.updated", object_id=str(customer.pk))
    assert event.actor == agent
    assert event.changes["phone"] == ["+8613800001111", "+8613900002222"]
    assert event.changes["name"] == ["张伟", "张伟强"]
    # Free text stays out of the log (the erasure redacts identifiers, not notes).
    assert event.changes["notes"] == "changed"


def test_saving_what_is_already_there_writes_nothing(agent):
    customer = CustomerFactory(name="张伟", phone="+8613800001111")
    version = fresh(customer).version
    customer_update(customer=customer, actor=agent, expected_version=version, name="张伟", phone="13800001111")
    assert fresh(customer).version == version
    assert not AuditEvent.objects.filter(action="customer.updated").exists()


def test_a_stale_version_is_refused_naming_who_changed_the_customer(agent, supervisor):
    customer = CustomerFactory(name="张伟")
    seen = fresh(customer).version
    customer_update(customer=customer, actor=supervisor, expected_version=seen, name="张伟（公司）")

    with pytest.raises(Conflict) as refused:
        customer_update(customer=customer, actor=agent, expected_version=seen, name="张伟二")

    assert refused.value.code == "stale_version"
    assert "李主管" in str(refused.value.message)
    assert fresh(customer).name == "张伟（公司）"


def test_the_other_doors_raise_the_version_too(agent, supervisor):
    """A tier, consent or code change (admin, portal, import) makes an open edit form stale."""
    customer = CustomerFactory()
    start = fresh(customer).version
    customer_set_tier(customer=customer, tier=CustomerTier.KEY, actor=supervisor)
    customer_set_consents(customer=customer, contact=False, marketing=False, source=ConsentSource.PORTAL)
    customer_set_external_code(customer=customer, code="ERP-1", actor=agent)
    customer_add_address(customer=customer, province="上海市", city="上海市", detail="南京路1号")
    assert fresh(customer).version == start + 4
    with pytest.raises(Conflict):
        customer_update(customer=customer, actor=agent, expected_version=start, notes="x")


def test_another_customers_phone_or_code_is_refused_on_its_field(agent):
    CustomerFactory(phone="+8613800001111", external_code="ERP-7")
    customer = CustomerFactory(phone="+8613800002222")

    with pytest.raises(ValidationFailed) as refused:
        customer_update(customer=customer, actor=agent, phone="138 0000 1111", external_code="ERP-7")

    assert set(refused.value.errors) == {"phone", "external_code"}
    assert "phone number" in str(refused.value.errors["phone"][0])
    assert fresh(customer).phone == "+8613800002222"


def test_bad_input_is_refused_field_by_field(agent):
    customer = CustomerFactory(phone="+8613800002222", email="")

    with pytest.raises(ValidationFailed) as refused:
        customer_update(customer=customer, actor=agent, name=" ", phone="12345", email="not-an-email", language="fr")
    assert set(refused.value.errors) == {"name", "phone", "email", "language"}

    # The phone cleared and no email: the customer could no longer be reached.
    with pytest.raises(ValidationFailed) as unreachable:
        customer_update(customer=customer, actor=agent, phone="")
    assert set(unreachable.value.errors) == {"phone"}


def test_only_supervisors_and_administrators_change_the_tier(agent, supervisor):
    customer = CustomerFactory()
    with pytest.raises(PermissionDenied) as refused:
        customer_update(customer=customer, actor=agent, tier=CustomerTier.KEY)
    assert refused.value.field == "tier"
    # The same tier sent back with other fields (a form that shows it) is no change of tier.
    customer_update(customer=customer, actor=agent, tier=CustomerTier.NORMAL, notes="ok")

    changed = customer_update(customer=customer, actor=supervisor, tier=CustomerTier.KEY)
    assert changed.tier == CustomerTier.KEY
    assert AuditEvent.objects.get(action="customer.tier_changed").changes == {"tier": ["normal", "key"]}


def test_roles_without_personal_data_cannot_edit():
    customer = CustomerFactory()
    for role in (Role.TECHNICIAN, Role.WAREHOUSE, Role.FINANCE, Role.CUSTOMER):
        with pytest.raises(PermissionDenied):
            customer_update(customer=customer, actor=UserFactory(role=role), name="x")


def test_consents_given_to_staff_are_recorded_as_a_statement(agent):
    customer = CustomerFactory(consent_contact=True, consent_marketing=False)
    customer_update(customer=customer, actor=agent, consent_contact=True, consent_marketing=True)
    record = ConsentRecord.objects.get(customer=customer)
    assert (record.contact, record.marketing, record.source, record.actor) == (True, True, ConsentSource.STAFF, agent)
    assert AuditEvent.objects.filter(action="customer.consents_changed", actor=agent).exists()


def test_an_erased_customer_cannot_be_changed(agent):
    customer = CustomerFactory(erased_at=clock.now(), name="***", phone="")
    with pytest.raises(DomainError) as refused:
        customer_update(customer=customer, actor=agent, name="张伟")
    assert refused.value.code == "customer_erased"


def test_the_external_code_goes_through_its_service(agent):
    customer = CustomerFactory()
    customer_update(customer=customer, actor=agent, external_code=" ERP-42 ")
    assert fresh(customer).external_code == "ERP-42"
    assert AuditEvent.objects.get(action="customer.external_code_changed").changes == {"external_code": ["", "ERP-42"]}


# --- customer_register ----------------------------------------------------------------------------


def test_registering_a_customer_with_an_address(agent):
    east = RegionFactory(code="east", name="华东")
    agent.region = east
    agent.save()
    customer = customer_register(
        actor=agent,
        name="上海某某有限公司",
        kind="company",
        phone="021-6234 5678",
        email="service@example.cn",
        language="en",
        notes="大客户，周末不送货",
        consent_marketing=True,
        province="浙江",
        city="杭州",
        detail="文三路1号",
    )
    assert customer.phone == "+862162345678"
    assert (customer.kind, customer.language, customer.consent_marketing) == ("company", "en", True)
    address = Address.objects.get(customer=customer)
    assert address.is_default and address.detail == "文三路1号"
    # No region table row for 浙江 here: the agent's region.
    assert customer.region == east
    assert AuditEvent.objects.filter(action="customer.created", actor=agent, object_id=str(customer.pk)).exists()

    # Where the region table knows the address's province, its region wins over the agent's.
    west = RegionFactory(code="west", name="西南")
    RegionArea.objects.create(region=west, province="四川")
    other = customer_register(actor=agent, name="李四", phone="13800004444", province="四川省", city="成都", detail="春熙路1号")
    assert other.region == west


def test_registering_refuses_a_taken_phone_with_the_other_errors(agent):
    CustomerFactory(phone="+8613800001111")
    with pytest.raises(ValidationFailed) as refused:
        customer_register(actor=agent, name="", phone="13800001111", province="浙江")
    assert set(refused.value.errors) >= {"name", "phone", "city", "detail"}
    assert Customer.objects.count() == 1


def test_an_agent_registers_normal_customers_only(agent, supervisor):
    with pytest.raises(PermissionDenied):
        customer_register(actor=agent, name="要客", phone="13800003333", tier=CustomerTier.KEY)
    made = customer_register(actor=supervisor, name="要客", phone="13800003333", tier=CustomerTier.KEY)
    assert made.tier == CustomerTier.KEY


# --- Addresses ------------------------------------------------------------------------------------


def test_one_default_address_through_add_change_and_remove(agent):
    customer = CustomerFactory()
    home = customer_add_address(customer=customer, province="上海市", city="上海市", detail="南京路1号")
    office = customer_add_address(customer=customer, province="上海市", city="上海市", detail="淮海路2号", is_default=False)
    assert (fresh_address(home).is_default, fresh_address(office).is_default) == (True, False)

    version = fresh(customer).version
    customer_update_address(
        address=office,
        actor=agent,
        province="上海市",
        city="上海市",
        detail="淮海中路2号",
        is_default=True,
        expected_version=version,
    )
    assert (fresh_address(home).is_default, fresh_address(office).is_default) == (False, True)
    assert fresh_address(office).detail == "淮海中路2号"
    changed = AuditEvent.objects.get(action="customer.address_changed")
    assert changed.changes["detail"] == ["淮海路2号", "淮海中路2号"]

    with pytest.raises(Conflict):  # the version before the change
        customer_remove_address(address=office, actor=agent, expected_version=version)
    customer_remove_address(address=office, actor=agent, expected_version=fresh(customer).version)
    assert list(Address.objects.filter(customer=customer).values_list("detail", "is_default")) == [("南京路1号", True)]
    assert AuditEvent.objects.filter(action="customer.address_removed").exists()


def test_an_address_needs_province_city_and_street(agent):
    customer = CustomerFactory()
    address = customer_add_address(customer=customer, province="上海市", city="上海市", detail="南京路1号")
    with pytest.raises(ValidationFailed) as refused:
        customer_update_address(address=address, actor=agent, province="", city="", detail="", postal_code="1" * 13)
    assert set(refused.value.errors) == {"province", "city", "detail", "postal_code"}


def fresh_address(address: Address) -> Address:
    return Address.objects.get(pk=address.pk)


# --- Search ---------------------------------------------------------------------------------------


def found(text: str) -> list[str]:
    return sorted(customer_search(Customer.objects.all(), text).values_list("name", flat=True))


def test_search_by_phone_its_last_digits_email_code_and_name():
    CustomerFactory(name="张伟", phone="+8613812345678", email="Zhang.Wei@example.com", external_code="ERP-100")
    CustomerFactory(name="李娜", phone="+8613900005678", email="li@example.com")
    CustomerFactory(name="王芳", phone="+8615912340000", email="")
    company = CustomerFactory(name="某某公司", phone="", email="ops@example.cn")
    Contact.objects.create(customer=company, name="赵六", phone="+8618600001234")

    assert found("5678") == ["张伟", "李娜"]  # the last four digits
    assert found("2345678") == ["张伟"]  # more digits narrow it
    assert found("138 1234 5678") == ["张伟"]  # the whole number, typed with spaces
    assert found("+86 138-1234-5678") == ["张伟"]
    assert found("186 0000 1234") == ["某某公司"]  # a contact's phone
    assert found("ZHANG.WEI@EXAMPLE.COM") == ["张伟"]
    assert found("ERP-100") == ["张伟"]
    assert found("伟") == ["张伟"]
    assert found("公司") == ["某某公司"]
    assert found("567") == []  # three digits are no phone search
    assert found("") == sorted(["张伟", "李娜", "王芳", "某某公司"])
    assert found("erp-100") == []  # the code is compared exactly


def test_how_a_search_text_is_read():
    assert read_search_text("  ").kind == ""
    assert read_search_text("a@b.cn").kind == "email"
    phone = read_search_text("138 1234 5678")
    assert (phone.kind, phone.phone, phone.phone_end) == ("phone", "+8613812345678", "13812345678")
    tail = read_search_text("5678")
    assert (tail.kind, tail.phone, tail.phone_end) == ("phone", "", "5678")
    assert read_search_text("123").kind == "text"
    assert read_search_text("张伟").kind == "text"
