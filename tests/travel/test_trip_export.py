"""The trip logs as an Excel sheet: one row per trip the reviewers' list shows the reader (scope,
status, technician, month), with the hours logged, the work orders' hours, the difference and the
reconciled labour cost the trip's page shows (frozen once approved); headers in the reader's
language; a bad filter refused naming the field; the list page has the button."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.core.errors import ValidationFailed
from aftersales.exports.registry import kind_for_user
from aftersales.exports.services import export_request
from aftersales.fieldservice.models import ChargePolicy, WorkOrder
from aftersales.travel import services
from tests.clients import client_for
from tests.exports.helpers import column, export_sheet, header

from .factories import finance, job, staff, team_with_leader, technician
from .trip_factories import submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def trips():
    ChargePolicy.objects.create(name="2026", labour_cost_per_hour=Decimal("60.00"), valid_from=dt.date(2020, 1, 1))
    team, leader = team_with_leader()
    tech, stranger = technician(team=team), technician()
    payer = finance(language="en")
    wo = job(tech)
    WorkOrder.objects.filter(pk=wo.pk).update(labour_hours=Decimal("8.00"))
    approved = services.trip_approve(trip=submitted(tech, wo), actor=payer)
    other = job(stranger)
    WorkOrder.objects.filter(pk=other.pk).update(labour_hours=Decimal("6.00"))
    waiting = submitted(stranger, other, hours="9.5")
    return {"leader": leader, "tech": tech, "payer": payer, "approved": approved, "waiting": waiting}


def test_one_row_per_trip_with_its_reconciliation(trips):
    sheet, rows = export_sheet("travel_trips", trips["payer"])
    assert rows == 2
    by_trip = dict(zip(column(sheet, "Trip"), range(rows), strict=True))
    approved, waiting = by_trip[trips["approved"].number], by_trip[trips["waiting"].number]
    assert Decimal(str(column(sheet, "Working hours logged")[approved])) == Decimal("8")
    assert Decimal(str(column(sheet, "Work orders' labour hours")[approved])) == Decimal("8")
    assert Decimal(str(column(sheet, "Difference (hours)")[approved])) == 0
    assert Decimal(str(column(sheet, "Reconciled labour cost (CNY)")[approved])) == Decimal("480")
    assert Decimal(str(column(sheet, "Difference (hours)")[waiting])) == Decimal("3.5")
    assert column(sheet, "Work orders flagged")[waiting] == 1
    assert Decimal(str(column(sheet, "Reconciled labour cost (CNY)")[waiting])) == Decimal("570")
    assert column(sheet, "Status")[approved] == "Approved" and column(sheet, "Status")[waiting] == "Submitted"
    assert column(sheet, "Destination")[approved] == trips["approved"].destination
    # The approved cost is frozen: a later rate leaves it alone.
    ChargePolicy.objects.update(labour_cost_per_hour=Decimal("99.00"))
    sheet, _rows = export_sheet("travel_trips", trips["payer"], {"status": "approved"})
    assert column(sheet, "Trip") == [trips["approved"].number]
    assert Decimal(str(column(sheet, "Reconciled labour cost (CNY)")[0])) == Decimal("480")


def test_the_reader_gets_what_the_list_shows_him(trips):
    leader = trips["leader"]
    leader.language = "zh-hans"
    sheet, rows = export_sheet("travel_trips", leader)
    assert rows == 1 and header(sheet)[:2] == ["出差行程", "技术人员"]
    assert column(sheet, "出差行程") == [trips["approved"].number]
    sheet, rows = export_sheet("travel_trips", trips["tech"])
    assert rows == 1
    assert kind_for_user("travel_trips", staff(Role.AGENT)) is None
    assert kind_for_user("travel_trips", staff(Role.SUPERVISOR, data_scope=DataScope.REGION)) is not None


def test_a_bad_filter_is_refused_naming_the_field(trips):
    with pytest.raises(ValidationFailed) as refused:
        export_request(user=trips["payer"], kind="travel_trips", filters={"month": "2026-13"})
    assert "month" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        export_request(user=trips["payer"], kind="travel_trips", filters={"status": "lost"})
    assert "status" in refused.value.errors


def test_the_list_page_has_the_button(trips):
    html = client_for(trips["payer"]).get(reverse("travel:trips")).content.decode()
    assert 'data-kind="travel_trips"' in html
