"""The supervisor/quality audit of the exports: a refused request (a chargeback statement without
its responsibility, a drill of the wrong kind of figure) is shown on the page it came from, not a
500 or a failing job; the settlement and travel exports' headers in sentence case; the backlog
export names each status by its own label, in a column wide enough for it."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.analytics.selectors import dashboard_grid_for_user
from aftersales.analytics.services import analytics_refresh
from aftersales.core.errors import ValidationFailed
from aftersales.exports import services
from aftersales.exports.models import Export
from aftersales.exports.registry import KINDS
from aftersales.tickets.states import TicketStatus
from tests.clients import client_for_language
from tests.factories import UserFactory, make_ticket

from .helpers import column, export_sheet

pytestmark = pytest.mark.django_db


def _finance():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL, language="en")


def _supervisor():  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, language="en")


def test_a_statement_without_its_responsibility_goes_back_to_its_page_with_the_error():
    client = client_for_language(_finance(), "en")
    sent = client.post(reverse("exports:new"), {"kind": "chargeback_statement", "query": "from=2026-01-01&party=x"})
    assert sent.status_code == 302
    location = urlsplit(sent["Location"])
    assert location.path == reverse("analytics:chargeback_statement")
    assert "from=2026-01-01" in location.query and "party=x" in location.query
    page = client.get(sent["Location"]).content.decode()
    assert 'data-test-id="messages"' in page and "Choose the responsibility." in page
    assert not Export.objects.exists()


def test_a_too_long_filter_goes_back_to_the_list_with_the_error():
    client = client_for_language(_supervisor(), "en")
    sent = client.post(reverse("exports:new"), {"kind": "tickets", "query": "x=" + "y" * 300})
    assert sent.status_code == 302 and sent["Location"].startswith(reverse("tickets:list"))
    assert "A filter value is too long." in client.get(sent["Location"]).content.decode()
    assert not Export.objects.exists()


@pytest.mark.parametrize(
    ("kind", "metric", "message"),
    [
        ("drill_jobs", "handled", "This figure counts tickets, not jobs."),
        ("drill_jobs", "", "This figure counts tickets, not jobs."),  # no figure: the tickets handled
        ("drill_tickets", "jobs", "This figure counts jobs, not tickets."),
    ],
)
def test_a_drill_export_refuses_a_figure_of_the_other_kind_when_it_is_asked_for(kind, metric, message):
    user = _supervisor()
    filters = {"metric": metric} if metric else {}
    with translation.override("en"), pytest.raises(ValidationFailed) as refused:
        services.export_request(user=user, kind=kind, filters=filters)
    assert refused.value.code == "drill_wrong_figure" and str(refused.value.errors["metric"][0]) == message
    client = client_for_language(user, "en")
    sent = client.post(reverse("exports:new"), {"kind": kind, "query": f"metric={metric}" if metric else ""})
    assert sent.status_code == 302 and urlsplit(sent["Location"]).path == reverse("analytics:drill")
    assert message in client.get(sent["Location"]).content.decode()
    assert not Export.objects.exists()


def test_a_drill_export_of_its_own_kind_of_figure_is_written():
    make_ticket()
    user = _supervisor()
    assert services.export_request(user=user, kind="drill_jobs", filters={"metric": "jobs"})
    assert services.export_request(user=user, kind="drill_tickets", filters={"metric": "handled"})
    for kind, metric in (("drill_jobs", "jobs"), ("drill_tickets", "handled")):
        sheet, _rows = export_sheet(kind, user, {"metric": metric})  # the job's work: no AttributeError
        assert sheet.max_row >= 1


@pytest.mark.parametrize("kind", ["outlet_settlement_lines", "travel_ledger"])
def test_the_settlement_and_travel_headers_are_in_sentence_case(kind):
    with translation.override("en"):
        headers = [str(c.header) for c in KINDS[kind].columns]
    assert headers and all(h[0].isupper() for h in headers), headers
    with translation.override("zh-hans"):
        chinese = [str(c.header) for c in KINDS[kind].columns]
    assert len(set(chinese)) == len(chinese), chinese  # no two columns read alike


def test_the_settlement_amounts_keep_their_own_chinese_words():
    with translation.override("zh-hans"):
        headers = [str(c.header) for c in KINDS["outlet_settlement_lines"].columns]
    assert {"人工", "差旅", "调整金额", "结算期起", "上门费"} <= set(headers)


def test_the_backlog_export_names_a_status_by_its_label_as_the_dashboard_does():
    ticket = make_ticket()
    ticket.__class__.objects.filter(pk=ticket.pk).update(status=TicketStatus.AWAITING_INFO)
    analytics_refresh()
    user = _supervisor()
    with translation.override("en"):
        label = str(TicketStatus.AWAITING_INFO.label)
        dashboard = {row.status: row.label for row in dashboard_grid_for_user(user=user).rows}
    assert dashboard[TicketStatus.AWAITING_INFO] == label == "Waiting for customer information"
    sheet, _rows = export_sheet("management_backlog", user)
    assert label in column(sheet, "Status")
    status_column = next(c for c in KINDS["management_backlog"].columns if str(c.header) == "Status")
    assert status_column.width >= len(label)
