"""The register of responsible parties: names unique per kind as compared, the responsibility's
party checked against its kind, the text parties of before linked by the data migration."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from aftersales.appraisal.models import Appraisal
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from aftersales.parties.kinds import RESPONSIBILITY_KINDS, guess_third_party_kind
from aftersales.parties.migrating import link_text_parties, party_kind_for_text
from aftersales.parties.models import PartyKind, ResponsibleParty, party_name_key
from aftersales.parties.selectors import party_find
from aftersales.parties.services import party_create, party_for_responsibility
from aftersales.tickets.choices import Responsibility
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_set_responsibility, ticket_start_verification
from tests.appraisal.helpers import walk
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent

pytestmark = pytest.mark.django_db


def test_names_compare_by_width_case_and_spaces():
    assert party_name_key("美的 供应商") == party_name_key("美的供应商") == "美的供应商"
    assert party_name_key("ＡＢＣ　Logistics") == party_name_key("abc logistics") == "abclogistics"


def test_a_name_is_unique_per_kind_as_compared():
    first = party_create(actor=None, kind=PartyKind.SUPPLIER, name="美的供应商")
    assert first.code == "sup-001" and first.name_key == "美的供应商"
    assert AuditEvent.objects.filter(action="parties.party_created", object_id=str(first.pk)).exists()
    with pytest.raises(ValidationFailed) as caught:
        party_create(actor=None, kind=PartyKind.SUPPLIER, name=" 美的  供应商 ")
    assert (caught.value.field, caught.value.code) == ("name", "party_name_taken")
    # The admin's form check says the same (the constraint's column is one no form edits).
    twin = ResponsibleParty(kind=PartyKind.SUPPLIER, name="美的　供应商", code="sup-x")
    with pytest.raises(ValidationError) as admin_error:
        twin.full_clean()
    assert "name" in admin_error.value.message_dict
    # Another kind may carry the same name.
    other = party_create(actor=None, kind=PartyKind.LOGISTICS, name="美的供应商")
    assert other.kind == PartyKind.LOGISTICS and other.code == "log-001"
    with pytest.raises(ValidationFailed) as taken:
        party_create(actor=None, kind=PartyKind.DEPARTMENT, name="新部门", code="SUP-001")
    assert taken.value.code == "party_code_taken"


def test_the_installation_has_the_usual_departments():
    production = party_find("dep-production")
    assert production is not None and production.name == "生产部" and production.kind == PartyKind.DEPARTMENT


def test_every_responsibility_says_which_kinds_it_names():
    assert set(RESPONSIBILITY_KINDS) == set(Responsibility.values)
    assert RESPONSIBILITY_KINDS["customer"] == ()
    assert set(RESPONSIBILITY_KINDS["third_party"]) == {PartyKind.SUPPLIER, PartyKind.LOGISTICS, PartyKind.SERVICE_OUTLET}


def test_set_responsibility_links_the_register_entry_by_code_or_name():
    handler = agent()
    supplier = party_create(actor=None, kind=PartyKind.SUPPLIER, name="宁波华翔压缩机有限公司", code="sup-huaxiang")
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler), actor=handler)
    ticket = ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="third_party", party="SUP-HUAXIANG")
    assert (ticket.responsible_party_ref_id, ticket.responsible_party) == (supplier.pk, "宁波华翔压缩机有限公司")
    ticket = ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="supplier", party="宁波华翔 压缩机有限公司")
    assert ticket.responsible_party_ref_id == supplier.pk and ticket.responsible_party == "宁波华翔压缩机有限公司"
    ticket = ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="customer", party="客户")
    assert (ticket.responsible_party_ref_id, ticket.responsible_party) == (None, "")


def test_a_party_of_the_wrong_kind_is_a_field_error():
    handler = agent()
    party_create(actor=None, kind=PartyKind.SUPPLIER, name="苏州恒力电机厂", code="sup-hengli")
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler), actor=handler)
    for party in ("sup-hengli", "苏州恒力 电机厂"):
        with pytest.raises(ValidationFailed) as caught:
            ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="internal", party=party)
        assert (caught.value.field, caught.value.code) == ("party", "party_wrong_kind")
    with pytest.raises(ValidationFailed) as logistics:
        ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="logistics", party="dep-production")
    assert logistics.value.code == "party_wrong_kind"
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.responsibility, stored.responsible_party_ref_id) == ("", None)


def test_an_inactive_party_is_refused_and_a_new_name_is_registered():
    handler = agent()
    ResponsibleParty.objects.filter(code="dep-rd").update(active=False)
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler), actor=handler)
    with pytest.raises(ValidationFailed) as caught:
        ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="internal", party="研发部")
    assert caught.value.code == "party_inactive"
    ticket = ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="third_party", party="德邦物流华南分公司")
    entry = ticket.responsible_party_ref
    assert entry is not None and entry.kind == PartyKind.LOGISTICS and entry.code == "log-001"
    assert AuditEvent.objects.filter(action="parties.party_created", object_id=str(entry.pk), actor=handler).exists()
    with pytest.raises(ValidationFailed) as strict:
        party_for_responsibility(responsibility="supplier", party="不认识的厂", actor=handler, register_new=False)
    assert strict.value.code == "party_unknown"


def test_the_data_migration_links_each_distinct_name_once():
    handler = agent()
    rows = [
        ("internal", "生产部"),  # the installed department
        ("supplier", "华东电机厂"),
        ("supplier", "华东 电机厂"),  # the same supplier, spelled apart
        ("third_party", "顺丰物流"),
        ("third_party", "西湖家电服务网点"),
        ("third_party", "华东电机厂"),  # a third party already registered as a supplier
        ("customer", "客户"),
    ]
    tickets = []
    for responsibility, text in rows:
        ticket = make_ticket(actor=handler)
        Ticket.objects.filter(pk=ticket.pk).update(responsibility=responsibility, responsible_party=text)
        tickets.append(ticket.pk)
    linked = link_text_parties(ResponsibleParty, Ticket)
    assert linked == 6
    refs = dict(Ticket.objects.filter(pk__in=tickets).values_list("responsible_party", "responsible_party_ref__code"))
    assert refs["生产部"] == "dep-production"
    assert refs["华东电机厂"] == refs["华东 电机厂"] == "sup-001"
    assert refs["顺丰物流"] == "log-001" and refs["西湖家电服务网点"] == "out-001"
    assert refs["客户"] is None
    assert ResponsibleParty.objects.filter(kind=PartyKind.SUPPLIER).count() == 1
    assert link_text_parties(ResponsibleParty, Ticket) == 0  # run twice: nothing more


def test_the_data_migration_links_an_appraisals_supplier():
    appraisal = walk(to="reported")
    Appraisal.objects.filter(pk=appraisal.pk).update(responsible_party_ref=None, supplier="宁波 电容厂")
    assert link_text_parties(ResponsibleParty, Appraisal, text_field="supplier", responsibility="supplier") == 1
    linked = Appraisal.objects.get(pk=appraisal.pk).responsible_party_ref
    assert linked is not None and linked.kind == PartyKind.SUPPLIER and linked.name_key == "宁波电容厂"


def test_a_third_party_kind_is_guessed_from_its_name():
    assert guess_third_party_kind("德邦物流") == PartyKind.LOGISTICS
    assert guess_third_party_kind("杭州西湖区特约维修站") == PartyKind.SERVICE_OUTLET
    assert guess_third_party_kind("宁波电容厂") == PartyKind.SUPPLIER
    assert party_kind_for_text("internal", "德邦物流") == PartyKind.DEPARTMENT
    assert party_kind_for_text("customer", "客户") == ""
