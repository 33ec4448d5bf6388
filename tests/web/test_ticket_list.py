import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import Channel, Priority
from aftersales.tickets.services import ticket_assign, ticket_transition
from aftersales.tickets.states import TicketStatus
from tests.clients import client_for
from tests.factories import CustomerFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

LIST = reverse("tickets:list")


@pytest.fixture(params=["python", "jinja2"])
def row_rendering(request, settings) -> str:
    """Both renderings of the rows (settings.ROW_RENDERING): list_rows.py's and the Jinja2 template's."""
    settings.ROW_RENDERING = request.param
    return request.param


def numbers_on(response) -> list[str]:
    return [t.number for t in response.context["page"].rows]


def test_agent_with_own_scope_sees_only_the_tickets_they_registered(agent, agent_client):
    mine = make_ticket(actor=agent, description="我的工单：空调不制冷")
    theirs = make_ticket(actor=UserFactory(), description="别人的工单：洗衣机漏水")
    response = agent_client.get(LIST)
    assert response.status_code == 200
    assert numbers_on(response) == [mine.number]
    html = response.content.decode()
    assert mine.number in html
    assert theirs.number not in html
    assert response.context["page"].total == 1


def test_supervisor_with_all_scope_sees_every_ticket(agent):
    mine = make_ticket(actor=agent)
    theirs = make_ticket(actor=UserFactory())
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    response = client_for(supervisor).get(LIST)
    assert set(numbers_on(response)) == {mine.number, theirs.number}


def test_customer_accounts_get_403(client):
    customer_user = UserFactory(role=Role.CUSTOMER)
    CustomerFactory(user=customer_user)
    assert client_for(customer_user).get(LIST).status_code == 403


def test_open_is_the_default_and_all_includes_finished_tickets(agent, agent_client):
    open_ticket = make_ticket(actor=agent)
    rejected = make_ticket(actor=agent, description="重复报修")
    ticket_transition(ticket=rejected, to_status=TicketStatus.REJECTED, actor=agent, reason="重复")
    assert numbers_on(agent_client.get(LIST)) == [open_ticket.number]
    assert set(numbers_on(agent_client.get(LIST, {"status": "all"}))) == {open_ticket.number, rejected.number}
    assert numbers_on(agent_client.get(LIST, {"status": "rejected"})) == [rejected.number]


def test_filters_by_priority_channel_and_text(agent, agent_client):
    urgent = make_ticket(actor=agent, priority=Priority.URGENT, description="插座冒烟")
    web = make_ticket(actor=agent, channel=Channel.WEB, description="网上报修：冰箱异响")
    plain = make_ticket(actor=agent, description="热水器不出热水")
    assert numbers_on(agent_client.get(LIST, {"priority": "1"})) == [urgent.number]
    assert numbers_on(agent_client.get(LIST, {"channel": "web"})) == [web.number]
    assert numbers_on(agent_client.get(LIST, {"q": "热水器"})) == [plain.number]
    assert numbers_on(agent_client.get(LIST, {"q": plain.number.lower()})) == [plain.number]


def test_urgent_tickets_are_highlighted(agent, agent_client):
    make_ticket(actor=agent, safety_hazard=True, description="电源线冒烟")
    html = agent_client.get(LIST).content.decode()
    assert 'class="ticket-row prio-1' in html


def test_unreadable_filter_values_fall_back_to_defaults(agent, agent_client):
    ticket = make_ticket(actor=agent)
    response = agent_client.get(LIST, {"status": "bogus", "priority": "x", "sort": "evil", "cursor": "!!!"})
    assert response.status_code == 200
    assert numbers_on(response) == [ticket.number]


def test_next_page_follows_the_keyset_cursor_without_offset(agent, agent_client, settings):
    settings.TICKET_LIST_PAGE_SIZE = 2
    created = {make_ticket(actor=agent, description=f"第{i}台空调漏水").number for i in range(5)}
    seen: list[str] = []
    url = f"{LIST}?sort=-created"
    pages = 0
    with CaptureQueriesContext(connection) as queries:
        while url:
            response = agent_client.get(url)
            assert response.status_code == 200
            assert response.context["page"].total == 5
            seen += numbers_on(response)
            url = response.context["next_url"]
            pages += 1
    assert pages == 3
    assert len(seen) == 5
    assert set(seen) == created
    assert not any("OFFSET" in q["sql"].upper() for q in queries.captured_queries)


