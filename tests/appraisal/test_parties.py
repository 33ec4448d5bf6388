"""The appraisal names its responsible party from the register: the report links the entry of
the responsibility's kind, signing hands it to the ticket, the page offers the register in both
languages, the API reads it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.appraisal import services
from aftersales.appraisal.states import AppraisalStatus as A
from aftersales.core.errors import ValidationFailed
from aftersales.parties.defaults import add_default_departments
from aftersales.parties.models import PartyKind
from aftersales.parties.services import party_create
from aftersales.tickets.models import Ticket
from tests.api.conftest import api_client
from tests.clients import client_for_language

from .helpers import appraiser, full_report, walk

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _departments(db: None) -> None:
    add_default_departments()  # the installed ones (a transactional test's flush removes them)


def test_the_report_links_the_supplier_and_signing_hands_it_to_the_ticket():
    supplier = party_create(actor=None, kind=PartyKind.SUPPLIER, name="宁波电容厂", code="sup-nb-cap")
    appraisal = walk(to=A.SIGNED, supplier="宁波 电容厂")
    assert appraisal.responsible_party_ref_id == supplier.pk and appraisal.supplier == "宁波电容厂"
    ticket = Ticket.objects.get(pk=appraisal.ticket_id)
    assert (ticket.responsibility, ticket.responsible_party_ref_id, ticket.responsible_party) == (
        "supplier",
        supplier.pk,
        "宁波电容厂",
    )


def test_a_party_of_the_wrong_kind_is_the_fields_error():
    party_create(actor=None, kind=PartyKind.SUPPLIER, name="宁波电容厂", code="sup-nb-cap")
    who = appraiser()
    appraisal = walk(to=A.IN_PROGRESS, who=who)
    with pytest.raises(ValidationFailed) as caught:
        services.appraisal_record_report(
            appraisal=appraisal,
            actor=who,
            report=full_report(responsibility="internal", responsible_party="sup-nb-cap", supplier=""),
        )
    assert (caught.value.field, caught.value.code) == ("responsible_party", "party_wrong_kind")
    report = full_report(responsibility="internal", responsible_party="dep-quality", supplier="")
    saved = services.appraisal_record_report(appraisal=appraisal, actor=who, report=report)
    assert saved.responsible_party == "质量部" and saved.responsible_party_ref is not None


def test_the_page_offers_the_register_and_the_api_reads_the_party():
    who = appraiser()
    appraisal = walk(to=A.IN_PROGRESS, who=who)
    zh = client_for_language(who, "zh-hans").get(reverse("appraisal:detail", args=[appraisal.pk])).content.decode()
    assert 'list="appraisal-parties"' in zh and '<option value="dep-production">生产部 · 部门</option>' in zh
    assert "从责任方名录中选择" in zh
    en = client_for_language(who, "en").get(reverse("appraisal:detail", args=[appraisal.pk])).content.decode()
    assert (
        '<option value="dep-production">Production · Department</option>' in en
        and "From the register of responsible parties" in en
    )
    assert "从责任方名录中选择" not in en

    report = full_report(responsibility="internal", responsible_party="生产部", supplier="")
    services.appraisal_record_report(appraisal=appraisal, actor=who, report=report)
    body = api_client(who).get(f"/api/v1/appraisals/{appraisal.pk}").json()
    assert body["party"] == {"code": "dep-production", "name": "生产部", "kind": "department"}
    assert body["responsible_party"] == "生产部"
