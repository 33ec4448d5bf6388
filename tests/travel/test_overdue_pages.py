"""Where an advance overdue for settlement shows: the marker (days since it was paid) on finance's
queue (the balance per technician, the "overdue" filter), the technician's page and the advance's
page with its last day to settle, in both languages; finance's Today tile counting what the
filtered queue lists; the API's ``settle_due_on`` and ``overdue``; nothing of it with the rule off."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.travel import services
from tests.api.conftest import api_client
from tests.clients import client_for_language
from tests.clock import freeze_time

from .factories import advance, finance, paid_advance, technician

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 4, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
MARKER = 'data-test-id="advance-overdue"'


@pytest.fixture
def money(settings):
    """刘强 holds one advance paid on 1 March (to settle by 31 March: 35 days on 5 April) and one
    paid on 20 March (to settle by 19 April); 赵六 one paid on 1 April; one waits to be paid."""
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 30
    payer = finance()
    tech = technician(display_name="刘强")
    other = technician(display_name="赵六")
    with freeze_time(dt.datetime(2026, 3, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        late = paid_advance(tech, "800.00", payer=payer)
    with freeze_time(dt.datetime(2026, 3, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        recent = paid_advance(tech, "300.00", payer=payer)
    with freeze_time(dt.datetime(2026, 4, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))):
        theirs = paid_advance(other, "200.00", payer=payer)
        waiting = services.advance_approve(advance=advance(other, "100.00"), actor=payer)
    with freeze_time(TODAY):
        yield {"payer": payer, "tech": tech, "late": late, "recent": recent, "theirs": theirs, "waiting": waiting}


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_finance_sees_the_overdue_advances_on_its_queue_in_both_languages(money):
    queue = reverse("travel:queue")
    zh = page(client_for_language(money["payer"]), queue)
    assert zh.count('data-test-id="balance-overdue"') == 1 and "1 笔逾期未冲销" in zh
    filtered = page(client_for_language(money["payer"]), queue + "?advance_status=overdue")
    assert filtered.count('data-test-id="advance-row"') == 1 and f'data-number="{money["late"].number}"' in filtered
    assert filtered.count(MARKER) == 1 and 'data-days="35"' in filtered and "逾期未冲销：已付款 35 天" in filtered
    assert "Overdue" not in filtered and '<option value="overdue" selected>逾期未冲销</option>' in filtered
    paid = page(client_for_language(money["payer"]), queue + "?advance_status=paid")
    assert paid.count('data-test-id="advance-row"') == 3 and paid.count(MARKER) == 1
    en = page(client_for_language(money["payer"], "en"), queue + "?advance_status=overdue")
    assert "Overdue for settlement: paid 35 days ago" in en and "逾期" not in en
    assert "1 overdue for settlement" in page(client_for_language(money["payer"], "en"), queue)


def test_the_technician_and_the_advance_page_show_it_with_the_last_day_to_settle(money):
    mine = page(client_for_language(money["tech"]), reverse("travel:mine"))
    assert mine.count(MARKER) == 1 and "逾期未冲销：已付款 35 天" in mine
    late = page(client_for_language(money["tech"]), reverse("travel:advance", args=[money["late"].number]))
    assert "冲销期限" in late and 'data-test-id="advance-settle-due">2026-03-31' in late and MARKER in late
    recent = page(client_for_language(money["tech"], "en"), reverse("travel:advance", args=[money["recent"].number]))
    assert "settle by" in recent and 'data-test-id="advance-settle-due">2026-04-19' in recent and MARKER not in recent
    english = page(client_for_language(money["payer"], "en"), reverse("travel:advance", args=[money["late"].number]))
    assert "Overdue for settlement: paid 35 days ago" in english and "冲销" not in english
    waiting = page(client_for_language(money["payer"]), reverse("travel:advance", args=[money["waiting"].number]))
    assert "advance-settle-due" not in waiting and MARKER not in waiting


def test_a_reminder_shows_in_the_advance_history(money):
    assert services.advances_remind_overdue() == 1
    history = page(client_for_language(money["tech"]), reverse("travel:advance", args=[money["late"].number]))
    assert "已提醒：逾期未冲销" in history
    english = page(client_for_language(money["tech"], "en"), reverse("travel:advance", args=[money["late"].number]))
    assert "Reminded: overdue for settlement" in english


def test_finance_today_counts_what_the_filtered_queue_lists(money):
    client = client_for_language(money["payer"])
    today = page(client, reverse("desk:today"))
    link = reverse("travel:queue") + "?advance_status=overdue"
    assert f'href="{link}" data-test-id="tile-advances-overdue"' in today
    assert 'data-test-id="count-advances-overdue">1<' in today and "逾期未冲销的借款单" in today
    listed = page(client, link)
    assert listed.count('data-test-id="advance-row"') == 1
    english = page(client_for_language(money["payer"], "en"), reverse("desk:today"))
    assert "advance overdue for settlement" in english and "逾期" not in english


def test_with_the_rule_off_nothing_shows(money, settings):
    settings.TRAVEL_ADVANCE_SETTLE_DAYS = 0
    client = client_for_language(money["payer"])
    assert "tile-advances-overdue" not in page(client, reverse("desk:today"))
    queue = page(client, reverse("travel:queue") + "?advance_status=overdue")
    assert queue.count('data-test-id="advance-row"') == 0 and 'data-test-id="balance-overdue"' not in queue
    detail = page(client, reverse("travel:advance", args=[money["late"].number]))
    assert MARKER not in detail and "advance-settle-due" not in detail


def test_the_api_gives_the_last_day_to_settle_and_whether_it_is_overdue(money):
    client = api_client(money["payer"])
    listed = client.get("/api/v1/advances?limit=10")
    assert listed.status_code == 200, listed.content
    found = {a["number"]: (a["settle_due_on"], a["overdue"]) for a in listed.json()["items"]}
    assert found == {
        money["late"].number: ("2026-03-31", True),
        money["recent"].number: ("2026-04-19", False),
        money["theirs"].number: ("2026-05-01", False),
        money["waiting"].number: (None, False),
    }
    one = client.get(f"/api/v1/advances/{money['late'].number}").json()
    assert (one["settle_due_on"], one["overdue"]) == ("2026-03-31", True)
    schema = Client().get("/api/v1/openapi.json").json()["components"]["schemas"]["AdvanceOut"]
    assert {"settle_due_on", "overdue"} <= set(schema["required"]) and schema["properties"]["overdue"]["type"] == "boolean"
