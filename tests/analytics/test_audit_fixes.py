"""The manager's month, as the audit found it: KPIs name people as every page does, the KPI export
holds numbers under the right headings, complaints count against the person complained about,
technicians show their satisfaction, the NPS comes only from the 0–10 question, and the pages say
when their figures were computed. The world is ``fixtures.build_world`` refreshed as of
2025-11-01 (``conftest.world``)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from aftersales.accounts.models import User
from aftersales.analytics.models import StaffDay, TicketFact
from aftersales.analytics.selectors.common import Period
from aftersales.analytics.selectors.drill import Drill, drill_for_user
from aftersales.analytics.selectors.kpis import kpi_table_for_user
from aftersales.analytics.selectors.management import management_for_user
from aftersales.analytics.services import analytics_refresh
from aftersales.fieldservice.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.revisits.models import CallOutcome, Revisit, RevisitCall, StaffComplaint
from tests.clients import client_for, client_for_language
from tests.exports.helpers import column, export_sheet, header
from tests.revisits.helpers import open_revisit

from .fixtures import DataScope, Role, World, at, staff

pytestmark = pytest.mark.django_db
OCT = {"from": "2025-10-01", "to": "2025-10-31"}
OCTOBER = Period(start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31))
MONTH = dt.date(2025, 10, 1)


def _row(table, user: User):  # type: ignore[no-untyped-def]
    return next(r for r in table.rows if r.key == user.pk)


def _complaint(world: World, *, about: User, when: dt.datetime, ticket=None, text: str = "态度不好") -> StaffComplaint:  # type: ignore[no-untyped-def]
    return StaffComplaint.objects.create(
        staff=about, customer=world.a.customer, ticket=ticket, text=text, recorded_by=world.wang, created_at=when
    )


def _refresh() -> None:
    analytics_refresh(full=True, now=at(2025, 11, 1, 1))


# --- 1. People by their names ---------------------------------------------------------------------


def test_kpis_name_people_as_every_other_page_does(world):
    User.objects.filter(pk=world.wang.pk).update(username="zhang.agent", display_name="张客服")
    boss = staff(Role.SUPERVISOR, DataScope.ALL, language="en")
    assert _row(kpi_table_for_user(user=boss, period=OCTOBER), world.wang).label == "张客服"

    html = client_for(boss).get("/dashboard/kpis/", OCT).content.decode()
    assert "张客服" in html and "zhang.agent" not in html
    sheet, _rows = export_sheet("staff_kpis", boss, OCT)
    assert "张客服" in column(sheet, "Name") and "zhang.agent" not in column(sheet, "Name")


# --- 2. The KPI export ------------------------------------------------------------------------------


def test_the_kpi_export_holds_one_number_per_rating_and_its_own_resolved_heading(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL, language="en")
    sheet, _rows = export_sheet("staff_kpis", boss, OCT)
    names = column(sheet, "Name")
    wang = names.index(str(world.wang))
    assert column(sheet, "CSAT overall")[wang] == 4.0  # surveys 5 and 3
    assert column(sheet, "CSAT attitude")[wang] == 3.0  # 2 and 4
    assert column(sheet, "Satisfied, overall 4–5 (%)")[wang] == 50.0
    assert all(not isinstance(cell.value, str) or "{" not in cell.value for row in sheet.iter_rows() for cell in row)
    assert column(sheet, "Resolved")[wang] == 1

    chinese = staff(Role.SUPERVISOR, DataScope.ALL, language="zh-hans")
    sheet, _rows = export_sheet("staff_kpis", chinese, OCT)
    assert "已解决" in header(sheet) and "解决时间" not in header(sheet)
    assert column(sheet, "已解决")[column(sheet, "名称").index(str(world.wang))] == 1


# --- 3. Complaints and the technicians' satisfaction ----------------------------------------------


def test_a_complaint_counts_against_the_person_complained_about_with_or_without_a_ticket(world):
    _complaint(world, about=world.zhao, when=at(2025, 10, 20, 10), text="师傅迟到还不道歉")  # no ticket
    _complaint(world, about=world.li, when=at(2025, 10, 21, 10), ticket=world.a)  # wang's ticket, about li
    _refresh()
    boss = staff(Role.SUPERVISOR, DataScope.ALL)

    technicians = kpi_table_for_user(user=boss, period=OCTOBER, kind="technician")
    assert _row(technicians, world.zhao).complaints == 1
    agents = kpi_table_for_user(user=boss, period=OCTOBER)
    assert _row(agents, world.wang).complaints == 1  # A's attitude rating of 2 only: not li's complaint
    assert _row(agents, world.li).complaints == 1
    assert TicketFact.objects.get(pk=world.a.pk).complaints == 1
    # The same whichever rollup a period reads (whole months or days).
    assert _row(kpi_table_for_user(user=boss, period=OCTOBER, use_months=False), world.li).complaints == 1

    drill = drill_for_user(user=boss, drill=Drill(period=OCTOBER, metric="tech_complaints", person=world.zhao.pk))
    assert (drill.count, drill.complaint_count) == (0, 1)
    assert drill.complaints[0].text == "师傅迟到还不道歉"
    drill = drill_for_user(user=boss, drill=Drill(period=OCTOBER, metric="complaints", person=world.li.pk))
    assert (drill.count, drill.complaint_count) == (0, 1)

    client = client_for(boss)
    page = client.get("/dashboard/kpis/", {**OCT, "kind": "technician"}).content.decode()
    link = re.search(rf'href="([^"]+)" data-test-id="kpi-tech-complaints-{world.zhao.pk}">1<', page)
    assert link, page
    assert "师傅迟到还不道歉" in client.get(link.group(1).replace("&amp;", "&")).content.decode()


def test_a_complaint_recorded_after_the_last_refresh_counts_at_the_next(world):
    _complaint(world, about=world.zhao, when=at(2025, 11, 1, 0, 2))
    analytics_refresh(now=at(2025, 11, 1, 0, 5))
    day = StaffDay.objects.get(day=dt.date(2025, 11, 1), user_key=world.zhao.pk)
    assert (day.kind, day.complaints, day.team_key, day.region_key) == ("technician", 1, world.team.pk, world.east.pk)


def test_a_complaint_seen_by_a_regional_supervisor_only_in_its_region(world):
    _complaint(world, about=world.zhao, when=at(2025, 10, 20, 10))
    _refresh()
    east = staff(Role.SUPERVISOR, DataScope.REGION, region=world.east)
    west = staff(Role.SUPERVISOR, DataScope.REGION, region=world.west)
    assert _row(kpi_table_for_user(user=east, period=OCTOBER, kind="technician"), world.zhao).complaints == 1
    assert kpi_table_for_user(user=west, period=OCTOBER, kind="technician").rows == []
    assert drill_for_user(user=west, drill=Drill(period=OCTOBER, metric="tech_complaints")).complaint_count == 0


def test_technicians_show_the_satisfaction_of_the_tickets_they_worked_on_each_once(world):
    # zhao worked on B (survey: overall 3, attitude 4) and C (no survey); a second job on B counts B once.
    WorkOrder.objects.create(
        number="WO-B2",
        ticket=world.b,
        kind=WorkOrderKind.ONSITE_REPAIR,
        status=WorkOrderStatus.DONE,
        technician=world.zhao,
        region=world.east,
        created_at=at(2025, 10, 16, 9),
        updated_at=at(2025, 10, 16, 9),
    )
    _refresh()
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    zhao = _row(kpi_table_for_user(user=boss, period=OCTOBER, kind="technician"), world.zhao)
    assert (zhao.jobs, zhao.surveys) == (3, 1)
    assert zhao.csat["overall"] == 3.0 and zhao.csat["attitude"] == 4.0
    assert zhao.satisfied_rate == 0.0
    surveyed = drill_for_user(user=boss, drill=Drill(period=OCTOBER, metric="tech_surveyed", person=world.zhao.pk))
    assert [f.number for f in surveyed.rows] == [world.b.number]
    page = client_for(boss).get("/dashboard/kpis/", {**OCT, "kind": "technician"}).content.decode()
    assert re.search(rf'data-test-id="kpi-tech-csat-{world.zhao.pk}"[^>]*>3\.00 ', page)


# --- 7. NPS only from the 0–10 question -------------------------------------------------------------


def test_the_nps_comes_only_from_the_revisit_calls_and_the_1_to_5_rating_is_csat(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    m = management_for_user(user=boss, start=MONTH, end=MONTH)
    assert (m.satisfied, m.nps, m.nps_answers) == ([50.0], [None], [0])  # surveys 5 and 3: no NPS from them

    revisit = open_revisit(cust=world.a.customer, due=dt.date(2025, 10, 20))
    Revisit.objects.filter(pk=revisit.pk).update(region=world.east)
    for score in (10, 5, None):
        RevisitCall.objects.create(
            revisit=revisit, outcome=CallOutcome.REACHED, called_by=world.wang, called_at=at(2025, 10, 20, 10), nps=score
        )
    m = management_for_user(user=boss, start=MONTH, end=MONTH)
    assert (m.nps, m.nps_answers) == ([0.0], [2])  # one promoter (10), one detractor (5) of two answers
    west = staff(Role.SUPERVISOR, DataScope.REGION, region=world.west)
    assert management_for_user(user=west, start=MONTH, end=MONTH).nps_answers == [0]
    assert management_for_user(user=west, start=MONTH, end=MONTH, region=world.east.pk).nps_answers == [0]
    assert management_for_user(user=boss, start=MONTH, end=MONTH, region=world.east.pk).nps == [0.0]

    page = client_for_language(staff(Role.SUPERVISOR, DataScope.ALL), "en").get(
        "/dashboard/management/", {"from": "2025-10", "to": "2025-10"}
    )
    html = page.content.decode()
    assert "NPS (0–10: surveys and revisit calls)" in html and "Satisfied customers (overall 4–5)" in html


# --- 5. "As of" ---------------------------------------------------------------------------------------


def test_the_pages_say_when_their_figures_were_computed(world):
    client = client_for_language(staff(Role.SUPERVISOR, DataScope.ALL), "en")
    for url, params in (("/dashboard/kpis/", OCT), ("/dashboard/management/", {}), ("/dashboard/tickets/", OCT)):
        html = client.get(url, params).content.decode()
        assert re.search(r'data-test-id="analytics-as-of"><time datetime="[^"]+">Figures as of 2025-11-01 00:00<', html), url

    now = timezone.now()
    analytics_refresh(now=now)
    html = client.get("/dashboard/kpis/", OCT).content.decode()
    assert f"Figures as of {timezone.localtime(now):%H:%M}<" in html  # today: the time alone
