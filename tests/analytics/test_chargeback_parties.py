"""Chargeback by the register of responsible parties: two spellings of one supplier make one
statement once linked; a statement, a drill-down and the API take the party's code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from aftersales.analytics.models import TicketFact
from aftersales.analytics.selectors.chargeback import chargeback_parties_for_user, chargeback_statement_for_user
from aftersales.analytics.selectors.common import Period
from aftersales.analytics.selectors.drill import Drill, drill_for_user
from aftersales.analytics.services import refresh_tickets
from aftersales.core.errors import ValidationFailed
from aftersales.exports.kinds.analytics import _check_statement
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.parties.defaults import add_default_departments
from aftersales.parties.migrating import link_text_parties
from aftersales.parties.models import ResponsibleParty
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus
from tests.api.conftest import api_client
from tests.clients import client_for_language
from tests.factories import UserFactory

from .fixtures import DataScope, Role, at, staff

pytestmark = pytest.mark.django_db
OCTOBER = Period(start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31))
OCT = {"from": "2025-10-01", "to": "2025-10-31"}


@pytest.fixture(autouse=True)
def _departments(db: None) -> None:
    add_default_departments()  # the installed ones (a transactional test's flush removes them)


def _second_spelling(world) -> None:  # type: ignore[no-untyped-def]
    """Ticket c resolved in October with a cost, charged to "华东 电机厂" as a third party (text)."""
    WorkOrder.objects.filter(number="WO-C").update(status=WorkOrderStatus.DONE, cost_parts=Decimal("30"))
    Ticket.objects.filter(pk=world.c.pk).update(
        status=TicketStatus.RESOLVED,
        resolved_at=at(2025, 10, 20, 10),
        responsibility="third_party",
        responsible_party="华东 电机厂",
    )
    refresh_tickets([world.b.pk, world.c.pk], now=at(2025, 11, 1, 1))


def test_two_spellings_make_one_statement_once_linked(world):
    finance = staff(Role.FINANCE, DataScope.ALL)
    _second_spelling(world)
    split = chargeback_parties_for_user(user=finance, period=OCTOBER)
    assert sorted((p.party, p.party_code) for p in split) == [("华东 电机厂", ""), ("华东电机厂", "")]

    assert link_text_parties(ResponsibleParty, Ticket) == 2  # the data migration's step
    entry = ResponsibleParty.objects.get(name_key="华东电机厂")
    refresh_tickets([world.b.pk, world.c.pk], now=at(2025, 11, 1, 2))
    assert set(TicketFact.objects.filter(ticket__in=[world.b, world.c]).values_list("party_key", flat=True)) == {entry.pk}

    [one] = chargeback_parties_for_user(user=finance, period=OCTOBER)
    assert (one.party, one.party_code, one.party_kind, one.responsibility) == ("华东电机厂", entry.code, "supplier", "supplier")
    c_cost = TicketFact.objects.get(ticket=world.c).cost_total
    assert c_cost > 0 and (one.tickets, one.total) == (2, Decimal("170") + c_cost)
    by_code = chargeback_statement_for_user(user=finance, period=OCTOBER, responsibility="", party=entry.code.upper())
    by_name = chargeback_statement_for_user(user=finance, period=OCTOBER, responsibility="third_party", party="华东电机厂")
    assert [line.number for line in by_code.lines] == [line.number for line in by_name.lines] == [world.b.number, world.c.number]
    assert by_code.total == one.total and by_code.party_code == entry.code
    drill = drill_for_user(
        user=staff(Role.SUPERVISOR, DataScope.ALL),
        drill=Drill(period=OCTOBER, metric="costed", responsibility="supplier", party="华东电机厂", by_resolution=True),
        staff=False,
    )
    assert drill.count == 2
    with pytest.raises(ValidationFailed):
        chargeback_statement_for_user(user=finance, period=OCTOBER, responsibility="", party="不存在的厂")
    _check_statement(finance, {**OCT, "party": entry.code})  # the export: a code needs no responsibility
    with pytest.raises(ValidationFailed):
        _check_statement(finance, {**OCT, "party": "不存在"})


def test_api_and_pages_take_the_partys_code(world):
    entry = ResponsibleParty.objects.create(kind="supplier", name="华东电机厂", code="sup-huadong")
    Ticket.objects.filter(pk=world.b.pk).update(responsible_party_ref=entry)
    refresh_tickets([world.b.pk], now=at(2025, 11, 1, 1))
    finance = staff(Role.FINANCE, DataScope.ALL)
    client = api_client(finance)
    parties = client.get("/api/v1/analytics/chargeback", OCT).json()
    assert [(p["party"], p["party_code"], p["party_kind"], p["total"]) for p in parties] == [
        ("华东电机厂", "sup-huadong", "supplier", "170.00")
    ]
    statement = client.get("/api/v1/analytics/chargeback/statement", {**OCT, "party": "sup-huadong"})
    assert statement.status_code == 200, statement.content
    assert [line["ticket"] for line in statement.json()["lines"]] == [world.b.number]
    assert statement.json()["party_code"] == "sup-huadong"

    register = client.get("/api/v1/responsible-parties", {"kind": "supplier"}).json()
    assert [(p["code"], p["name"], p["kind"]) for p in register] == [("sup-huadong", "华东电机厂", "supplier")]
    departments = client.get("/api/v1/responsible-parties", {"q": "生产 部"}).json()
    assert [p["code"] for p in departments] == ["dep-production"]
    customer = api_client(UserFactory(role=Role.CUSTOMER))
    assert customer.get("/api/v1/responsible-parties").status_code == 403

    zh = client_for_language(finance, "zh-hans").get("/dashboard/chargeback/", OCT).content.decode()
    assert "华东电机厂" in zh and "sup-huadong" in zh and "责任方" in zh and "Responsible party" not in zh
    en = client_for_language(finance, "en").get("/dashboard/chargeback/", OCT).content.decode()
    assert "sup-huadong" in en and "Responsible party" in en and "责任方" not in en