def test_next_page_link_carries_the_cursor_and_the_filters(agent, agent_client, settings):
    settings.TICKET_LIST_PAGE_SIZE = 1
    make_ticket(actor=agent)
    make_ticket(actor=agent, description="第二张")
    response = agent_client.get(LIST, {"sort": "priority", "channel": "hotline"})
    next_url = response.context["next_url"]
    assert "cursor=" in next_url
    assert "sort=priority" in next_url
    assert "channel=hotline" in next_url
    assert 'data-test-id="next-page"' in response.content.decode()


def test_htmx_filter_request_gets_only_the_results_fragment(agent, agent_client):
    ticket = make_ticket(actor=agent)
    response = agent_client.get(LIST, {"status": "all"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert "<html" not in html
    assert 'data-test-id="ticket-filters"' not in html
    assert "HX-Request" in response["Vary"]


def test_agent_sees_the_phone_and_a_role_without_need_sees_it_masked(agent, agent_client, row_rendering):
    make_ticket(actor=agent, phone="13812345678")
    assert "138 1234 5678" in agent_client.get(LIST).content.decode()

    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    html = client_for(warehouse).get(LIST).content.decode()
    assert "138 **** 5678" in html  # issue 14: masked with spaces too
    assert "12345678" not in html


def _count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST, {"status": "all"})
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_number_of_tickets(django_assert_max_num_queries):
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    client = client_for(supervisor)
    agents = [UserFactory() for _ in range(3)]
    for i in range(5):
        ticket = make_ticket(actor=agents[i % 3], phone=f"1391234{i:04d}", category_code="product_quality")
        ticket_assign(ticket=ticket, assignee=agents[i % 3], actor=supervisor)
    # +1 for the header's unread-notifications badge, +1 for the saved views' bar
    with django_assert_max_num_queries(6):
        five = _count_list_queries(client)
    for i in range(5, 30):
        ticket = make_ticket(actor=agents[i % 3], phone=f"1391234{i:04d}", category_code="product_quality")
        ticket_assign(ticket=ticket, assignee=agents[i % 3], actor=supervisor)
    with django_assert_max_num_queries(6):
        thirty = _count_list_queries(client)
    assert five == thirty


def test_rows_mark_sla_warnings_breaches_and_escalation(agent, agent_client, row_rendering):
    from aftersales.tickets.models import Ticket

    warned = make_ticket(actor=agent, phone="13800000011")
    breached = make_ticket(actor=agent, phone="13800000012")
    calm = make_ticket(actor=agent, phone="13800000013")
    Ticket.objects.filter(pk=warned.pk).update(sla_state="warning")
    Ticket.objects.filter(pk=breached.pk).update(sla_state="breached", escalation_level=2)
    html = agent_client.get(LIST).content.decode()

    def row(number: str) -> str:
        start = html.index(f'data-number="{number}"')
        return html[start : html.index("</tr>", start)]

    assert 'data-test-id="row-sla-warning"' in row(warned.number)
    assert 'data-test-id="row-sla-breached"' in row(breached.number)
    assert "↑2" in row(breached.number)
    assert "row-sla" not in row(calm.number) and "row-escalation" not in row(calm.number)


def test_rows_escape_what_users_typed_and_carry_the_cell_labels(agent, agent_client, row_rendering):
    """The rows are built in Python (tickets/list_rows.py): everything typed is escaped, every
    cell has its translated data-label, times are local, past-due open tickets say so."""
    import datetime as dt

    from aftersales.customers.models import Customer
    from aftersales.tickets.models import Ticket

    ticket = make_ticket(actor=agent, description="<b>bold</b>", phone="13800000021")
    Ticket.objects.filter(pk=ticket.pk).update(
        title='<script>alert("x")</script> {l_title} {number}',
        due_at=dt.datetime(2020, 1, 2, 1, 30, tzinfo=dt.UTC),
        safety_hazard=True,
    )
    Customer.objects.filter(pk=ticket.customer_id).update(name="<i>张&伟</i>")
    html = agent_client.get(LIST).content.decode()
    start = html.index(f'data-number="{ticket.number}"')
    row = html[start : html.index("</tr>", start)]
    assert "<script>" not in row and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; {l_title} {number}" in row
    assert "&lt;i&gt;张&amp;伟&lt;/i&gt;" in row
    assert 'data-label="标题" class="cell-title"' in row
    # 2020-01-02 01:30 UTC is 09:30 in Asia/Shanghai; open and past due: "Overdue".
    assert '<time datetime="2020-01-02T09:30:00+08:00"><span>2020-01-02</span> <span>09:30</span></time>' in row
    assert 'class="badge overdue"' in row and "is-overdue" in html[html.rindex("<tr", 0, start) : start]
    assert 'class="badge hazard"' in row
    assert f'href="/tickets/{ticket.number}/"' in row
    agent_client.cookies.load({"django_language": "en"})
    english = agent_client.get(LIST).content.decode()
    assert 'data-label="Title" class="cell-title"' in english and ">Overdue<" in english


def test_rows_name_the_category_in_the_language_and_the_assignee_as_everywhere(agent, agent_client, row_rendering):
    """The list reads its rows as values (selectors.TicketListRow), not model instances: the
    category and the assignee must still read as their models' ``str`` does."""
    from aftersales.tickets.models import Ticket, TicketCategory

    category = TicketCategory.objects.create(code="leak", name="漏水维修", name_en="Leak repair")
    no_english = TicketCategory.objects.create(code="misc", name="其他")
    shown = {
        "display": UserFactory(display_name="王师傅", first_name="Wang", last_name="Li"),
        "full": UserFactory(display_name="", first_name="Lei", last_name="Li"),
        "plain": UserFactory(display_name="", first_name="", last_name="", username="tech-plain"),
    }
    tickets = {}
    for key, assignee in shown.items():
        ticket = make_ticket(actor=agent)
        Ticket.objects.filter(pk=ticket.pk).update(assignee=assignee, category=category if key != "plain" else no_english)
        tickets[key] = ticket

    def cells(html: str, ticket) -> str:
        start = html.index(f'data-number="{ticket.number}"')
        return html[start : html.index("</tr>", start)]

    html = agent_client.get(LIST).content.decode()
    assert ">王师傅<" in cells(html, tickets["display"])
    assert ">Lei Li<" in cells(html, tickets["full"])
    assert ">tech-plain<" in cells(html, tickets["plain"])
    assert ">漏水维修<" in cells(html, tickets["display"]) and ">其他<" in cells(html, tickets["plain"])
    agent_client.cookies.load({"django_language": "en"})
    english = agent_client.get(LIST).content.decode()
    assert ">Leak repair<" in cells(english, tickets["display"])
    assert ">其他<" in cells(english, tickets["plain"])  # no English name: the name
    for key, ticket in tickets.items():
        row = Ticket.objects.select_related("assignee").get(pk=ticket.pk)
        assert f">{row.assignee}<" in cells(html, ticket), key


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "bogus", "priority": "x", "sort": "evil", "queue": "nope", "channel": "fax"},
        {"status": "all", "priority": "1", "sort": "-created", "queue": "mine", "channel": "web", "q": "  漏水 "},
        {"status": "resolved", "priority": "9", "q": "x" * 101},
        {"category": "0", "region": "7", "team": "0", "assignee": "x"},
        {"status": "open", "priority": "", "q": "refund"},
        {"sla": "warning", "created_after": "2026-12-01T08:00:00", "created_before": "2026-12-06 09:53"},
        {"sla": "late", "created_after": "yesterday", "created_before": ""},
    ],
)
def test_the_filter_values_are_those_of_the_bound_form(params):
    """The list reads its filters without building the form (forms.TicketListFilterForm.values_from):
    the same values, defaults for what is invalid or missing."""
    from django.http import QueryDict

    from aftersales.tickets.forms import TicketListFilterForm

    query = QueryDict(mutable=True)
    query.update(params)
    form = TicketListFilterForm(query)
    form.is_valid()
    expected = {
        "queue": form.cleaned_data.get("queue") or "",
        "status": form.cleaned_data.get("status") or "open",
        "priority": form.cleaned_data.get("priority"),
        "channel": form.cleaned_data.get("channel") or "",
        "q": (form.cleaned_data.get("q") or "").strip(),
        "sort": form.cleaned_data.get("sort") or "due",
        **{name: form.cleaned_data.get(name) for name in ("category", "region", "team", "assignee")},
        "sla": form.cleaned_data.get("sla") or "",
        **{name: form.cleaned_data.get(name) for name in ("created_after", "created_before")},
        **{name: (form.cleaned_data.get(name) or "").strip() for name in ("model", "responsibility", "request_type", "number")},
        "party": (form.cleaned_data.get("party") or "").strip().lower(),
    }
    assert TicketListFilterForm.values_from(query) == expected
    assert TicketListFilterForm(query).values() == expected


