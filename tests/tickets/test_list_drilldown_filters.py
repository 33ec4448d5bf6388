"""The staff ticket list's drill-down filters: product model (by code), responsibility, request
type and ticket number (whole: exact; shorter: a prefix). Applied by the list, its export and its
total, kept as hidden fields, each named by a chip whose link removes it."""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.exports.kinds.tickets import ticket_filters
from aftersales.tickets.choices import RequestType, Responsibility
from aftersales.tickets.forms import TicketListFilterForm
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors.listing import (
    is_whole_number,
    ticket_list_for_user,
    ticket_list_rows_for_user,
    ticket_total_for_user,
)
from tests.clients import client_for_language
from tests.factories import ProductModelFactory, UserFactory, make_ticket
from tests.tickets.test_list_chips import chips_of

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")


@pytest.fixture
def supervisor():
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="主管")


@pytest.fixture
def tickets():
    model = ProductModelFactory(code="KFR-35GW/A1", name="变频挂机空调")
    other_model = ProductModelFactory(code="KFR-35GW/A2")
    fridge = make_ticket(phone="13800000001", product_model_code=model.code, request_type=RequestType.RETURN)
    ac = make_ticket(phone="13800000002", product_model_code=other_model.code, request_type=RequestType.REPAIR)
    plain = make_ticket(phone="13800000003")
    Ticket.objects.filter(pk=fridge.pk).update(responsibility=Responsibility.SUPPLIER)
    Ticket.objects.filter(pk=ac.pk).update(responsibility=Responsibility.CUSTOMER)
    return {"model": model, "fridge": fridge, "ac": ac, "plain": plain}


def _numbers(user, params: dict[str, str]) -> set[str]:
    query = QueryDict(mutable=True)
    query.update(params)
    filters = TicketListFilterForm.filters_from(TicketListFilterForm.values_from(query))
    page = ticket_list_for_user(user=user, filters=filters, sort="-created")
    assert page.total == len(page.rows) == ticket_total_for_user(user=user, filters=filters).total
    return {row.number for row in page.rows}


def test_each_filter_selects_exactly_its_tickets(supervisor, tickets):
    fridge, ac, plain = tickets["fridge"], tickets["ac"], tickets["plain"]
    assert _numbers(supervisor, {"status": "all", "model": "KFR-35GW/A1"}) == {fridge.number}
    assert _numbers(supervisor, {"status": "all", "model": "KFR-35GW"}) == set()  # a code is exact
    assert _numbers(supervisor, {"status": "all", "responsibility": "supplier"}) == {fridge.number}
    assert _numbers(supervisor, {"status": "all", "request_type": "repair"}) == {ac.number, plain.number}
    assert _numbers(supervisor, {"status": "all", "number": fridge.number}) == {fridge.number}
    day_prefix = fridge.number.split("-")[0]
    assert _numbers(supervisor, {"status": "all", "number": day_prefix}) == {fridge.number, ac.number, plain.number}
    shorter = fridge.number[:-1]  # one digit short of a whole number: a prefix
    assert fridge.number in _numbers(supervisor, {"status": "all", "number": shorter})
    assert _numbers(supervisor, {"status": "all", "number": shorter}) == {
        t.number for t in (fridge, ac, plain) if t.number.startswith(shorter)
    }
    both = {"status": "all", "request_type": "repair", "responsibility": "customer"}
    assert _numbers(supervisor, both) == {ac.number}
    # An unknown value is ignored, as the list ignores every unreadable value.
    assert _numbers(supervisor, {"status": "all", "request_type": "nope"}) == {fridge.number, ac.number, plain.number}


def test_a_whole_number_is_matched_exactly_and_anything_shorter_as_a_prefix():
    assert is_whole_number("SH20261207-000001")
    assert is_whole_number("SH20261207-1000000")
    assert not is_whole_number("SH20261207-00000")
    assert not is_whole_number("SH20261207")


def test_the_scope_still_applies(tickets):
    stranger = UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)
    assert _numbers(stranger, {"status": "all", "number": tickets["fridge"].number}) == set()


def test_the_export_applies_them(supervisor, tickets):
    filters, sort = ticket_filters({"status": "all", "model": "KFR-35GW/A1", "responsibility": "supplier"})
    rows = list(ticket_list_rows_for_user(user=supervisor, filters=filters, sort=sort))
    assert [row[1] for row in rows] == [tickets["fridge"].number]
    filters, sort = ticket_filters({"status": "all", "request_type": "exchange"})
    assert list(ticket_list_rows_for_user(user=supervisor, filters=filters, sort=sort)) == []


def test_the_page_names_them_keeps_them_and_removes_each(supervisor, tickets):
    fridge = tickets["fridge"]
    params = {
        "status": "all",
        "model": "KFR-35GW/A1",
        "responsibility": "supplier",
        "request_type": "return",
        "number": fridge.number,
    }
    client = client_for_language(supervisor, "en")
    response = client.get(LIST, params)
    html = response.content.decode()
    assert fridge.number in html and tickets["ac"].number not in html
    for name in ("model", "responsibility", "request_type", "number"):
        assert f'name="{name}"' in html, name  # kept as a hidden field while filtering
    page = chips_of(response)
    texts = {key: text for key, (text, _href) in page.chips.items()}
    assert texts["model"] == "Product model: 变频挂机空调 KFR-35GW/A1"
    assert texts["responsibility"] == "Responsibility: Supplier"
    assert texts["request_type"] == "Request type: Return"
    assert texts["number"] == f"Number: {fridge.number}"
    everything = Counter(params.items())
    for key in ("model", "responsibility", "request_type", "number"):
        href = page.chips[key][1]
        assert Counter(parse_qsl(urlsplit(href).query)) == Counter({p: n for p, n in everything.items() if p[0] != key})
    after = client.get(page.chips["number"][1]).content.decode()
    assert 'name="number"' not in after


def test_the_chips_read_in_chinese_and_a_prefix_says_so(supervisor, tickets):
    prefix = tickets["fridge"].number.split("-")[0]
    page = chips_of(client_for_language(supervisor, "zh-hans").get(LIST, {"number": prefix, "request_type": "repair"}))
    texts = {key: text for key, (text, _href) in page.chips.items()}
    assert prefix in texts["number"] and "Number" not in texts["number"]
    assert texts["request_type"] == "诉求类型：维修"
    page = chips_of(client_for_language(supervisor, "en").get(LIST, {"number": prefix}))
    assert page.chips["number"][0] == f"Number starts with “{prefix}”"
