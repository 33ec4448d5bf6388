"""The list's search for a caller: a phone number, a customer's name or a serial number finds the
tickets of that customer or unit — beside the tickets whose words match, within the user's scope,
masked as the list masks, never through an erased customer."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from aftersales.accounts.models import DataScope, Role
from aftersales.core import clock
from aftersales.customers.models import Contact, Customer
from aftersales.privacy.models import RequestChannel, RequestKind
from aftersales.privacy.services import privacy_erase, privacy_request_create
from aftersales.tickets.models import Ticket
from aftersales.tickets.search import recognise_query
from aftersales.tickets.selectors import TicketFilters, ticket_list_for_user
from aftersales.tickets.selectors import people as people_module
from aftersales.tickets.selectors import search as search_module
from aftersales.tickets.selectors.listing import ticket_list_rows_for_user
from aftersales.tickets.states import TicketStatus
from tests.clock import freeze_time
from tests.factories import ProductUnitFactory, RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

PHONE = "+8615983067670"
SERIAL = "RZ2408NB000001"
START = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def world():
    """赵敏 (mobile 159 8306 7670) with two tickets in the east, one about her registered unit;
    another customer's ticket that mentions no one; a ticket of a landline customer."""
    east = RegionFactory(code="east", name="华东")
    south = RegionFactory(code="south", name="华南")
    unit = ProductUnitFactory(serial_number=SERIAL)
    with freeze_time(START):
        first = make_ticket(region=east, customer_name="赵敏", phone="159 8306 7670", description="空调不制冷，外机不转。")
    with freeze_time(START + dt.timedelta(hours=1)):
        second = make_ticket(
            region=east, customer_name="赵敏", phone="15983067670", description="室内机有异响。", serial_number=SERIAL
        )
    with freeze_time(START + dt.timedelta(hours=2)):
        other = make_ticket(region=south, customer_name="李娜", phone="13800000002", description="冰箱门关不严。")
        landline = make_ticket(region=south, customer_name="深圳某某公司", phone="0755-8888 6666", description="洗衣机漏水。")
    return {
        "east": east,
        "south": south,
        "unit": unit,
        "first": first,
        "second": second,
        "other": other,
        "landline": landline,
        "all": UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL),
    }


def found(user, query: str, **filters) -> list[int]:
    filters.setdefault("open_only", False)
    page = ticket_list_for_user(user=user, filters=TicketFilters(query=query, **filters), sort="-created", page_size=100)
    assert page.total == len(page.rows)
    return [row.pk for row in page.rows]


# --- What a query is -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "phone", "serial", "name", "prefix", "suffix"),
    [
        ("15983067670", PHONE, "", "", False, ""),
        ("159 8306 7670", PHONE, "", "", False, ""),
        ("+86 159-8306-7670", PHONE, "", "", False, ""),
        ("0755-88886666", "+8675588886666", "", "", False, ""),
        ("１５９８３０６７６７０", PHONE, "", "", False, ""),
        ("rz2408nb000001", "", SERIAL, "", False, ""),
        ("赵敏", "", "", "赵敏", True, ""),
        ("赵敏 7670", "", "", "赵敏", True, "7670"),
        ("赵 敏", "", "", "赵敏", True, ""),
        ("Zhang  Wei", "", "", "Zhang Wei", False, ""),
        ("refund", "", "", "", False, ""),  # one word in Latin letters is a word
        ("深圳华强电器有限公司", "", "", "深圳华强电器有限公司", False, ""),
        ("7670", "", "", "", False, ""),  # four digits alone name nobody
        ("SH20261124-000001", "", "", "", False, ""),  # a ticket number is the number's search
        ("MP3", "", "", "", False, ""),
        ("漏", "", "", "", False, ""),
        ("12345678901", "", "", "", False, ""),  # eleven digits that are no valid number
    ],
)
def test_the_query_is_read_as_a_phone_a_serial_or_a_name(text, phone, serial, name, prefix, suffix):
    q = recognise_query(text)
    assert (q.phone, q.serial, q.name, q.name_prefix, q.phone_suffix) == (phone, serial, name, prefix, suffix)


# --- Phone -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["15983067670", "159 8306 7670", "159-8306-7670", "+86 159 8306 7670", PHONE, "008615983067670", "１５９８３０６７６７０"],
)
def test_a_mobile_in_any_spelling_finds_the_customers_tickets(world, query):
    assert found(world["all"], query) == [world["second"].pk, world["first"].pk]


@pytest.mark.parametrize("query", ["0755-88886666", "(0755) 8888 6666", "+86 755 8888 6666"])
def test_a_landline_with_its_area_code_finds_the_tickets(world, query):
    assert found(world["all"], query) == [world["landline"].pk]


