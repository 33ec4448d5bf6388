"""The KPI page, the management dashboard, chargeback pages and the API v1 operations: what each
caller sees, in both languages, and that every figure leads to its tickets."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.api.conftest import api_client
from tests.clients import client_for

from .fixtures import DataScope, Role, at, staff

pytestmark = pytest.mark.django_db
OCT = {"from": "2025-10-01", "to": "2025-10-31"}


def test_supervisor_follows_a_kpi_figure_to_its_tickets(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    client = client_for(boss)
    page = client.get("/dashboard/kpis/", OCT)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-test-id="kpi-row-{world.wang.pk}"' in html
    assert "<abbr title=" in html and 'data-test-id="kpi-definitions"' in html
    link = page.context["rows"][0].links["fr_missed"] if page.context["rows"][0].row.key == world.wang.pk else None
    assert link is not None
    drill = client.get(link)
    assert drill.status_code == 200
    assert world.a.number in drill.content.decode()
    assert world.b.number not in drill.content.decode()


def test_kpi_page_in_chinese(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    client = client_for(boss)
    page = client.get("/dashboard/kpis/", OCT, headers={"Accept-Language": "zh-hans"})
    html = page.content.decode()
    assert "员工考核指标" in html and "Staff KPIs" not in html


def test_agent_sees_own_row_and_no_dashboard(world):
    client = client_for(world.li)
    page = client.get("/dashboard/kpis/", OCT)
    assert [r.row.key for r in page.context["rows"]] == [world.li.pk]
    assert client.get("/dashboard/management/").status_code == 403
    assert client.get("/dashboard/chargeback/").status_code == 403
    assert client.get("/dashboard/kpis/", {"from": "nope"}).status_code == 422


def test_management_dashboard_page(world):
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    page = client_for(boss).get("/dashboard/management/", {"from": "2025-09", "to": "2025-10"})
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data:image/svg+xml;base64,") == 11  # the satisfied share (4–5) and the revisit calls' NPS apart
    assert "550.00" in html  # the total cost


def test_chargeback_pages_and_printable_statement(world):
    finance = staff(Role.FINANCE, DataScope.ALL)
    client = client_for(finance)
    page = client.get("/dashboard/chargeback/", OCT)
    assert "华东电机厂" in page.content.decode()
    params = {**OCT, "responsibility": "supplier", "party": "华东电机厂"}
    statement = client.get("/dashboard/chargeback/statement/", params)
    assert world.b.number in statement.content.decode()
    printable = client.get("/dashboard/chargeback/statement/", {**params, "print": "1"}).content.decode()
    assert "华东电机厂" in printable and "170.00" in printable and "site-header" not in printable
    bad = client.get("/dashboard/chargeback/statement/", {**OCT, "responsibility": "nobody"})
    assert bad.status_code == 422


def test_api_kpis_agent_sees_only_own_row(world):
    response = api_client(world.wang).get("/api/v1/analytics/kpis", OCT)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [r["key"] for r in body["rows"]] == [world.wang.pk]
    assert body["rows"][0]["first_response_median_minutes"] == 90.0
    assert body["rows"][0]["first_response_p90_minutes"] == 120.0


def test_api_other_regions_supervisor_sees_nothing_of_this_region(world):
    west_boss = staff(Role.SUPERVISOR, DataScope.REGION, region=world.west)
    client = api_client(west_boss)
    kpis = client.get("/api/v1/analytics/kpis", {**OCT, "region": world.east.pk}).json()
    assert kpis["rows"] == [] and kpis["total"]["handled"] == 0
    dash = client.get("/api/v1/analytics/dashboard", {"from": "2025-10", "to": "2025-10", "region": world.east.pk}).json()
    assert dash["total_intake"] == 0
    assert client.get("/api/v1/analytics/chargeback", OCT).json() == []
    statement = client.get("/api/v1/analytics/chargeback/statement", {**OCT, "responsibility": "supplier", "party": "华东电机厂"})
    assert statement.json()["lines"] == []


def test_api_dashboard_and_chargeback(world):
    boss = staff(Role.FINANCE, DataScope.ALL)
    client = api_client(boss)
    parties = client.get("/api/v1/analytics/chargeback", OCT).json()
    assert parties == [
        {
            "responsibility": "supplier",
            "party": "华东电机厂",
            "party_code": None,  # a text-only party (no register entry)
            "party_kind": None,
            "tickets": 1,
            "amounts": {"parts": "100.00", "labour": "50.00", "travel": "20.00", "refund": "0.00", "compensation": "0.00"},
            "total": "170.00",
        }
    ]
    sup = api_client(staff(Role.SUPERVISOR, DataScope.ALL))
    dash = sup.get("/api/v1/analytics/dashboard", {"from": "2025-10", "to": "2025-10"}).json()
    assert dash["total_intake"] == 4 and dash["months"][0]["cost_per_ticket"] == "137.50"
    # Scope, customers and bad input.
    assert api_client(world.wang).get("/api/v1/analytics/dashboard").status_code == 403
    assert sup.get("/api/v1/analytics/kpis", {"from": "2025-13-01"}).status_code == 422
    assert sup.get("/api/v1/analytics/dashboard", {"from": "2025-11", "to": "2025-10"}).status_code == 422
    no_scope = api_client(boss, scopes=["tickets:read"])
    assert no_scope.get("/api/v1/analytics/kpis").status_code == 403


def test_openapi_lists_the_analytics_operations():
    schema = Client().get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    assert {"analytics_kpis", "analytics_dashboard", "analytics_chargeback", "analytics_chargeback_statement"} <= ids


def test_the_kpi_table_is_rendered_once_per_refresh(world):
    """The figures change only when the refresh job changes the rollups: a second look at the
    same table reads the rendered table from the cache; after a refresh that changed data the
    page shows the new figures."""
    from django.db.models import F

    from aftersales.analytics.models import RefreshState

    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    client = client_for(boss)
    first = client.get("/dashboard/kpis/", OCT)
    assert "rows" in first.context
    again = client.get("/dashboard/kpis/", OCT)
    assert "rows" not in again.context  # not computed: the cached table

    def table(page):  # type: ignore[no-untyped-def]
        html = page.content.decode()
        return html[html.index('data-test-id="kpi-table"') : html.index("</table>")]

    assert table(first) == table(again)
    # Another language, another table.
    from django.conf import settings

    other = "en" if "员工考核指标" in first.content.decode() else "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = other
    translated = client.get("/dashboard/kpis/", OCT)
    assert "rows" in translated.context
    assert table(translated) != table(first)
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    # A refresh that changed nothing: still the cached table.
    RefreshState.objects.filter(name="default").update(refreshed_at=at(2025, 11, 2, 0))
    assert "rows" not in client.get("/dashboard/kpis/", OCT).context
    # A refresh that changed the staff rollups moves their version: the table is computed again.
    RefreshState.objects.filter(name="default").update(staff_version=F("staff_version") + 1)
    after = client.get("/dashboard/kpis/", OCT)
    assert "rows" in after.context
    assert f'data-test-id="kpi-row-{world.wang.pk}"' in after.content.decode()


def test_the_cached_kpi_table_is_per_person_below_scope_all(world):
    """An agent's table (their own row) is never answered from another person's cached table."""
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    client_for(boss).get("/dashboard/kpis/", OCT)
    page = client_for(world.li).get("/dashboard/kpis/", OCT)
    assert [r.row.key for r in page.context["rows"]] == [world.li.pk]
    assert f'data-test-id="kpi-row-{world.wang.pk}"' not in page.content.decode()


def test_the_tickets_behind_a_figure_export_to_excel_within_the_readers_reach(world):
    """The drill page's "Export to Excel": every ticket behind the figure (not only the first
    LIMIT), scoped like the figure — an agent exporting a colleague's figure gets none."""
    import io

    import openpyxl

    from aftersales.core.errors import DomainError
    from aftersales.exports.registry import KINDS
    from aftersales.exports.services import write_xlsx

    filters = {**OCT, "metric": "fr_missed", "person": str(world.wang.pk)}
    boss = staff(Role.SUPERVISOR, DataScope.ALL)
    page = client_for(boss).get("/dashboard/tickets/", filters)
    assert 'data-kind="drill_tickets"' in page.content.decode()

    def numbers(user) -> list[str]:  # type: ignore[no-untyped-def]
        target = io.BytesIO()
        write_xlsx(kind="drill_tickets", user=user, filters=filters, target=target)
        sheet = openpyxl.load_workbook(io.BytesIO(target.getvalue()), read_only=True).active
        return [row[0] for row in list(sheet.iter_rows(values_only=True))[1:]]

    assert numbers(boss) == [world.a.number]
    assert numbers(world.li) == []
    with pytest.raises(DomainError):
        KINDS["drill_tickets"].check(boss, {"from": "nope", "metric": "handled"})  # type: ignore[misc]
