"""Intake (接收): any channel registers a request, the customer is found or created, the ticket is
numbered, timed, audited and the customer told — or every bad field is named at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from aftersales.audit.models import AuditEvent
from aftersales.catalog.models import ProductUnit
from aftersales.core.errors import ValidationFailed
from aftersales.customers.models import Contact, Customer, CustomerKind
from aftersales.notifications.models import Notification
from aftersales.tickets.choices import Channel, EventKind, Priority, RequestType
from aftersales.tickets.event_text import event_actor
from aftersales.tickets.models import Ticket, TicketCategory, TicketEvent
from aftersales.tickets.services import ticket_intake
from aftersales.tickets.states import TicketStatus
from tests.clock import freeze_time
from tests.factories import (
    CustomerFactory,
    ProductModelFactory,
    ProductUnitFactory,
    RegionFactory,
    TeamFactory,
    UserFactory,
    intake_input,
    make_ticket,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@freeze_time(NOW)
def test_a_hotline_call_from_a_new_customer_registers_customer_and_ticket():
    agent = UserFactory()
    result = ticket_intake(
        data=intake_input(customer_name=" 张伟 ", phone="138 1234 5678", email="Zhang@Example.com", province=" 广东省 "),
        actor=agent,
    )

    assert result.created
    ticket = Ticket.objects.get(pk=result.ticket.pk)
    assert ticket.number == "SH20261122-000001"
    assert ticket.status == TicketStatus.REGISTERED
    assert ticket.customer.name == "张伟"
    assert ticket.customer.phone == "+8613812345678"
    assert ticket.customer.email == "Zhang@example.com"
    assert (ticket.contact_name, ticket.contact_phone, ticket.contact_email) == ("张伟", "+8613812345678", "Zhang@example.com")
    assert ticket.title == "空调漏水，室内机滴水到地板上。"
    assert ticket.province == "广东省"
    assert ticket.created_by == agent
    assert ticket.created_at == NOW
    assert ticket.version == 1
    assert Customer.objects.count() == 1
    assert AuditEvent.objects.filter(action="customer.created").count() == 1


@freeze_time(NOW)
def test_the_first_timeline_event_is_a_public_created_event():
    agent = UserFactory()
    ticket = make_ticket(actor=agent, safety_hazard=True)
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.kind == EventKind.CREATED
    assert event.public
    assert event.actor == agent
    assert event.actor_label == str(agent)
    assert event.created_at == NOW
    assert event.data == {"channel": "hotline", "number": ticket.number, "safety_hazard": True}


def test_intake_writes_the_ticket_created_audit_event():
    agent = UserFactory()
    ticket = make_ticket(actor=agent)
    audit = AuditEvent.objects.get(action="ticket.created")
    assert (audit.object_type, audit.object_id, audit.object_repr) == ("tickets.ticket", str(ticket.pk), ticket.number)
    assert audit.actor == agent
    assert audit.changes == {"channel": "hotline"}


def test_without_an_actor_the_channel_is_named_as_the_actor():
    ticket = make_ticket(channel=Channel.WEB)
    assert ticket.created_by is None
    # Stored as a code, said in the reader's language (never frozen in the writer's).
    assert ticket.events.get().actor_label == "channel:web"
    assert AuditEvent.objects.get(action="ticket.created").actor_label == "channel:web"
    with translation.override("en"):
        assert event_actor(ticket.events.get()) == "Web portal"
    with translation.override("zh-hans"):
        assert event_actor(ticket.events.get()) == str(Channel.WEB.label) != "Web portal"


def test_a_signed_in_customer_files_under_their_own_record_whatever_phone_they_type():
    portal_user = UserFactory(role="customer")
    me = CustomerFactory(user=portal_user, phone="+8613900000001")
    stranger = CustomerFactory(phone="+8613812345678")
    ticket = make_ticket(actor=portal_user, channel=Channel.WEB, phone="13812345678")
    assert ticket.customer == me != stranger
    assert ticket.contact_phone == "+8613812345678"


def test_a_customer_submitting_on_the_portal_is_not_recorded_as_staff_creator():
    portal_user = UserFactory(role="customer")
    ticket = make_ticket(actor=portal_user, channel=Channel.WEB)
    assert ticket.created_by is None
    assert ticket.events.get().actor == portal_user


SH = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("priority", "first_due", "due"),
    [
        # Urgent runs on the 24×7 calendar: 2 h to reply, 48 h to resolve, Sunday or not.
        (Priority.URGENT, dt.datetime(2026, 11, 22, 12, 0, tzinfo=SH), dt.datetime(2026, 11, 24, 10, 0, tzinfo=SH)),
        # The others run on office hours (Mon–Fri 09:00–18:00): a Sunday ticket's clock starts Monday.
        (Priority.IMPORTANT, dt.datetime(2026, 11, 23, 13, 0, tzinfo=SH), dt.datetime(2026, 11, 25, 18, 0, tzinfo=SH)),
        (Priority.NORMAL, dt.datetime(2026, 11, 23, 18, 0, tzinfo=SH), dt.datetime(2026, 11, 27, 18, 0, tzinfo=SH)),
    ],
)
@freeze_time(NOW)  # Sunday 10:00 in Shanghai
def test_due_times_come_from_the_default_sla_policy_per_priority(priority, first_due, due):
    ticket = make_ticket(priority=priority)
    assert (ticket.first_response_due_at, ticket.due_at) == (first_due, due)
    ticket.refresh_from_db()
    assert (ticket.first_response_due_at, ticket.due_at) == (first_due, due)


@freeze_time(NOW)
def test_due_times_follow_the_configured_policy():
    from aftersales.sla.models import SlaPolicy

    SlaPolicy.objects.filter(priority=None, customer_tier="").update(first_response_minutes=60, resolution_minutes=120)
    ticket = make_ticket()
    assert (ticket.first_response_due_at, ticket.due_at) == (
        dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH),
        dt.datetime(2026, 11, 23, 11, 0, tzinfo=SH),
    )


@freeze_time(NOW)
def test_a_safety_hazard_is_always_urgent():
    ticket = make_ticket(priority=Priority.NORMAL, safety_hazard=True, description="插座冒烟，有焦味")
    assert ticket.priority == Priority.URGENT
    assert ticket.safety_hazard
    assert ticket.due_at == NOW + dt.timedelta(hours=48)


# --- Finding the customer ------------------------------------------------------------------


def test_an_existing_customer_is_matched_by_phone_however_it_is_typed():
    existing = CustomerFactory(phone="+8613812345678", name="张伟")
    ticket = make_ticket(phone="+86 138-1234-5678", customer_name="张先生")
    assert ticket.customer == existing
    assert Customer.objects.count() == 1
    # The reporter's name is kept on the ticket; the customer record is not renamed.
    assert ticket.contact_name == "张先生"
    existing.refresh_from_db()
    assert existing.name == "张伟"


def test_an_existing_customer_is_matched_by_email_ignoring_case():
    existing = CustomerFactory(phone="", email="li.na@example.com")
    ticket = make_ticket(phone="", email="LI.NA@EXAMPLE.COM", channel=Channel.EMAIL)
    assert ticket.customer == existing
    assert Customer.objects.count() == 1


def test_a_company_is_matched_by_its_contacts_phone():
    company = CustomerFactory(kind=CustomerKind.COMPANY, name="华强电子有限公司", phone="+862088881234")
    Contact.objects.create(customer=company, name="陈经理", phone="+8613700001111")
    ticket = make_ticket(phone="137 0000 1111", customer_name="陈经理")
    assert ticket.customer == company
    assert Customer.objects.count() == 1


def test_a_phone_match_wins_over_an_email_match():
    by_phone = CustomerFactory(phone="+8613812345678", email="a@example.com")
    CustomerFactory(phone="+8613900000000", email="b@example.com")
    assert make_ticket(phone="13812345678", email="b@example.com").customer == by_phone


def test_the_ticket_takes_the_customers_region_unless_one_is_given():
    east, north = RegionFactory(code="east"), RegionFactory(code="north")
    CustomerFactory(phone="+8613812345678", region=east)
    assert make_ticket().region == east
    team = TeamFactory(region=north)
    ticket = make_ticket(region=north, team=team)
    assert (ticket.region, ticket.team) == (north, team)


# --- The product -----------------------------------------------------------------------------


def test_a_serial_number_links_the_unit_and_its_model_and_batch():
    unit = ProductUnitFactory(serial_number="SN-KFR-0001", batch="B20260301", customer=None)
    ticket = make_ticket(serial_number=" sn-kfr-0001 ")
    assert ticket.product_unit == unit
    assert ticket.product_model == unit.model
    assert ticket.reported_serial == "SN-KFR-0001"
    assert ticket.reported_batch == "B20260301"


def test_the_reporter_becomes_the_owner_of_a_unit_that_had_none():
    unit = ProductUnitFactory(serial_number="SN-OWNERLESS", customer=None)
    ticket = make_ticket(serial_number="SN-OWNERLESS")
    unit.refresh_from_db()
    assert unit.customer == ticket.customer


def test_a_unit_that_has_an_owner_keeps_it():
    owner = CustomerFactory(phone="+8613900001111")
    unit = ProductUnitFactory(serial_number="SN-OWNED", customer=owner)
    ticket = make_ticket(serial_number="SN-OWNED", phone="13812345678")
    unit.refresh_from_db()
    assert unit.customer == owner
    assert ticket.customer != owner


def test_the_linked_units_model_wins_over_a_mistyped_model_number():
    unit = ProductUnitFactory(serial_number="SN-REAL")
    other_model = ProductModelFactory(code="KFR-99GW")
    ticket = make_ticket(serial_number="SN-REAL", product_model_code="KFR-99GW")
    assert ticket.product_unit == unit
    assert ticket.product_model == unit.model != other_model


def test_an_unknown_serial_is_kept_as_reported_with_the_typed_model():
    model = ProductModelFactory(code="KFR-72LW")
    ticket = make_ticket(
        serial_number="sn-unknown", product_model_code=" KFR-72LW ", batch="B1", purchase_date=dt.date(2026, 5, 1)
    )
    assert ticket.product_unit is None
    assert ticket.product_model == model
    assert (ticket.reported_serial, ticket.reported_batch) == ("SN-UNKNOWN", "B1")
    assert ticket.reported_purchase_date == dt.date(2026, 5, 1)
    assert not ProductUnit.objects.exists()


def test_a_known_category_is_set():
    ticket = make_ticket(category_code="product_quality")
    assert ticket.category == TicketCategory.objects.get(code="product_quality")


# --- Validation ------------------------------------------------------------------------------


@freeze_time(NOW)
def test_every_bad_field_is_reported_at_once_and_nothing_is_stored():
    bad = intake_input(
        channel="pigeon",
        request_type="teleport",
        description="   ",
        phone="12345",
        email="not-an-email",
        priority=7,
        occurred_at=NOW + dt.timedelta(days=1),
        purchase_date=dt.date(2026, 11, 23),
        category_code="no-such-category",
        product_model_code="NO-SUCH-MODEL",
    )
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=bad)
    assert raised.value.code == "intake_invalid"
    assert set(raised.value.errors) == {
        "channel",
        "request_type",
        "description",
        "phone",
        "email",
        "priority",
        "occurred_at",
        "purchase_date",
        "category_code",
        "product_model_code",
    }
    assert not Ticket.objects.exists()
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not Notification.objects.exists()


def test_a_name_and_a_way_to_reach_the_customer_are_required():
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=intake_input(customer_name=" ", phone="", email=""))
    assert set(raised.value.errors) == {"customer_name", "phone"}


def test_an_inactive_category_is_refused():
    TicketCategory.objects.filter(code="other").update(active=False)
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=intake_input(category_code="other"))
    assert set(raised.value.errors) == {"category_code"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_name", "张" * 129),
        ("title", "标" * 201),
        ("description", "漏" * 20001),
        ("province", "省" * 33),
        ("city", "市" * 33),
        ("district", "区" * 33),
        ("address", "路" * 201),
        ("serial_number", "S" * 65),
        ("batch", "B" * 65),
    ],
)
def test_text_longer_than_its_column_is_refused_never_cut(field, value):
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=intake_input(**{field: value}))
    assert set(raised.value.errors) == {field}
    assert not Ticket.objects.exists()


def test_an_email_longer_than_the_column_is_refused():
    email = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 63}.cn"
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=intake_input(email=email))
    assert set(raised.value.errors) == {"email"}


@pytest.mark.parametrize("priority", [None, "urgent", 0, 4])
def test_a_priority_that_is_not_one_of_ours_is_refused(priority):
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=intake_input(priority=priority))
    assert set(raised.value.errors) == {"priority"}


@freeze_time(NOW)
def test_a_time_a_few_minutes_ahead_is_clock_skew_not_the_future():
    ticket = make_ticket(occurred_at=NOW + dt.timedelta(minutes=4), purchase_date=dt.date(2026, 11, 22))
    assert ticket.occurred_at == NOW + dt.timedelta(minutes=4)


@freeze_time(NOW)
def test_a_time_without_zone_is_read_as_shanghai_time_not_a_crash():
    ticket = make_ticket(occurred_at=dt.datetime(2026, 11, 22, 9, 30))  # a wall-clock time, as a form sends it
    assert timezone.is_aware(ticket.occurred_at)
    assert ticket.occurred_at == dt.datetime(2026, 11, 22, 1, 30, tzinfo=dt.UTC)
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=intake_input(occurred_at=dt.datetime(2026, 11, 22, 11, 0)))
    assert set(raised.value.errors) == {"occurred_at"}


def test_missing_optional_text_is_treated_as_empty():
    ticket = make_ticket(province=None, city=None, district=None, address=None, title=None, batch=None)
    assert (ticket.province, ticket.city, ticket.district, ticket.address, ticket.reported_batch) == ("", "", "", "", "")


def test_the_title_defaults_to_the_first_line_of_the_description():
    ticket = make_ticket(description="洗衣机不脱水\n第二行细节", request_type=RequestType.REPAIR)
    assert ticket.title == "洗衣机不脱水"
    assert make_ticket(title=" 自定义标题 ").title == "自定义标题"
