"""The register's strict mode ("only registered parties", /admin/ → register settings): off by
default (a new name is registered, as before); on, an unknown name is refused on its field with
how to register one — on a ticket, on an appraisal's report and through the API — while the
register's entries are still named by code or name. Administrators keep the register and the
setting in /admin/, audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.appraisal.states import AppraisalStatus as A
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import ValidationFailed
from aftersales.parties.models import PartyKind, PartyRegisterSettings, ResponsibleParty
from aftersales.parties.selectors import only_registered_parties, party_options
from aftersales.parties.services import party_create, party_for_responsibility
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_set_responsibility, ticket_start_verification
from tests.api.conftest import api_client
from tests.appraisal.helpers import walk
from tests.clients import client_for_language
from tests.factories import UserFactory, make_ticket
from tests.tickets.process_helpers import agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict() -> PartyRegisterSettings:
    return PartyRegisterSettings.objects.create(pk=PartyRegisterSettings.SINGLETON_PK, only_registered=True)


def test_off_by_default_a_new_name_is_registered():
    assert only_registered_parties() is False
    handler = agent()
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler), actor=handler)
    ticket = ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="supplier", party="温州新光电器厂")
    assert ticket.responsible_party_ref is not None and ticket.responsible_party_ref.kind == PartyKind.SUPPLIER


def test_on_an_unknown_name_is_refused_on_its_field_saying_how_to_register_it(strict):
    handler = agent()
    party_create(actor=None, kind=PartyKind.SUPPLIER, name="宁波华翔压缩机有限公司", code="sup-huaxiang")
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler), actor=handler)
    messages = {}
    for language in ("en", "zh-hans"):
        with translation.override(language), pytest.raises(ValidationFailed) as caught:
            ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="supplier", party="温州新光电器厂")
        assert (caught.value.field, caught.value.code) == ("party", "party_unknown")
        messages[language] = str(caught.value.errors["party"][0])
    english, chinese = messages["en"], messages["zh-hans"]
    assert "“温州新光电器厂” is not in the register" in english and "Administration → Responsible parties → Add" in english
    assert "“温州新光电器厂”不在责任方名录中" in chinese and "管理后台（责任方名录 → 责任方 → 添加）" in chinese
    assert not ResponsibleParty.objects.filter(name="温州新光电器厂").exists()
    assert Ticket.objects.get(pk=ticket.pk).responsible_party_ref_id is None
    # A registered party is still named by its code or its name as compared.
    ticket = ticket_set_responsibility(ticket=ticket, actor=handler, responsibility="supplier", party="宁波华翔 压缩机有限公司")
    assert ticket.responsible_party_ref is not None and ticket.responsible_party_ref.code == "sup-huaxiang"
    # An explicit caller's choice still wins over the setting.
    assert party_for_responsibility(responsibility="supplier", party="新厂", actor=handler, register_new=True) is not None


def test_on_the_appraisal_report_refuses_an_unknown_supplier(strict):
    with pytest.raises(ValidationFailed) as caught:
        walk(to=A.REPORTED, responsibility="supplier", supplier="没登记的电容厂")
    assert (caught.value.field, caught.value.code) == ("supplier", "party_unknown")


def test_on_the_api_answers_422_on_the_party(strict):
    handler = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    ticket = ticket_start_verification(ticket=make_ticket(actor=handler), actor=handler)
    client = api_client(handler)
    path = f"/api/v1/tickets/{ticket.number}"
    etag = client.get(path)["ETag"]
    response = client.post(
        f"{path}/actions/set-responsibility",
        {"responsibility": "supplier", "party": "温州新光电器厂"},
        headers={"If-Match": etag},
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "party_unknown" and [e["field"] for e in body["errors"]] == ["party"]


def test_the_options_are_the_active_parties_of_the_kinds_asked_for():
    party_create(actor=None, kind=PartyKind.SUPPLIER, name="宁波华翔压缩机有限公司", code="sup-huaxiang")
    party_create(actor=None, kind=PartyKind.LOGISTICS, name="德邦物流", code="log-debang", active=False)
    with translation.override("en"):
        suppliers = party_options([PartyKind.SUPPLIER])
        everything = dict(party_options())
    assert suppliers == [("sup-huaxiang", "宁波华翔压缩机有限公司 · Supplier")]
    assert "log-debang" not in everything and "dep-production" in everything


def test_administrators_keep_the_register_and_the_setting_in_the_admin():
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    client = client_for_language(admin, "en")
    assert client.get(reverse("admin:parties_responsibleparty_changelist")).status_code == 200
    add = reverse("admin:parties_partyregistersettings_add")
    response = client.post(add, {"only_registered": "on"})
    assert response.status_code == 302, response.content
    saved = PartyRegisterSettings.objects.get()
    assert saved.pk == 1 and saved.only_registered and saved.updated_by == admin
    assert only_registered_parties() is True
    assert AuditEvent.objects.filter(object_type="parties.partyregistersettings", object_id="1", actor=admin).exists()
    assert client.get(add).status_code == 403  # one row: changed, never added twice
    change = reverse("admin:parties_partyregistersettings_change", args=[1])
    assert client.post(change, {}).status_code == 302  # unticked
    assert only_registered_parties() is False
    # Other roles do not get in.
    assert client_for_language(UserFactory(role=Role.AGENT), "en").get(add).status_code in {302, 403}