# --- The rows through Django's Jinja2 backend (settings.ROW_RENDERING "jinja2", issue 13) ---------

TRICKY = "<b>\"A\" & 'B'</b> {l_title} {{ x }} {% y %}"


def _rows_in_both_renderings(settings, render) -> tuple[str, str]:
    settings.ROW_RENDERING = "python"
    python = str(render())
    settings.ROW_RENDERING = "jinja2"
    jinja2 = str(render())
    return python, jinja2


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_jinja2_rows_are_the_python_rows_byte_for_byte(agent, agent_client, settings, language):
    """Every kind of cell, with what users typed in every text column: the page's rows rendered
    by the Jinja2 template are the Python renderer's, byte for byte, in both languages, for a
    role that sees phones and for one that sees them masked."""
    import datetime as dt

    from aftersales.customers.models import Customer
    from aftersales.tickets.models import Ticket, TicketCategory

    category = TicketCategory.objects.create(code="tricky", name=f"类别{TRICKY}", name_en=f"Category {TRICKY}")
    assignee = UserFactory(display_name=f"师傅{TRICKY}")
    past, future = dt.datetime(2020, 1, 2, 1, 30, tzinfo=dt.UTC), dt.datetime(2099, 5, 6, 23, 59, tzinfo=dt.UTC)
    variants = [
        {"title": TRICKY, "due_at": past, "safety_hazard": True, "sla_state": "breached", "escalation_level": 3},
        {"category": category, "assignee": assignee, "due_at": future, "sla_state": "warning", "priority": Priority.URGENT},
        {"due_at": None, "channel": Channel.WEB, "escalation_level": 1, "title": 'it\'s "quoted" & <tagged>'},
        {"status": TicketStatus.CANCELLED, "due_at": past, "priority": 3},
    ]
    for i, changes in enumerate(variants):
        ticket = make_ticket(actor=agent, phone=f"1380000003{i}")
        phone = "" if i == 3 else f"+86138000000{i}"
        Customer.objects.filter(pk=ticket.customer_id).update(name=f"<i>张&伟</i> 'x' \"{i}\"", phone=phone)
        Ticket.objects.filter(pk=ticket.pk).update(**changes)
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL)
    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    for client in (agent_client, client_for(supervisor), client_for(warehouse)):
        client.cookies.load({"django_language": language})
        python, jinja2 = _rows_in_both_renderings(
            settings, lambda client=client: client.get(LIST, {"status": "all"}).context["rows"]
        )
        assert python.count('data-test-id="ticket-row"') == len(variants)
        assert "&quot;" in python and "&#x27;" in python and "&lt;b&gt;" in python and "&amp;" in python
        assert jinja2 == python


