"""Recording a ticket's remedy: the proposal and the choice kept together, a deviation only with
a reason, audited and on the timeline; the ticket page's panel and the plan form show the
proposal; who may choose."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.core.i18n import rendered
from aftersales.remedies.choices import Remedy, RuleCode
from aftersales.remedies.models import RemedyDecision
from aftersales.remedies.services import remedy_decide
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.process import ticket_cancel
from tests.factories import RegionFactory, UserFactory
from tests.remedies.helpers import agent, repaired, ticket_on, unit_sold
from tests.tickets.process_helpers import analysed

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return clock.local_today()


@pytest.fixture
def fresh():  # type: ignore[no-untyped-def]
    """A ticket registered today on a unit sold 5 days ago: return, exchange or repair."""
    handler = agent()
    return ticket_on(unit_sold(today() - dt.timedelta(days=5)), today(), actor=handler), handler


def test_choice_within_the_proposal_is_recorded_with_it(fresh) -> None:  # type: ignore[no-untyped-def]
    ticket, handler = fresh
    decision = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.EXCHANGE)
    assert decision.rule == RuleCode.RETURN_PERIOD
    assert decision.proposed == ["return", "exchange", "repair_free"]
    assert decision.follows_proposal is True
    assert decision.version == 1
    with translation.override("zh-hans"):
        assert any(rendered(r).startswith("售出第 5 天") for r in decision.proposal["reasons"])
    audit = AuditEvent.objects.get(action="remedies.decided", object_id=str(decision.pk))
    assert audit.changes["chosen"] == [None, "exchange"]
    event = TicketEvent.objects.filter(ticket=ticket, data__action="remedy_decided").get()
    with translation.override("en"):
        assert rendered(event.data["text"]) == "Remedy chosen: Exchange (rule: Performance fault within the return period)."
    with translation.override("zh-hans"):
        assert rendered(event.data["text"]) == "已选定处理方式：换货（规则：退货期内的性能故障）。"


def test_a_deviation_needs_a_reason_and_is_audited(fresh) -> None:  # type: ignore[no-untyped-def]
    ticket, handler = fresh
    with pytest.raises(ValidationFailed) as refused:
        remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.REPAIR_PAID, reason="  ")
    assert "reason" in refused.value.errors
    assert not RemedyDecision.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="remedies.").exists()
    decision = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.REPAIR_PAID, reason="客户坚持自费快修")
    assert decision.follows_proposal is False
    assert decision.reason == "客户坚持自费快修"
    assert decision.rule == RuleCode.RETURN_PERIOD  # the proposal is kept beside the choice
    assert AuditEvent.objects.filter(action="remedies.overridden", object_id=str(decision.pk)).exists()


def test_choosing_again_keeps_the_history_and_checks_the_version(fresh) -> None:  # type: ignore[no-untyped-def]
    ticket, handler = fresh
    first = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.EXCHANGE)
    second = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, expected_version=first.version)
    assert second.pk == first.pk and second.version == 2 and second.chosen == Remedy.RETURN
    with pytest.raises(Conflict):
        remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.REPAIR_FREE, expected_version=1)
    assert RemedyDecision.objects.get().chosen == Remedy.RETURN
    assert AuditEvent.objects.filter(action="remedies.decided").count() == 2


def test_refund_after_repeated_repairs_less_depreciation() -> None:
    handler = agent()
    unit = unit_sold(today() - dt.timedelta(days=100))
    for back in (80, 60):
        repaired(ticket_on(unit, today() - dt.timedelta(days=back)), on=today() - dt.timedelta(days=back - 1))
    ticket = ticket_on(unit, today(), actor=handler)
    decision = remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.REFUND_DEPRECIATED, price_paid="3000")
    assert decision.rule == RuleCode.REPEATED_REPAIRS and decision.follows_proposal
    # 3000 × 0.1 % × 100 days = 300
    assert decision.depreciation == Decimal("300.00")
    assert decision.refund_amount == Decimal("2700.00")


def test_bad_input_names_the_field(fresh) -> None:  # type: ignore[no-untyped-def]
    ticket, handler = fresh
    with pytest.raises(ValidationFailed) as refused:
        remedy_decide(ticket=ticket, actor=handler, remedy="refund_everything")
    assert "remedy" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        remedy_decide(ticket=ticket, actor=handler, remedy=Remedy.RETURN, price_paid="-1")
    assert "price_paid" in refused.value.errors
    assert not RemedyDecision.objects.exists()


def test_who_may_choose(fresh) -> None:  # type: ignore[no-untyped-def]
    ticket, handler = fresh
    technician = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL)
    with pytest.raises(PermissionDenied):
        remedy_decide(ticket=ticket, actor=technician, remedy=Remedy.EXCHANGE)
    south = RegionFactory(code="south")
    other_region = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=south)
    with pytest.raises(PermissionDenied):
        remedy_decide(ticket=ticket, actor=other_region, remedy=Remedy.EXCHANGE)
    ticket_cancel(ticket=ticket, actor=handler, reason="客户撤回")
    with pytest.raises(DomainError) as refused:
        remedy_decide(ticket=Ticket.objects.get(pk=ticket.pk), actor=handler, remedy=Remedy.EXCHANGE)
    assert refused.value.code == "ticket_final"
    assert not RemedyDecision.objects.exists()


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_ticket_page_panel_and_htmx_choice(fresh) -> None:  # type: ignore[no-untyped-def]
    ticket, handler = fresh
    client = _client(handler)
    page = client.get(reverse("tickets:detail", args=[ticket.number]), headers={"Accept-Language": "zh-hans"}).content.decode()
    panel_url = reverse("remedies:ticket_panel", args=[ticket.number])
    assert 'data-test-id="remedies-panel-loading"' in page and f'hx-get="{panel_url}"' in page
    assert "售出第 5 天" not in page  # loaded after the page: the ticket page runs no query for it
    html = client.get(panel_url, headers={"Accept-Language": "zh-hans", "HX-Request": "true"}).content.decode()
    assert 'data-test-id="remedies-panel"' in html and "<html" not in html
    assert "售出第 5 天（7 日内）出现性能故障：可选择退货、换货或修理。" in html
    url = reverse("remedies:decide", args=[ticket.number])
    refused = client.post(url, {"remedy": "repair_paid", "reason": ""}, headers={"HX-Request": "true"})
    assert refused.status_code == 200
    assert 'data-test-id="error-reason"' in refused.content.decode()
    assert not RemedyDecision.objects.exists()
    done = client.post(url, {"remedy": "exchange", "reason": ""}, headers={"HX-Request": "true"})
    assert done.status_code == 200
    body = done.content.decode()
    assert 'data-test-id="remedy-saved"' in body and 'data-chosen="exchange"' in body
    assert RemedyDecision.objects.get().chosen == Remedy.EXCHANGE
    stale = client.post(url, {"remedy": "return", "version": "7"}, headers={"HX-Request": "true"})
    assert 'data-test-id="remedy-errors"' in stale.content.decode()
    assert RemedyDecision.objects.get().chosen == Remedy.EXCHANGE
    plain = client.post(url, {"remedy": "return", "version": "1"})
    assert plain.status_code == 302
    assert RemedyDecision.objects.get().chosen == Remedy.RETURN


def test_customer_and_technician_cannot_post(fresh) -> None:  # type: ignore[no-untyped-def]
    ticket, _handler = fresh
    technician = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.ALL)
    response = _client(technician).post(
        reverse("remedies:decide", args=[ticket.number]), {"remedy": "exchange"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    assert not RemedyDecision.objects.exists()


def test_plan_form_shows_the_proposal() -> None:
    handler = agent()
    ticket = ticket_on(unit_sold(today() - dt.timedelta(days=10)), today(), actor=handler)
    analysed(ticket, handler)
    html = _client(handler).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    plan = html[html.index('data-test-id="plan-measures"') :]
    assert 'data-test-id="plan-remedy-proposal"' in plan
    assert 'data-rule="exchange_period"' in plan
    assert "售出第 10 天（15 日内）出现性能故障：可选择换货或修理。" in plan


def test_demo_policies_and_decisions() -> None:
    import io

    from aftersales.demo.remedies import load_remedies_demo
    from aftersales.remedies.models import ComponentPeriod, RemedyPolicy

    UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL)
    handler = agent()
    for back, registered in ((3, 2), (10, 1), (40, 0)):  # registered one day after the other
        ticket_on(unit_sold(today() - dt.timedelta(days=back)), today() - dt.timedelta(days=registered), actor=handler)
    out = io.StringIO()
    load_remedies_demo(out)
    policy = RemedyPolicy.objects.get(category__code="air-conditioner")  # the factories' category
    assert ComponentPeriod.objects.get(policy=policy).component == "压缩机"
    decisions = list(RemedyDecision.objects.order_by("ticket__created_at"))
    assert len(decisions) == 3
    assert decisions[-1].follows_proposal is False and decisions[-1].reason  # the goodwill exchange
    assert all(d.follows_proposal for d in decisions[:-1])
    load_remedies_demo(out)
    assert RemedyDecision.objects.count() == 3


def test_admin_edits_the_policies() -> None:
    from django.core.exceptions import ValidationError

    from aftersales.remedies.models import RemedyPolicy

    admin = UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, is_staff=True, is_superuser=True)
    client = _client(admin)
    default = RemedyPolicy.objects.get(category__isnull=True)
    assert client.get(reverse("admin:remedies_remedypolicy_changelist")).status_code == 200
    page = client.get(reverse("admin:remedies_remedypolicy_change", args=[default.pk]))
    assert page.status_code == 200
    assert "daily_depreciation_percent" in page.content.decode()
    assert client.get(reverse("admin:remedies_remedydecision_changelist")).status_code == 200
    with pytest.raises(ValidationError) as refused:
        RemedyPolicy(category=None).full_clean()
    assert "category" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        RemedyPolicy(category=None, return_days=10, exchange_days=8).full_clean()
    assert "exchange_days" in refused.value.message_dict