def test_the_tickets_own_contact_phone_is_searched_too(world):
    """The caller rang from another number than the customer's (matched by e-mail at intake)."""
    Customer.objects.filter(pk=world["other"].customer_id).update(email="lina@example.com")
    ticket = make_ticket(customer_name="李娜", phone="13700001111", email="lina@example.com", description="冰箱结霜。")
    assert ticket.customer_id == world["other"].customer_id
    assert ticket.contact_phone == "+8613700001111"
    assert found(world["all"], "137 0000 1111") == [ticket.pk]


def test_a_contacts_phone_finds_the_customers_tickets(world):
    Contact.objects.create(customer_id=world["landline"].customer_id, name="王经理", phone="+8613911112222")
    assert found(world["all"], "139-1111-2222") == [world["landline"].pk]


def test_the_last_four_digits_alone_find_nobody_but_narrow_a_name(world):
    with freeze_time(START + dt.timedelta(hours=3)):
        namesake = make_ticket(customer_name="赵敏", phone="13600001234", description="热水器不出热水。")
    assert found(world["all"], "7670") == []
    assert found(world["all"], "赵敏 7670") == [world["second"].pk, world["first"].pk]
    assert found(world["all"], "1234 赵敏") == [namesake.pk]
    assert found(world["all"], "赵敏 0000") == []


# --- Serial number ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", [SERIAL, "rz2408nb000001", "ＲＺ２４０８ＮＢ０００００１", f"  {SERIAL} "])
def test_a_serial_number_finds_the_units_tickets(world, query):
    assert found(world["all"], query) == [world["second"].pk]


def test_a_ticket_of_the_unit_is_found_whatever_serial_it_recorded(world):
    """Linked to the unit afterwards (the serial was not typed at intake)."""
    Ticket.objects.filter(pk=world["first"].pk).update(product_unit=world["unit"])
    assert world["first"].reported_serial == ""
    assert found(world["all"], SERIAL.lower()) == [world["second"].pk, world["first"].pk]


def test_a_serial_the_catalogue_does_not_know_finds_the_tickets_that_reported_it(world):
    ticket = make_ticket(customer_name="李娜", phone="13800000002", description="电视没有声音。", serial_number="tv2501xx778899")
    assert ticket.product_unit_id is None
    assert found(world["all"], "TV2501XX778899") == [ticket.pk]


# --- Name ------------------------------------------------------------------------------------


def test_a_chinese_name_finds_the_customers_of_that_name_and_those_it_begins(world):
    with freeze_time(START + dt.timedelta(hours=3)):
        longer = make_ticket(customer_name="赵敏华", phone="13600002222", description="油烟机噪音大。")
        inside = make_ticket(customer_name="欧阳赵敏", phone="13600003333", description="燃气灶打不着火。")
    result = found(world["all"], "赵敏")
    assert result == [longer.pk, world["second"].pk, world["first"].pk]
    assert inside.pk not in result  # the start of the name, not any part of it
    assert found(world["all"], "敏") == []  # one character is no name


def test_another_name_is_matched_whole_in_any_letter_case(world):
    ticket = make_ticket(customer_name="Zhang Wei", phone="13600004444", description="Dryer does not heat.")
    assert found(world["all"], "zhang wei") == [ticket.pk]
    assert found(world["all"], "ZHANG  WEI") == [ticket.pk]
    assert found(world["all"], "Zhang") == []


def test_a_name_shared_by_too_many_customers_keeps_those_of_exactly_that_name(world, monkeypatch):
    monkeypatch.setattr(people_module, "PEOPLE_MATCH_CAP", 2)
    with freeze_time(START + dt.timedelta(hours=3)):
        longer = [
            make_ticket(customer_name=f"赵敏{c}", phone=f"1360000{i:04d}", description="门锁坏了。") for i, c in enumerate("华丽")
        ]
    result = found(world["all"], "赵敏")
    assert world["first"].pk in result and world["second"].pk in result
    assert not {t.pk for t in longer} & set(result)


# --- Nothing lost, scope, masking, erasure ---------------------------------------------------


def test_the_words_are_still_searched_beside_the_name(world):
    """A ticket of another customer that mentions 赵敏 is found as before, with hers."""
    with freeze_time(START + dt.timedelta(hours=3)):
        mention = make_ticket(customer_name="李娜", phone="13800000002", description="邻居赵敏推荐来报修。")
    assert found(world["all"], "赵敏") == [mention.pk, world["second"].pk, world["first"].pk]