def _list_row(**changes):
    import datetime as dt

    from aftersales.tickets.selectors import TicketListRow

    values = {
        "pk": 1,
        "number": "SH2026<'\"&>01",
        "title": TRICKY,
        "status": "new",
        "priority": 2,
        "channel": "hotline",
        "safety_hazard": False,
        "sla_state": "",
        "escalation_level": 0,
        "created_at": dt.datetime(2026, 3, 4, 5, 6, 7, 890123, tzinfo=dt.UTC),
        "due_at": dt.datetime(2020, 1, 2, 1, 30, tzinfo=dt.UTC),
        "category_id": 7,
        "category_name": f"类别{TRICKY}",
        "category_name_en": f"Category {TRICKY}",
        "customer_name": f"客户{TRICKY}",
        "customer_phone": "+8613812345678",
        "assignee_id": 9,
        "assignee_username": "tech'<1>",
        "assignee_display_name": "",
        "assignee_first_name": "",
        "assignee_last_name": "",
    }
    values.update(changes)
    return TicketListRow(**values)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("role", [Role.AGENT, Role.WAREHOUSE])
def test_the_jinja2_rows_match_for_values_no_page_shows_easily(db, settings, language, role):
    """Values outside the choices (shown as they are, escaped), a number that needs escaping, no
    category, no assignee, no phone, every badge, open and finished tickets past due."""
    from django.utils import translation

    from aftersales.tickets.list_rows import render_rows

    rows = [
        _list_row(),
        _list_row(status="<weird'status>", priority=9, channel='fax&"co"', safety_hazard=True, sla_state="breached"),
        _list_row(category_id=None, assignee_id=None, customer_phone="", due_at=None, sla_state="warning", escalation_level=2),
        _list_row(status=TicketStatus.CLOSED, escalation_level=1, sla_state="other", priority=1, channel="web"),
        _list_row(assignee_display_name="", assignee_first_name="O'Neil", assignee_last_name="<Smith & Co>"),
    ]
    user = UserFactory(role=role, data_scope=DataScope.ALL)
    with translation.override(language):
        python, jinja2 = _rows_in_both_renderings(settings, lambda: render_rows(rows, user=user))
        empty = _rows_in_both_renderings(settings, lambda: render_rows([], user=user))
    assert python.count("</tr>\n") == len(rows) and python.endswith("</tr>\n")
    assert "&#x27;" in python and "&quot;" in python
    assert jinja2 == python
    assert empty == ("", "")
