"""Issue 14: the plan form offers the colleagues who can own a measure of this ticket (name ·
role · team, grouped by role), takes any number of measures (rows added and removed on the
page, no hidden click) and shows each row's problems next to that row."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role, Team
from aftersales.core.errors import ValidationFailed
from aftersales.tickets.action_forms import action_form
from aftersales.tickets.models import MeasureKind, PlanMeasure, Ticket
from aftersales.tickets.process import MAX_MEASURES, MeasureInput, plan_measure_owners, ticket_propose_plan
from tests.factories import RegionFactory, UserFactory, make_ticket
from tests.tickets.process_helpers import analysed

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    east, south = RegionFactory(code="east", name="华东"), RegionFactory(code="south", name="华南")
    team = Team.objects.create(name="华东一组", region=east)
    handler = UserFactory(display_name="王芳", role=Role.AGENT, data_scope=DataScope.REGION, region=east, team=team)
    people = {
        "handler": handler,
        "tech_east": UserFactory(display_name="刘强", role=Role.TECHNICIAN, region=east),
        "tech_south": UserFactory(display_name="陈刚", role=Role.TECHNICIAN, region=south),
        "team_mate": UserFactory(display_name="赵敏", role=Role.AGENT, data_scope=DataScope.TEAM, team=team),
        "boss": UserFactory(display_name="孙总", role=Role.SUPERVISOR, data_scope=DataScope.ALL),
        "finance": UserFactory(display_name="钱会计", role=Role.FINANCE, data_scope=DataScope.REGION, region=east),
        "marketing": UserFactory(display_name="周市场", role=Role.MARKETING, data_scope=DataScope.ALL),
        "gone": UserFactory(display_name="离职员工", role=Role.TECHNICIAN, region=east, is_active=False),
    }
    ticket = analysed(make_ticket(actor=handler, region=east), handler)
    return {"ticket": ticket, **people}


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _rows(*rows: dict[str, str]) -> dict[str, str]:
    data = {
        "diagnosis": "排水泵损坏",
        "measures-TOTAL_FORMS": str(len(rows)),
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": str(MAX_MEASURES),
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"measures-{index}-{name}"] = value
    return data


def _post(world, data):  # type: ignore[no-untyped-def]
    ticket = Ticket.objects.get(pk=world["ticket"].pk)
    return _client(world["handler"]).post(
        reverse("tickets:action", args=[ticket.number, "propose_plan"]),
        {**data, "expected_version": str(ticket.version)},
        HTTP_HX_REQUEST="true",
    )


def test_only_colleagues_who_can_own_a_measure_of_this_ticket_are_offered(world):
    owners = set(plan_measure_owners(ticket=world["ticket"]))
    assert {world["handler"], world["tech_east"], world["team_mate"], world["boss"], world["finance"]} <= owners
    assert not {world["tech_south"], world["marketing"], world["gone"]} & owners


def test_the_owner_list_says_name_role_and_team_grouped_by_role(world):
    with translation.override("zh-hans"):
        form = action_form("propose_plan", ticket=world["ticket"], user=world["handler"])
        html = str(form.measures.forms[0]["owner"])
    assert '<optgroup label="技术人员">' in html and '<optgroup label="客服人员">' in html
    assert "刘强 · 技术人员 · 华东" in html  # no team: the region
    assert "赵敏 · 客服人员 · 华东一组" in html
    assert "陈刚" not in html and "周市场" not in html and "离职员工" not in html
    assert html.count("<optgroup") == len({u.role for u in plan_measure_owners(ticket=world["ticket"])})


def test_any_number_of_measures_are_saved_in_their_order(world):
    kinds = [
        MeasureKind.REMOTE_SUPPORT,
        MeasureKind.INSPECTION,
        MeasureKind.ONSITE_REPAIR,
        MeasureKind.EXCHANGE,
        MeasureKind.COMPENSATION,
    ]
    rows = [{"kind": kind, "owner": str(world["tech_east"].pk), "customer_charge": "150"} for kind in kinds[:3]]
    rows += [{"kind": MeasureKind.EXCHANGE, "owner": str(world["team_mate"].pk)}]
    rows += [{"kind": MeasureKind.COMPENSATION, "owner": str(world["finance"].pk), "amount": "100"}]
    response = _post(world, _rows(*rows))
    assert response.status_code == 200
    saved = list(PlanMeasure.objects.filter(plan__ticket=world["ticket"]).order_by("position"))
    assert [m.kind for m in saved] == kinds
    assert saved[4].owner == world["finance"] and saved[0].customer_charge == Decimal("150.00")


def test_each_rows_problem_is_shown_on_that_row(world):
    # Row 2 is an out-of-warranty repair without the customer's estimate (no unit registered);
    # row 3 is filled in without saying which measure.
    response = _post(
        world,
        _rows(
            {"kind": MeasureKind.EXCHANGE, "owner": str(world["team_mate"].pk)},
            {"kind": MeasureKind.ONSITE_REPAIR, "owner": str(world["tech_east"].pk)},
        ),
    )
    html = response.content.decode()
    rows = re.split(r'<li class="measure-row"', html)[1:-1]  # the last one is the blank template row
    assert len(rows) == 2
    assert 'data-test-id="error-customer_charge"' not in rows[0]
    assert 'data-test-id="error-customer_charge"' in rows[1]
    assert not PlanMeasure.objects.exists()

    response = _post(
        world,
        _rows({"kind": MeasureKind.EXCHANGE}, {"description": "还要换遥控器", "kind": ""}),
    )
    rows = re.split(r'<li class="measure-row"', response.content.decode())[1:-1]
    assert 'data-test-id="error-kind"' in rows[1] and 'data-test-id="error-kind"' not in rows[0]
    assert not PlanMeasure.objects.exists()


def test_an_owner_outside_the_tickets_region_or_team_is_refused_by_the_service_too(world):
    ticket = Ticket.objects.get(pk=world["ticket"].pk)
    with pytest.raises(ValidationFailed) as refused:
        ticket_propose_plan(
            ticket=ticket,
            actor=world["handler"],
            diagnosis="d",
            measures=[
                MeasureInput(kind=MeasureKind.EXCHANGE, owner=world["team_mate"]),
                MeasureInput(kind=MeasureKind.EXCHANGE, owner=world["tech_south"]),
                MeasureInput(kind=MeasureKind.EXCHANGE, owner=world["marketing"]),
            ],
        )
    assert set(refused.value.errors) == {"measures.1.owner", "measures.2.owner"}
    # The page refuses it as not one of the choices.
    response = _post(world, _rows({"kind": MeasureKind.EXCHANGE, "owner": str(world["tech_south"].pk)}))
    assert 'data-test-id="error-owner"' in response.content.decode()


def test_the_page_adds_and_removes_rows_with_a_visible_button_not_a_hidden_click(world):
    html = _client(world["handler"]).get(reverse("tickets:detail", args=[world["ticket"].number])).content.decode()
    assert "more-measures" not in html  # the old <details> behind "add another measure"
    assert html.count('data-test-id="measure-row"') == 2  # one row, and the blank row to copy
    assert "<template data-measure-template>" in html and "measures-__prefix__-kind" in html
    assert 'data-add-measure data-test-id="add-measure"' in html
    assert "aftersales/js/plan_measures.js" in html
