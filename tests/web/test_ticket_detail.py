import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import TicketEvent
from aftersales.tickets.services import ticket_add_attachment, ticket_add_note, ticket_transition
from aftersales.tickets.states import TicketStatus
from tests.clients import client_for
from tests.factories import ProductUnitFactory, UserFactory, make_ticket

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["python", "jinja2"])
def row_rendering(request, settings) -> str:
    """Both renderings of the timeline items (settings.ROW_RENDERING): view_helpers' and the Jinja2 template's."""
    settings.ROW_RENDERING = request.param
    return request.param


def detail_url(ticket) -> str:
    return reverse("tickets:detail", args=[ticket.number])


def test_detail_shows_the_ticket_unit_warranty_and_timeline(agent, agent_client):
    unit = ProductUnitFactory(purchase_date=dt.date(2026, 1, 10), batch="B2025-11")
    ticket = make_ticket(actor=agent, serial_number=unit.serial_number, category_code="product_quality", safety_hazard=True)
    ticket_add_note(ticket=ticket, actor=agent, body="已电话联系客户，约好明天上门。", kind=EventKind.CALL)
    response = agent_client.get(detail_url(ticket))
    assert response.status_code == 200
    html = response.content.decode()
    assert ticket.number in html
    assert unit.serial_number in html
    assert unit.model.code in html
    assert "B2025-11" in html
    assert 'data-test-id="warranty-state"' in html
    assert response.context["warranty"].reason in html
    assert "已电话联系客户" in html
    assert 'data-test-id="detail-hazard"' in html
    assert "138 1234 5678" in html


def test_detail_of_a_ticket_outside_the_users_scope_is_404(agent):
    other_agents_ticket = make_ticket(actor=UserFactory())
    client = client_for(agent)
    assert client.get(detail_url(other_agents_ticket)).status_code == 404
    assert client.get(reverse("tickets:detail", args=["SH00000000000"])).status_code == 404


def test_detail_masks_the_phone_for_a_role_without_need(agent):
    ticket = make_ticket(actor=agent, phone="13812345678", email="zhang.wei@example.com")
    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    html = client_for(warehouse).get(detail_url(ticket)).content.decode()
    assert "138 **** 5678" in html  # issue 14: masked with spaces too
    assert "138 1234 5678" not in html
    assert "zhang.wei@example.com" not in html


def test_viewing_unmasked_personal_data_is_audited_and_masked_views_are_not(agent, agent_client):
    from aftersales.audit.models import AuditEvent

    ticket = make_ticket(actor=agent, phone="13812345678")
    agent_client.get(detail_url(ticket))
    viewed = AuditEvent.objects.filter(action="customer.personal_data_viewed")
    assert [(e.actor_id, e.object_id, e.changes["ticket"]) for e in viewed] == [
        (agent.pk, str(ticket.customer_id), ticket.number)
    ]
    warehouse = UserFactory(role=Role.WAREHOUSE, data_scope=DataScope.ALL)
    client_for(warehouse).get(detail_url(ticket))
    assert viewed.count() == 1


def test_internal_and_public_entries_are_marked_differently(agent, agent_client):
    ticket = make_ticket(actor=agent)
    ticket_add_note(ticket=ticket, actor=agent, body="内部：疑似批次问题", kind=EventKind.NOTE)
    ticket_add_note(ticket=ticket, actor=agent, body="您好，工程师明天上门。", kind=EventKind.MESSAGE_OUT)
    html = agent_client.get(detail_url(ticket)).content.decode()
    assert 'class="event kind-note is-internal"' in html
    assert 'class="event kind-message_out is-public"' in html


def test_status_changes_show_their_labels(agent, agent_client):
    ticket = make_ticket(actor=agent)
    ticket_transition(ticket=ticket, to_status=TicketStatus.VERIFYING, actor=agent)
    response = agent_client.get(detail_url(ticket), headers={"Accept-Language": "en"})
    assert "已登记 → 核查中" in response.content.decode()