def test_a_phone_written_in_a_description_is_still_found(world):
    with freeze_time(START + dt.timedelta(hours=3)):
        noted = make_ticket(customer_name="李娜", phone="13800000002", description="请回电 15983067670 联系赵女士。")
    assert found(world["all"], "15983067670") == [noted.pk, world["second"].pk, world["first"].pk]


@pytest.mark.parametrize("query", ["空调", "冰箱", "漏水", "不制冷", "xyz"])
def test_word_searches_find_what_they_found_before(world, query):
    words_only = {t.pk for t in Ticket.objects.all() if query in t.title or query in t.description}
    assert set(found(world["all"], query)) == words_only


def test_an_agent_of_another_region_does_not_find_the_customer(world):
    south_agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=world["south"])
    east_agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=world["east"])
    for query in ("赵敏", "159 8306 7670", SERIAL):
        assert found(south_agent, query) == []
        assert set(found(east_agent, query)) <= {world["first"].pk, world["second"].pk}
        assert found(east_agent, query)


def test_the_other_filters_still_apply(world):
    Ticket.objects.filter(pk=world["first"].pk).update(status=TicketStatus.CLOSED)
    assert found(world["all"], "赵敏", open_only=True) == [world["second"].pk]


def test_pages_of_people_and_words_follow_the_order_without_loss(world):
    """Keyset pages of a search that finds by name and by words: every ticket once, newest first."""
    expected = [world["second"].pk, world["first"].pk]
    for i in range(5):
        with freeze_time(START + dt.timedelta(hours=3, minutes=i)):
            expected.insert(0, make_ticket(customer_name="赵敏", phone="15983067670", description=f"第{i}次报修。").pk)
        with freeze_time(START + dt.timedelta(hours=3, minutes=i, seconds=30)):
            expected.insert(0, make_ticket(customer_name="李娜", phone="13800000002", description=f"赵敏代报第{i}次。").pk)
    seen, cursor = [], None
    while True:
        page = ticket_list_for_user(
            user=world["all"], filters=TicketFilters(open_only=False, query="赵敏"), sort="-created", cursor=cursor, page_size=3
        )
        assert page.total == len(expected)
        seen += [row.pk for row in page.rows]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


def test_the_dense_search_walk_finds_the_people_too(world, monkeypatch):
    monkeypatch.setattr(search_module, "DENSE_SEARCH", 1)
    assert found(world["all"], "159 8306 7670") == [world["second"].pk, world["first"].pk]
    assert found(world["all"], SERIAL) == [world["second"].pk]


def test_the_export_of_the_list_finds_them_too(world):
    rows = ticket_list_rows_for_user(
        user=world["all"], filters=TicketFilters(open_only=False, query="159 8306 7670"), sort="-created"
    )
    assert [row[0] for row in rows] == [world["second"].pk, world["first"].pk]


def test_a_role_that_sees_masked_phones_finds_the_ticket_and_sees_the_phone_masked(world):
    engineer = UserFactory(role=Role.QUALITY_ENGINEER, data_scope=DataScope.ALL)
    client = Client()
    client.force_login(engineer)
    response = client.get("/tickets/", {"status": "all", "q": "15983067670"})
    assert response.status_code == 200
    html = response.content.decode()
    assert world["first"].number in html and world["second"].number in html
    assert world["other"].number not in html
    assert "159 **** 7670" in html
    assert "159 8306 7670" not in html


def test_an_agent_sees_the_found_phone_in_full(world):
    agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL)
    client = Client()
    client.force_login(agent)
    html = client.get("/tickets/", {"status": "all", "q": "赵敏"}).content.decode()
    assert world["first"].number in html
    assert "159 8306 7670" in html
    assert "（单号、关键词、客户姓名或电话、序列号）" in html  # the search box says what it finds


def test_an_erased_customer_is_not_found_by_name_or_phone(world):
    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    Ticket.objects.filter(customer_id=world["first"].customer_id).update(status=TicketStatus.CLOSED, closed_at=clock.now())
    customer = Customer.objects.get(pk=world["first"].customer_id)
    request = privacy_request_create(customer=customer, kind=RequestKind.ERASURE, channel=RequestChannel.STAFF, actor=admin)
    privacy_erase(request=request, actor=admin)
    assert found(world["all"], "赵敏") == []
    assert found(world["all"], "159 8306 7670") == []
    assert found(world["all"], "***") == []
    # The unit is the product's, not the person's: its tickets are still found by serial.
    assert found(world["all"], SERIAL) == [world["second"].pk]


