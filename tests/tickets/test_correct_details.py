"""Correcting what intake registered (更正信息): the service, the ticket page's form, and the
technician's serial number read on site (``tickets.services.details``; docs/process.md)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.catalog.models import ProductUnit
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.crisis.models import Alert
from aftersales.fieldservice import services as fieldservice
from aftersales.remedies.facts import ticket_facts
from aftersales.tickets.choices import Channel, EventKind
from aftersales.tickets.event_text import event_text
from aftersales.tickets.models import Attachment, MeasureKind, Ticket, TicketCount, TicketEvent
from aftersales.tickets.process import MeasureInput, ticket_cancel, ticket_plan_warranty, ticket_propose_plan
from aftersales.tickets.services.details import NothingChanged, ticket_correct_details
from tests.accounts.test_regions import demo_regions
from tests.factories import ProductModelFactory, ProductUnitFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import fresh, in_progress_ticket, new_job, photo, technician, walk_to

from .process_helpers import agent, analysed, refreshed, supervisor

pytestmark = pytest.mark.django_db

NO_UNIT = "The ticket has no registered unit: register its serial number to count the periods."


def unit_in_warranty(**kwargs):  # type: ignore[no-untyped-def]
    today = clock.local_today()
    return ProductUnitFactory(
        purchase_date=today - dt.timedelta(days=30), production_date=today - dt.timedelta(days=90), **kwargs
    )


def corrections(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket, data__action="correct_details"))


def audit_rows(ticket: Ticket) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="ticket.details_corrected", object_id=str(ticket.pk)))


def goodwill_plan(ticket: Ticket, actor):  # type: ignore[no-untyped-def]
    """A free on-site repair (the customer pays nothing)."""
    return ticket_propose_plan(
        ticket=ticket,
        actor=actor,
        diagnosis="排水泵故障，免费上门维修。",
        measures=[MeasureInput(kind=MeasureKind.ONSITE_REPAIR, owner=actor, customer_charge=Decimal("0"))],
    )


# --- The serial number, the unit and what follows from it ---------------------------------------


def test_a_serial_number_registered_afterwards_finds_the_unit_and_the_warranty_and_remedies_follow():
    handler = agent()
    ticket = make_ticket(actor=handler)
    unit = unit_in_warranty()
    assert ticket.product_unit_id is None
    assert ticket_plan_warranty(ticket=ticket).state == "unknown"
    assert NO_UNIT in [text["m"] for text in ticket_facts(ticket=ticket).context]

    corrected = ticket_correct_details(
        ticket=ticket, actor=handler, expected_version=ticket.version, serial_number=f" {unit.serial_number.lower()} "
    )

    assert corrected.product_unit_id == unit.pk and corrected.reported_serial == unit.serial_number
    assert corrected.product_model_id == unit.model_id  # the unit knows its model
    assert corrected.version == ticket.version + 1
    assert ProductUnit.objects.get(pk=unit.pk).customer_id == ticket.customer_id  # as intake: now the customer's
    assert ticket_plan_warranty(ticket=corrected).state == "in"
    assert NO_UNIT not in [text["m"] for text in ticket_facts(ticket=corrected).context]
    # One internal timeline entry naming the fields, in the reader's language; nobody is told.
    (event,) = corrections(ticket)
    assert event.kind == EventKind.FIELD_CHANGED and event.public is False and event.actor == handler
    with translation.override("zh-hans"):
        assert event_text(event) == "信息已更正：序列号、产品型号"
    with translation.override("en"):
        assert event_text(event) == "Details corrected: Serial number, Product model"
    # One audit row, field by field, before → after; only what changed.
    (row,) = audit_rows(ticket)
    assert row.changes == {
        "reported_serial": ["", unit.serial_number],
        "product_unit": [None, unit.serial_number],
        "product_model": [None, unit.model.code],
    }


def test_with_the_unit_registered_a_free_goodwill_repair_can_be_planned():
    handler = agent()
    ticket = analysed(make_ticket(actor=handler), handler)
    with pytest.raises(ValidationFailed) as refused:
        goodwill_plan(ticket, handler)
    assert refused.value.code == "measure_charge_required"  # warranty unknown: the customer must pay

    unit = unit_in_warranty()
    ticket = ticket_correct_details(ticket=refreshed(ticket), actor=handler, serial_number=unit.serial_number)
    plan = goodwill_plan(ticket, handler)
    assert plan.measures.get().customer_charge == Decimal("0")


def test_an_unknown_serial_number_is_kept_as_reported_with_the_typed_model_as_intake_does():
    handler = agent()
    model = ProductModelFactory()
    ticket = make_ticket(actor=handler)
    corrected = ticket_correct_details(
        ticket=ticket, actor=handler, serial_number="sn-not-in-catalog", product_model_code=model.code, batch="B2026"
    )
    assert corrected.product_unit_id is None and corrected.reported_serial == "SN-NOT-IN-CATALOG"
    assert corrected.product_model_id == model.pk and corrected.reported_batch == "B2026"
    assert ticket_plan_warranty(ticket=corrected).state == "unknown"


def test_a_typed_model_yields_to_the_units_and_an_empty_batch_takes_the_units():
    handler = agent()
    unit = unit_in_warranty(batch="B20260301")
    ticket = make_ticket(actor=handler, product_model_code=ProductModelFactory().code)
    corrected = ticket_correct_details(
        ticket=ticket, actor=handler, serial_number=unit.serial_number, product_model_code=ProductModelFactory().code, batch=""
    )
    assert corrected.product_model_id == unit.model_id
    assert corrected.reported_batch == "B20260301"


# --- Only what changed; nothing changed --------------------------------------------------------


def test_only_the_changed_details_are_written_and_nothing_changed_writes_nothing():
    handler = agent()
    ticket = make_ticket(actor=handler, purchase_date=dt.date(2026, 1, 5), province="上海市", city="上海市")
    with pytest.raises(NothingChanged) as same:
        ticket_correct_details(
            ticket=ticket,
            actor=handler,
            purchase_date=dt.date(2026, 1, 5),
            province="上海市",
            contact_phone="138 1234 5678",  # the same number, typed otherwise
            description=ticket.description,
        )
    assert same.value.code == "nothing_changed"
    assert refreshed(ticket).version == ticket.version and not corrections(ticket) and not audit_rows(ticket)

    occurred = clock.now() - dt.timedelta(days=2)
    corrected = ticket_correct_details(
        ticket=ticket,
        actor=handler,
        purchase_date=dt.date(2026, 2, 5),
        occurred_at=occurred,
        province="上海市",
        title="",  # as intake: the description's first line stands for it
    )
    assert corrected.reported_purchase_date == dt.date(2026, 2, 5) and corrected.occurred_at == occurred
    (row,) = audit_rows(ticket)
    assert row.changes == {
        "reported_purchase_date": ["2026-01-05", "2026-02-05"],
        "occurred_at": [None, occurred.isoformat()],
    }
    with translation.override("zh-hans"):
        assert event_text(corrections(ticket)[0]) == "信息已更正：购买日期、发生时间"


def test_the_title_and_description_are_searchable_as_corrected():
    handler = agent()
    ticket = make_ticket(actor=handler)
    corrected = ticket_correct_details(ticket=ticket, actor=handler, title="冰箱不制冷", description="冰箱不制冷，压缩机不启动。")
    assert (corrected.title, corrected.description) == ("冰箱不制冷", "冰箱不制冷，压缩机不启动。")
    assert "压缩" in corrected.search_grams.split() and "漏水" not in corrected.search_grams.split()


def test_the_contact_is_corrected_and_the_customer_stays():
    handler = agent()
    ticket = make_ticket(actor=handler)
    corrected = ticket_correct_details(
        ticket=ticket, actor=handler, contact_name="李娜", contact_phone="139-0000-1111", contact_email="LI.NA@Example.com"
    )
    assert (corrected.contact_name, corrected.contact_phone) == ("李娜", "+8613900001111")
    assert corrected.contact_email.endswith("@example.com")
    assert corrected.customer_id == ticket.customer_id


# --- The address and the region ------------------------------------------------------------------


def _count(status: str, region_id: int | None) -> int:
    rows = TicketCount.objects.filter(status=status, region_key=region_id or 0)
    return rows.aggregate(n=Sum("n"))["n"] or 0


def test_a_corrected_address_moves_the_ticket_to_the_region_that_serves_it_and_the_counts_follow():
    regions = demo_regions()
    handler = agent()
    ticket = make_ticket(actor=handler, province="江苏省", city="苏州市")
    assert ticket.region_id == regions["east"].pk
    east, south = _count("registered", regions["east"].pk), _count("registered", regions["south"].pk)

    corrected = ticket_correct_details(ticket=ticket, actor=handler, province="广东省", city="深圳市", address="南山区科技园")

    assert corrected.region_id == regions["south"].pk
    assert _count("registered", regions["east"].pk) == east - 1
    assert _count("registered", regions["south"].pk) == south + 1
    (row,) = audit_rows(ticket)
    assert row.changes["region"] == ["east", "south"]
    with translation.override("zh-hans"):
        assert event_text(corrections(ticket)[0]) == "信息已更正：省份、城市、地址、区域"
    # Without an address, the customer's region answers, as at intake (their first address).
    again = ticket_correct_details(ticket=corrected, actor=handler, province="", city="")
    assert again.region_id == regions["east"].pk


def test_when_no_region_answers_the_ticket_keeps_the_one_it_has():
    regions = demo_regions()
    handler = agent()
    # Filed without an address through a key of the south region (intake's last resort).
    ticket = make_ticket(actor=handler, phone="13700001111", region=regions["south"])
    assert ticket.region_id == regions["south"].pk
    corrected = ticket_correct_details(ticket=ticket, actor=handler, province="火星", city="奥林帕斯")
    assert corrected.region_id == regions["south"].pk and corrected.province == "火星"
    assert "region" not in audit_rows(ticket)[0].changes


# --- Who, when, which version ------------------------------------------------------------------


def test_an_archived_ticket_is_read_only():
    handler = agent()
    ticket = ticket_cancel(ticket=make_ticket(actor=handler), actor=handler, reason="客户撤回")
    with pytest.raises(DomainError) as refused:
        ticket_correct_details(ticket=ticket, actor=handler, serial_number="SN1")
    assert refused.value.code == "ticket_final"


def test_only_handlers_within_their_scope_may_correct():
    owner = agent(data_scope=DataScope.OWN)
    ticket = make_ticket(actor=owner)
    for outsider in (
        UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL),
        agent(data_scope=DataScope.OWN),  # not their ticket
    ):
        with pytest.raises(PermissionDenied):
            ticket_correct_details(ticket=ticket, actor=outsider, serial_number="SN1")
    assert ticket_correct_details(ticket=ticket, actor=supervisor(), serial_number="SN1").reported_serial == "SN1"


def test_a_stale_version_is_refused_naming_who_changed_it():
    handler = agent()
    ticket = make_ticket(actor=handler)
    ticket_correct_details(ticket=ticket, actor=handler, expected_version=ticket.version, batch="B1")
    with pytest.raises(Conflict) as stale:
        ticket_correct_details(ticket=ticket, actor=handler, expected_version=ticket.version, batch="B2")
    assert stale.value.code == "stale_version"
    assert refreshed(ticket).reported_batch == "B1"


def test_every_bad_detail_is_named_and_nothing_is_written():
    handler = agent()
    ticket = make_ticket(actor=handler)
    with pytest.raises(ValidationFailed) as bad:
        ticket_correct_details(
            ticket=ticket,
            actor=handler,
            description="  ",
            contact_name="",
            contact_phone="12",
            purchase_date=clock.local_today() + dt.timedelta(days=3),
            occurred_at=clock.now() + dt.timedelta(days=1),
            product_model_code="NO-SUCH-MODEL",
            serial_number="S" * 65,
            channel="carrier-pigeon",
        )
    assert set(bad.value.errors) == {
        "description",
        "contact_name",
        "contact_phone",
        "purchase_date",
        "occurred_at",
        "product_model_code",
        "serial_number",
        "channel",
    }
    with pytest.raises(ValidationFailed) as unreachable:
        ticket_correct_details(ticket=ticket, actor=handler, contact_phone="", contact_email="")
    assert "contact_phone" in unreachable.value.errors
    assert refreshed(ticket).version == ticket.version and not audit_rows(ticket)


# --- The channel ---------------------------------------------------------------------------------


def test_a_channel_chosen_wrongly_is_corrected_and_a_media_report_raises_its_alert():
    handler = agent()
    ticket = make_ticket(actor=handler, channel=Channel.HOTLINE)
    assert not Alert.objects.filter(kind="social").exists()
    corrected = ticket_correct_details(ticket=ticket, actor=handler, channel=Channel.SOCIAL)
    assert corrected.channel == Channel.SOCIAL
    assert Alert.objects.filter(kind="social", tickets=ticket).exists()
    assert audit_rows(ticket)[0].changes == {"channel": ["hotline", "social"]}


def test_a_ticket_that_came_by_itself_keeps_its_channel():
    handler = agent()
    ticket = make_ticket(actor=handler, channel=Channel.WEB)
    with pytest.raises(ValidationFailed) as fixed:
        ticket_correct_details(ticket=ticket, actor=handler, channel=Channel.HOTLINE)
    assert fixed.value.code == "channel_fixed" and "channel" in fixed.value.errors
    hotline = make_ticket(actor=handler)
    with pytest.raises(ValidationFailed):
        ticket_correct_details(ticket=hotline, actor=handler, channel=Channel.API)


# --- The proof of purchase -----------------------------------------------------------------------


def test_the_proof_of_purchase_is_kept_with_the_correction_internal():
    handler = agent()
    ticket = make_ticket(actor=handler)
    corrected = ticket_correct_details(
        ticket=ticket, actor=handler, purchase_date=dt.date(2026, 3, 1), purchase_proof=photo("发票.png")
    )
    (event,) = corrections(ticket)
    (attachment,) = Attachment.objects.filter(ticket=ticket)
    assert attachment.event_id == event.pk and attachment.public is False and attachment.original_name == "发票.png"
    assert attachment.uploaded_by == handler
    assert audit_rows(ticket)[0].changes["purchase_proof"] == attachment.pk
    assert corrected.reported_purchase_date == dt.date(2026, 3, 1)
    with translation.override("zh-hans"):
        assert event_text(event) == "信息已更正：购买日期、购买凭证"


def test_a_file_that_is_no_proof_is_refused_on_its_field():
    handler = agent()
    ticket = make_ticket(actor=handler)
    with pytest.raises(ValidationFailed) as bad:
        ticket_correct_details(ticket=ticket, actor=handler, purchase_proof=io.BytesIO(b"#!/bin/sh\necho hi\n"))
    assert "purchase_proof" in bad.value.errors and not corrections(ticket)


# --- The ticket page ------------------------------------------------------------------------------


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(headers={"Accept-Language": "zh-hans"})
    client.cookies["django_language"] = "zh-hans"
    client.force_login(user)
    return client


def _post(client: Client, ticket: Ticket, data: dict, **extra):  # type: ignore[no-untyped-def,type-arg]
    url = reverse("tickets:action", args=[ticket.number, "correct_details"])
    return client.post(url, {"expected_version": refreshed(ticket).version, **data}, **extra)


def _form(ticket: Ticket, **changes: str) -> dict[str, str]:
    """What the page's form posts when only ``changes`` were typed over its prefilled values."""
    values = {
        "serial_number": ticket.reported_serial,
        "product_model_code": ticket.product_model.code if ticket.product_model else "",
        "batch": ticket.reported_batch,
        "purchase_date": ticket.reported_purchase_date.isoformat() if ticket.reported_purchase_date else "",
        "occurred_at": timezone.localtime(ticket.occurred_at).strftime("%Y-%m-%dT%H:%M") if ticket.occurred_at else "",
        "province": ticket.province,
        "city": ticket.city,
        "district": ticket.district,
        "address": ticket.address,
        "contact_name": ticket.contact_name,
        "contact_phone": "138 1234 5678",
        "contact_email": ticket.contact_email,
        "channel": ticket.channel,
        "ticket_title": ticket.title,
        "description": ticket.description.replace("\n", "\r\n"),
    }
    values.update(changes)
    return values