def test_adding_a_note_with_htmx_swaps_in_the_timeline(agent, agent_client):
    ticket = make_ticket(actor=agent)
    response = agent_client.post(
        reverse("tickets:add_note", args=[ticket.number]),
        {"kind": EventKind.NOTE, "body": "客户说上午不在家"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="timeline-section"' in html
    assert "客户说上午不在家" in html
    note = TicketEvent.objects.get(ticket=ticket, kind=EventKind.NOTE)
    assert note.public is False
    assert note.actor == agent


def test_adding_a_note_without_javascript_redirects_back(agent, agent_client):
    ticket = make_ticket(actor=agent)
    response = agent_client.post(
        reverse("tickets:add_note", args=[ticket.number]), {"kind": EventKind.MESSAGE_OUT, "body": "您的工单已受理。"}
    )
    assert response.status_code == 302
    assert response.url.startswith(detail_url(ticket))
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.MESSAGE_OUT).public is True


def test_an_empty_note_shows_the_error_next_to_the_text(agent, agent_client):
    ticket = make_ticket(actor=agent)
    response = agent_client.post(
        reverse("tickets:add_note", args=[ticket.number]),
        {"kind": EventKind.NOTE, "body": "   "},
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-test-id="error-body"' in html
    assert "请先填写内容。" in html
    assert not TicketEvent.objects.filter(ticket=ticket, kind=EventKind.NOTE).exists()


def test_notes_cannot_be_added_to_tickets_outside_the_scope(agent):
    ticket = make_ticket(actor=UserFactory())
    response = client_for(agent).post(reverse("tickets:add_note", args=[ticket.number]), {"kind": "note", "body": "x"})
    assert response.status_code == 404


def _count_detail_queries(client, ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(detail_url(ticket))
    assert response.status_code == 200
    return len(queries)


def test_detail_query_count_is_bounded_and_does_not_grow_with_the_timeline(agent, agent_client, django_assert_max_num_queries):
    unit = ProductUnitFactory()
    ticket = make_ticket(actor=agent, serial_number=unit.serial_number, category_code="product_quality")
    # +1 for the header's unread-notifications badge; +4 for the process panel of a registered
    # ticket (scope check of the available actions, current plan, SLA clocks, category choices);
    # +1 the audit row of the personal-data view; +2 the field-service panel (work orders,
    # measures); +1 when and where (how sure the "when" is: the registered entry's data, read
    # once for the card and the verification forms). The nav's dispatch permission is remembered in the session (0 queries here).
    # 0 for each panel loaded after the page (htmx, its own request): appraisal, remedies (the
    # 三包 proposal), returns, refunds and compensation with the customer card's summary (the
    # abuse check), knowledge, triage (the suggestions and likely duplicates).
    agent_client.get(detail_url(ticket))  # steady state: the session's first page remembers the nav permission
    with django_assert_max_num_queries(15):
        short = _count_detail_queries(agent_client, ticket)
    for i in range(10):
        ticket_add_note(ticket=ticket, actor=UserFactory(), body=f"跟进记录 {i}", kind=EventKind.CALL)
    with django_assert_max_num_queries(15):
        long = _count_detail_queries(agent_client, ticket)
    assert short == long


def test_timeline_items_are_escaped_and_carry_kind_visibility_time_and_status_change(agent, agent_client, row_rendering):
    from django.utils import timezone

    ticket = make_ticket(actor=agent)
    note = ticket_add_note(ticket=ticket, actor=agent, body='<script>alert("x")</script> & {braces}', public=True)
    attachment = ticket_add_attachment(
        ticket=ticket, actor=agent, fileobj=io.BytesIO(png_bytes()), filename="a&b<1>.png", public=True
    )
    ticket_transition(ticket=ticket, to_status=TicketStatus.CANCELLED, actor=agent, reason="客户撤回")  # archived: last
    TicketEvent.objects.filter(pk=note.pk).update(actor=None, actor_label="<b>外部</b>")
    html = agent_client.get(detail_url(ticket)).content.decode()
    timeline = html.split('data-test-id="timeline"', 1)[1].split("</ol>", 1)[0]
    assert "<script>" not in timeline and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; {braces}" in timeline
    assert "&lt;b&gt;外部&lt;/b&gt;" in timeline and "<b>" not in timeline
    local = timezone.localtime(TicketEvent.objects.get(pk=note.pk).created_at)
    assert f'<time datetime="{local.isoformat()}">{local:%Y-%m-%d %H:%M}</time>' in timeline
    assert 'data-kind="note"' in timeline and "is-public" in timeline
    assert 'data-kind="status_changed"' in timeline
    assert f"{TicketStatus.CANCELLED.label}</p>" in timeline and " → " in timeline
    download = reverse("tickets:attachment", args=[attachment.pk])
    assert f'<p class="event-attachment"><a href="{download}">a&amp;b&lt;1&gt;.png</a></p>' in timeline
    assert timeline.count('data-test-id="timeline-event"') == TicketEvent.objects.filter(ticket=ticket).count()


def test_an_empty_timeline_says_so(agent, row_rendering):
    from aftersales.tickets.view_helpers import render_timeline_items

    assert 'class="empty"' in render_timeline_items([])


# --- The timeline through Django's Jinja2 backend (settings.ROW_RENDERING "jinja2", issue 13) -----

TRICKY = "<b>\"A\" & 'B'</b> {braces} {{ x }} {% y %}"


def _in_both_renderings(settings, render) -> tuple[str, str]:
    settings.ROW_RENDERING = "python"
    python = str(render())
    settings.ROW_RENDERING = "jinja2"
    jinja2 = str(render())
    return python, jinja2


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_jinja2_timeline_is_the_python_timeline_byte_for_byte(agent, agent_client, settings, language):
    """Public and internal notes, a call, status changes, attachments (public and internal, with
    names that need escaping), an external actor: the Jinja2 template's items are the Python
    renderer's, byte for byte, on the ticket page and from timeline_context (with the
    attachments read by the page, or by the timeline itself), in both languages."""
    from django.utils import translation

    from aftersales.tickets.selectors import ticket_all_attachments
    from aftersales.tickets.view_helpers import timeline_context

    ticket = make_ticket(actor=agent)
    public = ticket_add_note(ticket=ticket, actor=agent, body=f"对客户说：{TRICKY}\n第二行", public=True)
    ticket_add_note(ticket=ticket, actor=agent, body=f"内部：{TRICKY}", public=False)
    ticket_add_note(ticket=ticket, actor=agent, body='it\'s a "call" & more', kind=EventKind.CALL)
    for name, visible in (("a&b<1>'x'\"y\".png", True), ("内部<照片>.png", False)):
        ticket_add_attachment(ticket=ticket, actor=agent, fileobj=io.BytesIO(png_bytes()), filename=name, public=visible)
    ticket_transition(ticket=ticket, to_status=TicketStatus.CANCELLED, actor=agent, reason=f"撤回 {TRICKY}")  # archived: last
    TicketEvent.objects.filter(pk=public.pk).update(actor=None, actor_label=f"<b>外部</b> {TRICKY}")
    TicketEvent.objects.create(
        ticket=ticket, kind=EventKind.STATUS_CHANGED, body="", data={"from": "<odd'>", "to": 'x"y'}, created_at=public.created_at
    )
    agent_client.cookies.load({"django_language": language})
    python, jinja2 = _in_both_renderings(settings, lambda: agent_client.get(detail_url(ticket)).context["timeline_items"])
    assert python.count('data-test-id="timeline-event"') == TicketEvent.objects.filter(ticket=ticket).count()
    assert python.count('class="event-attachment"') == 2 and 'class="event-status"' in python
    assert "is-public" in python and "is-internal" in python
    assert "&quot;" in python and "&#x27;" in python and "&lt;b&gt;" in python and "&amp;" in python
    assert jinja2 == python
    with translation.override(language):
        for attachments in (None, ticket_all_attachments(ticket=ticket)):
            python, jinja2 = _in_both_renderings(
                settings,
                lambda attachments=attachments: timeline_context(ticket, agent, attachments=attachments)["timeline_items"],
            )
            assert python.count('class="event-attachment"') == 2
            assert jinja2 == python


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_jinja2_timeline_matches_for_values_no_page_shows_easily(db, settings, language):
    """Kinds and labels outside the choices, status changes with odd labels, an attachment event
    with a body (not shown), several attachments on one event, and the empty timeline."""
    import datetime as dt

    from django.utils import translation

    from aftersales.tickets.models import Attachment
    from aftersales.tickets.view_helpers import TimelineEntry, render_timeline_items

    at = dt.datetime(2026, 12, 31, 17, 45, 30, 123456, tzinfo=dt.UTC)  # the next day in Asia/Shanghai

    def entry(kind, *, body="", public=False, change=None, attachments=(), label="", actor="") -> TimelineEntry:
        event = TicketEvent(pk=len(kind) + 1, kind=kind, body=body, public=public, created_at=at)
        return TimelineEntry(
            event=event,
            status_change=change,
            kind_label=label or TRICKY,
            actor=actor or TRICKY,
            attachments=[Attachment(pk=pk, original_name=name) for pk, name in attachments],
        )

    entries = [
        entry(EventKind.NOTE, body=TRICKY, public=True, label="备注"),
        entry("odd<'kind\">", body="\n  spaced  \n", change=("<from'>", 'to"&')),
        entry(EventKind.ATTACHMENT, body="not shown", attachments=[(1, TRICKY), (2345678, "b.pdf")], public=True),
        entry(EventKind.STATUS_CHANGED, change=("新", "已取消")),
    ]
    with translation.override(language):
        python, jinja2 = _in_both_renderings(settings, lambda: render_timeline_items(entries))
        empty = _in_both_renderings(settings, lambda: render_timeline_items([]))
    assert python.count("</li>\n") == len(entries) and "not shown" not in python
    assert "&#x27;" in python and "&quot;" in python
    assert jinja2 == python
    assert empty[0] == empty[1] and empty[0].startswith('<li class="empty">')