def test_the_lookups_skip_an_erased_customer_even_if_name_and_phone_were_left(world):
    """The lookups ask for customers not erased, whatever the erasure left in the row."""
    Customer.objects.filter(pk=world["first"].customer_id).update(erased_at=clock.now())
    Ticket.objects.filter(customer_id=world["first"].customer_id).update(contact_phone="")
    assert found(world["all"], "赵敏") == []
    assert found(world["all"], "159 8306 7670") == []


# --- PostgreSQL: the lookups and the tickets' arms are index probes ---------------------------


def _plan(sql: str, params) -> str:
    with connection.cursor() as cur:
        cur.execute("SET LOCAL enable_seqscan = off")
        cur.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cur.fetchall())


@pytest.mark.postgres
def test_postgres_uses_the_indexes_of_the_search_for_people(world):
    from django.db.models import Q

    name = Customer.objects.filter(erased_at__isnull=True, name__istartswith="赵敏").values_list("id", flat=True)
    assert "customer_name_upper_idx" in _plan(*name.query.sql_with_params())
    exact = Customer.objects.filter(erased_at__isnull=True, name__iexact="Zhang Wei").values_list("id", flat=True)
    assert "customer_name_upper_idx" in _plan(*exact.query.sql_with_params())
    phone = Ticket.objects.filter(Q(contact_phone=PHONE) | Q(customer_id__in=[1, 2])).values_list("id", flat=True)
    assert "ticket_contact_phone_idx" in _plan(*phone.query.sql_with_params())
    serial = Ticket.objects.filter(Q(reported_serial=SERIAL) | Q(product_unit_id__in=[1])).values_list("id", flat=True)
    plan = _plan(*serial.query.sql_with_params())
    assert "ticket_reported_serial_idx" in plan
    assert "product_unit_id" in plan


# --- The dense search's walk (PostgreSQL): the sort order's index, in every sort -------------


def _all_pages(user, filters: TicketFilters, sort: str) -> tuple[list[int], int]:
    seen, cursor, total = [], None, 0
    while True:
        page = ticket_list_for_user(user=user, filters=filters, sort=sort, cursor=cursor, page_size=2)
        seen += [row.pk for row in page.rows]
        total, cursor = page.total, page.next_cursor
        if cursor is None:
            return seen, total


@pytest.mark.parametrize("sort", ["due", "-created", "priority"])
@pytest.mark.parametrize("open_only", [True, False])
def test_a_dense_search_gives_the_same_pages_in_every_sort(world, monkeypatch, sort, open_only):
    """Walked (from DENSE_SEARCH matches on) or not, the same rows in the same order; the priority
    sort, which no index gives, is never walked."""
    with freeze_time(START + dt.timedelta(hours=3)):
        make_ticket(customer_name="李娜", phone="13800000002", description="赵敏家的空调漏水。", priority=1)
    Ticket.objects.filter(pk=world["first"].pk).update(due_at=None)
    filters = TicketFilters(open_only=open_only, query="赵敏")
    sparse = _all_pages(world["all"], filters, sort)
    monkeypatch.setattr(search_module, "DENSE_SEARCH", 1)
    with CaptureQueriesContext(connection) as queries:
        dense = _all_pages(world["all"], filters, sort)
    assert dense == sparse
    assert len(sparse[0]) == 3
    steered = [q["sql"] for q in queries.captured_queries if "enable_bitmapscan" in q["sql"]]
    assert bool(steered) == (connection.vendor == "postgresql" and sort != "priority")
    assert all("enable_sort" in sql for sql in steered)


@pytest.mark.postgres
def test_postgres_walks_the_open_due_index_for_an_open_search_sorted_by_due(world, monkeypatch):
    """The walk of an open search sorted by due goes along ``ticket_open_due_idx`` with no sort
    (with sorts allowed, at 100k tickets PostgreSQL took the status index and sorted every open
    ticket it read: 0.6 s; at this size it walks either way, the settings are checked above)."""
    monkeypatch.setattr(search_module, "DENSE_SEARCH", 1)
    with CaptureQueriesContext(connection) as queries:
        ticket_list_for_user(user=world["all"], filters=TicketFilters(query="空调"), sort="due", page_size=25)
    statements = [q["sql"] for q in queries.captured_queries]
    steered = next(i for i, sql in enumerate(statements) if "enable_bitmapscan" in sql)
    page_sql = statements[steered + 1]
    with connection.cursor() as cur:
        for setting, value in re.findall(r"set_config\('(\w+)', '(\w+)'", statements[steered]):
            cur.execute(f"SET LOCAL {setting} = {value}")  # the walk's own settings
        cur.execute("EXPLAIN " + page_sql)
        plan = "\n".join(row[0] for row in cur.fetchall())
    assert "ticket_open_due_idx" in plan
    assert "Sort" not in plan  # walked in order, stopped after the page
