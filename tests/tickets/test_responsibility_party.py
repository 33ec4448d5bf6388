"""The responsibility's party from the register on the ticket: the action form's choices in both
languages, the API's read and action, the ticket list's filter by party."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.parties.defaults import add_default_departments
from aftersales.parties.models import PartyKind
from aftersales.parties.services import party_create
from aftersales.tickets.forms import TicketListFilterForm
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_set_responsibility, ticket_start_verification
from aftersales.tickets.selectors.listing import TicketFilters, ticket_total_for_user
from tests.api.conftest import api_client, customer_user
from tests.clients import client_for_language
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _departments(db: None) -> None:
    add_default_departments()  # the installed ones (a transactional test's flush removes them)


def _verifying(handler):  # type: ignore[no-untyped-def]
    return ticket_start_verification(ticket=make_ticket(actor=handler), actor=handler)


def test_the_form_offers_the_register_by_kind_and_posts_a_code():
    handler = agent()
    carrier = party_create(actor=None, kind=PartyKind.LOGISTICS, name="顺丰速运华东分公司", code="log-sf")
    ticket = _verifying(handler)
    zh = client_for_language(handler, "zh-hans")
    html = zh.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert '<optgroup label="物流公司">' in html and '<option value="log-sf">顺丰速运华东分公司</option>' in html
    assert '<option value="dep-production">生产部</option>' in html and "从责任方名录中选择" in html
    en = client_for_language(handler, "en")
    english = en.get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert '<optgroup label="Logistics company">' in english and '<option value="dep-production">Production</option>' in english
    assert "From the register of responsible parties" in english and "从责任方名录中选择" not in english
    posted = zh.post(
        reverse("tickets:action", args=[ticket.number, "set_responsibility"]),
        {"expected_version": Ticket.objects.get(pk=ticket.pk).version, "responsibility": "internal", "party": "log-sf"},
    )
    assert posted.status_code in (200, 422) and "不属于该责任类型可指定的类别" in posted.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).responsible_party_ref_id is None
    zh.post(
        reverse("tickets:action", args=[ticket.number, "set_responsibility"]),
        {"expected_version": Ticket.objects.get(pk=ticket.pk).version, "responsibility": "logistics", "party": "log-sf"},
    )
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.responsibility, stored.responsible_party_ref_id, stored.responsible_party) == (
        "logistics",
        carrier.pk,
        "顺丰速运华东分公司",
    )


def test_the_api_reads_the_party_and_the_list_filters_by_it():
    handler = agent()
    supplier = party_create(actor=None, kind=PartyKind.SUPPLIER, name="苏州恒力电机厂", code="sup-hengli")
    charged, other = _verifying(handler), _verifying(handler)
    ticket_set_responsibility(ticket=charged, actor=handler, responsibility="third_party", party="sup-hengli")
    ticket_set_responsibility(ticket=other, actor=handler, responsibility="internal", party="生产部")

    client = api_client(handler)
    body = client.get(f"/api/v1/tickets/{charged.number}").json()
    assert body["responsibility"] == "third_party"
    assert body["responsible_party"] == {"code": "sup-hengli", "name": "苏州恒力电机厂", "kind": "supplier"}
    assert body["responsible_party_text"] == "苏州恒力电机厂"
    path = f"/api/v1/tickets/{other.number}"
    etag = client.get(path)["ETag"]
    wrong = client.post(
        f"{path}/actions/set-responsibility",
        {"responsibility": "supplier", "party": "dep-production"},
        headers={"If-Match": etag},
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "party_wrong_kind"
    customer = api_client(customer_user(charged))
    assert customer.get(f"/api/v1/tickets/{charged.number}").json()["responsible_party"] is None

    assert ticket_total_for_user(user=handler, filters=TicketFilters(party="SUP-HENGLI")).total == 1
    assert ticket_total_for_user(user=handler, filters=TicketFilters(party="dep-production")).total == 1
    assert ticket_total_for_user(user=handler, filters=TicketFilters(party=supplier.code, open_only=False)).total == 1

    # The API list and the staff list's filter form take the register code too.
    listed = client.get("/api/v1/tickets", {"party": "sup-hengli"}).json()["items"]
    assert [item["number"] for item in listed] == [charged.number]
    assert client.get("/api/v1/tickets", {"party": "nobody"}).json()["total"] == 0
    values = TicketListFilterForm.values_from({"party": " SUP-HENGLI "})
    assert values["party"] == "sup-hengli"
    assert TicketListFilterForm.filters_from(values).party == "sup-hengli"
