"""The quality acceptance's panel on the staff ticket page: the placeholder (no query on the
page), the checklist and the decision forms while the ticket waits — for those who may decide —
and the history afterwards (who, when, the checklist as it stood, the comment), both languages,
the data scope and a customer kept out."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from aftersales.accounts.models import DataScope, Region, Role
from aftersales.core import clock
from aftersales.fieldservice.models import WorkOrder, WorkOrderKind, WorkOrderStatus
from aftersales.quality.acceptance_models import AcceptanceDecision, ResultAcceptance
from aftersales.quality.acceptance_panel import acceptance_panel_context, ticket_acceptances
from aftersales.tickets.choices import Severity
from aftersales.tickets.models import Ticket
from aftersales.tickets.process import ticket_close
from aftersales.tickets.process.acceptance import ticket_accept_result, ticket_return_for_rework
from aftersales.tickets.states import TicketStatus
from tests.api.conftest import customer_user
from tests.clients import client_for_language
from tests.factories import UserFactory, make_ticket
from tests.feedback.helpers import resolved
from tests.tickets.process_helpers import agent, refreshed

pytestmark = pytest.mark.django_db
S = TicketStatus
HX = {"HX-Request": "true"}


def quality_manager(**kwargs):  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.QUALITY_MANAGER, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def waiting(handler, **fields) -> Ticket:  # type: ignore[no-untyped-def]
    """A resolved ticket made serious (the default rule names it), closed by the agent: it waits."""
    ticket = resolved(handler)
    Ticket.objects.filter(pk=ticket.pk).update(severity=Severity.SERIOUS, **fields)
    return ticket_close(ticket=refreshed(ticket), actor=handler)


def panel_url(ticket: Ticket) -> str:
    return reverse("quality:acceptance_panel", args=[ticket.number])


def render_tag(ticket: Ticket, user) -> str:  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% include 'quality/_acceptance_ticket_panel.html' %}").render(
        Context({"ticket": ticket, "request": request})
    )


# --- The placeholder ---------------------------------------------------------------------------


def test_the_tag_costs_no_query_and_shows_only_where_there_may_be_something(django_assert_num_queries):
    handler = agent()
    fresh = make_ticket()
    ticket = waiting(handler)
    fresh, ticket = refreshed(fresh), refreshed(ticket)
    with django_assert_num_queries(0):
        assert render_tag(fresh, handler).strip() == ""  # never resolved: nothing to show
        html = render_tag(ticket, handler)
        assert render_tag(ticket, AnonymousUser()).strip() == ""
    assert panel_url(ticket) in html and 'hx-trigger="load"' in html
    assert render_tag(ticket, customer_user(ticket)).strip() == ""


def test_the_ticket_page_includes_the_placeholder():
    handler = agent()
    ticket = waiting(handler)
    html = client_for_language(quality_manager(), "en").get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-test-id="acceptance-panel-loading"' in html and panel_url(ticket) in html


# --- While the ticket waits --------------------------------------------------------------------


def test_the_quality_manager_sees_the_checklist_and_both_decisions_in_both_languages():
    handler = agent()
    ticket = waiting(handler)
    now = clock.now()
    WorkOrder.objects.create(
        number="WO-P1",
        ticket=ticket,
        kind=WorkOrderKind.ONSITE_REPAIR,
        status=WorkOrderStatus.DONE,
        technician=UserFactory(role=Role.TECHNICIAN),
        costed_at=now,
        cost_total=Decimal("80"),
        created_at=now,
        updated_at=now,
    )
    manager = quality_manager()
    en = client_for_language(manager, "en").get(panel_url(ticket), headers=HX)
    html = en.content.decode()
    assert en.status_code == 200 and "no-store" in en["Cache-Control"]
    assert "<html" not in html  # the fragment alone
    assert 'data-test-id="acceptance-panel" data-waiting="1"' in html
    assert "serious severity" in html and "Closed by an agent" in html
    assert 'data-test-id="acceptance-check-costs" data-met="yes"' in html
    assert 'data-test-id="acceptance-check-acceptance_form" data-met="no"' in html
    assert 'data-test-id="acceptance-check-photos" data-met="no"' in html
    assert 'data-test-id="acceptance-check-customer_confirmed" data-met="no"' in html
    accept = reverse("tickets:action", args=[ticket.number, "accept_result"])
    back = reverse("tickets:action", args=[ticket.number, "return_for_rework"])
    assert f'action="{accept}"' in html and f'action="{back}"' in html
    assert f'name="expected_version" value="{refreshed(ticket).version}"' in html
    assert 'id="id_panel_accept_result_comment"' in html  # its own ids beside the actions panel's
    assert "Accept the result and archive" in html and "Send back for rework" in html

    zh = client_for_language(manager, "zh-hans").get(panel_url(ticket), headers=HX).content.decode()
    assert "质量验收" in zh and "严重程度为严重" in zh and "退回重新处理" in zh
    assert "Accept the result" not in zh and "Checklist" not in zh and "Closed by an agent" not in zh


def test_an_agent_reads_the_panel_without_the_decisions():
    handler = agent()
    ticket = waiting(handler)
    html = client_for_language(handler, "en").get(panel_url(ticket), headers=HX).content.decode()
    assert 'data-test-id="acceptance-current"' in html and "acceptance-check-photos" in html
    assert "acceptance-form-" not in html and 'data-test-id="acceptance-not-yours"' in html


def test_the_panels_forms_decide_through_the_ticket_action():
    handler = agent()
    ticket = waiting(handler)
    manager = quality_manager(display_name="质检王")
    client = client_for_language(manager, "en")
    version = refreshed(ticket).version
    refused = client.post(
        reverse("tickets:action", args=[ticket.number, "return_for_rework"]), {"expected_version": version, "reason": ""}
    )
    assert refused.status_code == 200 and "Say what must be done again." in refused.content.decode()
    done = client.post(
        reverse("tickets:action", args=[ticket.number, "accept_result"]), {"expected_version": version, "comment": "资料齐全"}
    )
    assert done.status_code == 302
    assert refreshed(ticket).status == S.CLOSED
    html = client.get(panel_url(ticket), headers=HX).content.decode()
    assert "data-waiting" not in html and "acceptance-form-" not in html
    assert 'data-test-id="acceptance-entry" data-decision="accepted"' in html
    assert "质检王" in html and "资料齐全" in html
    # The checklist as it stood at the decision (no work order: the forms and photos do not apply).
    assert 'data-test-id="acceptance-check-photos" data-met="na"' in html


# --- Afterwards --------------------------------------------------------------------------------


def test_the_history_keeps_every_wait_newest_first_with_its_checklist():
    handler = agent()
    manager = quality_manager(display_name="质检王")
    ticket = waiting(handler)
    ticket_return_for_rework(ticket=refreshed(ticket), actor=manager, reason="缺少维修后照片。")
    record = ResultAcceptance.objects.get(ticket=ticket)
    ResultAcceptance.objects.filter(pk=record.pk).update(checklist={**record.checklist, "photos": False})
    entries = ticket_acceptances(ticket=ticket)
    assert [e.decision for e in entries] == [AcceptanceDecision.RETURNED]
    assert entries[0].decided_by == "质检王" and entries[0].comment == "缺少维修后照片。"
    assert [(c.key, c.met) for c in entries[0].checks][1] == ("photos", False)

    html = client_for_language(handler, "zh-hans").get(panel_url(ticket), headers=HX).content.decode()
    assert "已退回重新处理" in html and "验收记录" in html
    assert "缺少维修后照片。" in html and "质检王" in html
    assert 'data-test-id="acceptance-check-photos" data-met="no"' in html
    assert "data-waiting" not in html  # reopened: no decision to take

    # Walked to the end again, it waits a second time: the new wait on top, the old one below.
    Ticket.objects.filter(pk=ticket.pk).update(status=S.RESOLVED)
    again = ticket_close(ticket=refreshed(ticket), actor=handler)
    assert again.status == S.AWAITING_ACCEPTANCE
    ticket_accept_result(ticket=refreshed(ticket), actor=manager)
    assert [e.decision for e in ticket_acceptances(ticket=ticket)] == [AcceptanceDecision.ACCEPTED, AcceptanceDecision.RETURNED]


def test_a_ticket_never_sent_for_acceptance_shows_nothing():
    handler = agent()
    closed = ticket_close(ticket=refreshed(resolved(handler)), actor=handler)
    assert closed.status == S.CLOSED
    client = client_for_language(handler, "en")
    fragment = client.get(panel_url(closed), headers=HX)
    assert fragment.status_code == 200 and fragment.content.decode().strip() == ""
    page = client.get(panel_url(closed)).content.decode()
    assert 'data-test-id="acceptance-none"' in page and "This ticket was not sent for quality acceptance." in page
    assert acceptance_panel_context(user=handler, ticket=make_ticket())["visible"] is False


def test_the_panel_keeps_to_the_readers_scope_and_out_of_customers_reach():
    handler = agent()
    east = Region.objects.create(code="east", name="华东")
    north = Region.objects.create(code="north", name="华北")
    ticket = waiting(handler, region=north)
    regional = quality_manager(data_scope=DataScope.REGION, region=east)
    assert client_for_language(regional, "en").get(panel_url(ticket), headers=HX).status_code == 404
    customer = client_for_language(customer_user(ticket), "en").get(panel_url(ticket), headers=HX)
    assert customer.status_code in (302, 403, 404)
    assert "acceptance-panel" not in customer.content.decode()


def test_the_panel_reads_in_a_few_queries(django_assert_max_num_queries):
    handler = agent()
    ticket = waiting(handler)
    client = client_for_language(quality_manager(), "en")
    client.get(panel_url(ticket), headers=HX)  # warm the session and the caches
    with django_assert_max_num_queries(22):
        assert client.get(panel_url(ticket), headers=HX).status_code == 200