def test_the_page_offers_the_form_prefilled_and_a_correction_reloads_the_ticket():
    handler = agent()
    ticket = make_ticket(actor=handler, batch="B-OLD", occurred_at=clock.now() - dt.timedelta(hours=3, seconds=17))
    unit = unit_in_warranty()
    client = _client(handler)
    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-test-id="action-correct_details"' in page and "更正信息" in page
    assert 'name="batch" value="B-OLD"' in page
    assert 'id="correct-details-unit-lookup"' in page

    response = _post(client, ticket, _form(ticket, serial_number=unit.serial_number), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Retarget"] == "#ticket-detail"
    body = response.content.decode()
    assert unit.serial_number in body and 'data-test-id="warranty-state"' in body
    # Only the serial number was changed on the form: the time shown to the minute, the phone
    # with spaces and the description with the browser's line ends are no changes.
    assert audit_rows(ticket)[0].changes.keys() == {"reported_serial", "product_unit", "product_model"}
    assert refreshed(ticket).product_unit_id == unit.pk
    remedies = client.get(reverse("remedies:ticket_panel", args=[ticket.number])).content.decode()
    assert "请登记序列号以计算三包期限" not in remedies


def test_the_form_says_what_is_wrong_next_to_the_field_in_the_readers_language():
    handler = agent()
    ticket = make_ticket(actor=handler)
    client = _client(handler)
    response = _post(
        client,
        ticket,
        _form(ticket, purchase_date=(clock.local_today() + dt.timedelta(days=2)).isoformat(), contact_phone="12"),
        HTTP_HX_REQUEST="true",
    )
    body = response.content.decode()
    assert response.status_code == 200 and 'data-test-id="error-purchase_date"' in body
    assert "购买日期不能晚于今天。" in body and 'data-test-id="error-contact_phone"' in body
    # An emptied description is refused on its field too.
    response = _post(client, ticket, _form(ticket, ticket_title="", description=""), HTTP_HX_REQUEST="true")
    assert 'data-test-id="error-description"' in response.content.decode()
    assert not corrections(ticket)


def test_saving_the_form_unchanged_says_there_is_nothing_to_correct():
    handler = agent()
    ticket = make_ticket(actor=handler)
    response = _post(_client(handler), ticket, _form(ticket), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "没有需要更正的内容" in body
    assert refreshed(ticket).version == ticket.version


def test_the_channel_is_not_offered_for_a_ticket_that_came_by_itself():
    handler = agent()
    client = _client(handler)
    web = make_ticket(actor=handler, channel=Channel.WEB)
    page = client.get(reverse("tickets:detail", args=[web.number])).content.decode()
    assert 'id="id_correct_details_serial_number"' in page and 'id="id_correct_details_channel"' not in page
    hotline = make_ticket(actor=handler)
    page = client.get(reverse("tickets:detail", args=[hotline.number])).content.decode()
    assert 'id="id_correct_details_channel"' in page


def test_a_closed_or_cancelled_ticket_offers_no_correction():
    handler = agent()
    ticket = ticket_cancel(ticket=make_ticket(actor=handler), actor=handler, reason="客户撤回")
    page = _client(handler).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-test-id="action-correct_details"' not in page


# --- The technician: the serial number on the nameplate ------------------------------------------


def test_the_technician_records_the_serial_number_found_on_site_and_the_job_is_charged_by_its_warranty():
    boss = supervisor()
    tech = technician()
    ticket, measure = in_progress_ticket(actor=boss)
    job = walk_to(new_job(handler=boss, measure=measure), "on_site", boss=boss, tech=tech)
    unit = unit_in_warranty()

    fieldservice.work_order_record_work(
        work_order=fresh(job),
        actor=tech,
        diagnosis="排水泵故障",
        work_done="更换排水泵",
        labour_hours=Decimal("1"),
        serial_number=unit.serial_number,
    )

    ticket = refreshed(ticket)
    assert ticket.product_unit_id == unit.pk and ticket.reported_serial == unit.serial_number
    (event,) = corrections(ticket)
    assert event.actor == tech and event.data["work_order"] == job.number
    with translation.override("zh-hans"):
        assert event_text(event) == f"现场更正信息（工单 {job.number}）：序列号、产品型号"
    # The same serial number again: nothing more is written.
    fieldservice.work_order_record_work(
        work_order=fresh(job),
        actor=tech,
        diagnosis="排水泵故障",
        work_done="更换排水泵",
        labour_hours=Decimal("1"),
        serial_number=unit.serial_number.lower(),
    )
    assert len(corrections(ticket)) == 1
    fieldservice.work_order_add_photo(work_order=fresh(job), actor=tech, kind="before", file=photo())
    fieldservice.work_order_add_photo(work_order=fresh(job), actor=tech, kind="after", file=photo())
    done = fieldservice.work_order_check_out(work_order=fresh(job), actor=tech)
    assert done.charge_total == Decimal("0")  # in warranty: parts and labour covered


def test_the_technicians_serial_number_from_the_work_page():
    boss = supervisor()
    tech = technician()
    _ticket, measure = in_progress_ticket(actor=boss)
    job = walk_to(new_job(handler=boss, measure=measure), "on_site", boss=boss, tech=tech)
    client = Client()
    client.force_login(tech)
    page = client.get(reverse("fieldservice:detail", args=[job.number])).content.decode()
    assert 'data-test-id="field-serial-number"' in page
    response = client.post(
        reverse("fieldservice:action", args=[job.number, "record_work"]),
        {
            "expected_version": fresh(job).version,
            "diagnosis": "x",
            "work_done": "y",
            "labour_hours": "1",
            "travel_km": "0",
            "serial_number": "SN-ON-SITE-1",
        },
    )
    assert response.status_code in (200, 302)
    assert refreshed(_ticket).reported_serial == "SN-ON-SITE-1"


def test_a_time_long_ago_is_refused_by_name_not_a_server_error():
    """Year 1 in Asia/Shanghai lies before year 1 in UTC, where it is stored (an overflow)."""
    handler = agent()
    ticket = make_ticket(actor=handler)
    for when in (dt.datetime(1, 1, 1, 0, 0), dt.datetime(1899, 12, 31, 12, 0, tzinfo=dt.UTC)):
        with pytest.raises(ValidationFailed) as bad:
            ticket_correct_details(ticket=ticket, actor=handler, occurred_at=when)
        assert list(bad.value.errors) == ["occurred_at"]
        with pytest.raises(ValidationFailed) as at_intake:
            make_ticket(actor=handler, occurred_at=when)
        assert list(at_intake.value.errors) == ["occurred_at"]
