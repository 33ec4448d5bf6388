"""The triage panel on the ticket page: lazy, polling until the result is there, Accept and Correct
in one click each, the duplicates with links; never for a customer or outside the scope."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import DataScope, Role
from aftersales.tickets.models import Ticket
from aftersales.triage.models import TriageFeedback
from aftersales.triage.services import triage_run
from tests.clients import client_for
from tests.factories import RegionFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def test_the_ticket_page_loads_the_panel_lazily(agent):
    ticket = make_ticket(actor=agent)
    html = client_for(agent).get(reverse("tickets:detail", args=[ticket.number])).content.decode()
    assert 'data-test-id="triage-panel-loading"' in html
    assert f'hx-get="{reverse("triage:panel", args=[ticket.number])}"' in html


def test_the_panel_polls_until_the_triage_is_there_then_stops(agent, engine):
    ticket = make_ticket(actor=agent, description="快递把洗衣机摔坏了")
    client = client_for(agent)
    url = reverse("triage:panel", args=[ticket.number])
    waiting = client.get(url, headers=HX).content.decode()
    assert 'hx-trigger="every 2s"' in waiting and 'data-test-id="triage-waiting"' in waiting
    triage_run(ticket_id=ticket.pk)
    done = client.get(url, headers=HX).content.decode()
    assert "every 2s" not in done
    assert done.count('data-test-id="triage-row"') == 4
    assert 'data-field="category" data-suggested="logistics"' in done
    assert "物流配送" in done and "80 %" in done  # the label in Chinese (the default) with the confidence
    assert 'data-test-id="triage-accept"' in done and 'data-test-id="triage-correct"' in done


def test_the_panel_stops_asking_after_the_poll_window(agent, engine, settings):
    """A page left open on a stopped worker does not poll forever: past TRIAGE_POLL_SECONDS the
    panel says to reload later and asks no more."""
    ticket = make_ticket(actor=agent, description="快递把洗衣机摔坏了")
    url = reverse("triage:panel", args=[ticket.number])
    settings.TRIAGE_POLL_SECONDS = 0
    late = client_for(agent).get(url, headers=HX).content.decode()
    assert "every 2s" not in late and 'data-test-id="triage-waiting"' in late
    assert "刷新" in late


def test_accept_in_one_click_applies_and_stores(agent, engine):
    ticket = make_ticket(actor=agent, description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    response = client_for(agent).post(
        reverse("triage:feedback", args=[ticket.number]), {"field": "category", "expected_version": ticket.version}
    )
    assert response.status_code == 302 and response["Location"].endswith("#triage-panel")
    assert Ticket.objects.get(pk=ticket.pk).category.code == "logistics"  # type: ignore[union-attr]
    assert TriageFeedback.objects.get(ticket=ticket).accepted


def test_correct_in_one_click_applies_the_choice(agent, engine):
    ticket = make_ticket(actor=agent, description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    client_for(agent).post(reverse("triage:feedback", args=[ticket.number]), {"field": "category", "value": "product_quality"})
    assert Ticket.objects.get(pk=ticket.pk).category.code == "product_quality"  # type: ignore[union-attr]
    row = TriageFeedback.objects.get(ticket=ticket)
    assert not row.accepted and row.chosen == "product_quality"
    panel = client_for(agent).get(reverse("triage:panel", args=[ticket.number]), headers=HX).content.decode()
    assert 'data-test-id="triage-feedback"' in panel


def test_a_stale_version_is_refused_with_a_message(agent, engine):
    ticket = make_ticket(actor=agent, description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    client = client_for(agent)
    client.post(
        reverse("triage:feedback", args=[ticket.number]), {"field": "category", "expected_version": ticket.version - 1 or 99}
    )
    assert Ticket.objects.get(pk=ticket.pk).category_id == ticket.category_id
    assert not TriageFeedback.objects.exists()


def test_the_duplicates_are_listed_with_links(agent, engine):
    first = make_ticket(actor=agent, description="热水器底部一直漏水，地板都泡了，请尽快派人上门维修。", phone="13912345678")
    second = make_ticket(actor=agent, description="热水器底部一直在漏水，地板被泡了，请尽快派师傅上门维修！", phone="13912345678")
    triage_run(ticket_id=second.pk)
    html = client_for(agent).get(reverse("triage:panel", args=[second.number]), headers=HX).content.decode()
    assert f'data-number="{first.number}"' in html
    assert f'href="{reverse("tickets:detail", args=[first.number])}"' in html
    assert "同一电话" in html or "same phone" in html


def test_a_customer_never_sees_the_triage(engine):
    ticket = make_ticket(description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    customer = UserFactory(role=Role.CUSTOMER)
    Ticket.objects.filter(pk=ticket.pk).update()  # the customer's own ticket
    from aftersales.customers.models import Customer

    Customer.objects.filter(pk=ticket.customer_id).update(user=customer)
    client = client_for(customer)
    assert client.get(reverse("triage:panel", args=[ticket.number])).status_code == 403
    assert client.post(reverse("triage:feedback", args=[ticket.number]), {"field": "category"}).status_code == 403
    assert not TriageFeedback.objects.exists()


def test_another_regions_agent_gets_404(engine):
    east, north = RegionFactory(code="east-t", name="华东"), RegionFactory(code="north-t", name="华北")
    ticket = make_ticket(description="快递把洗衣机摔坏了", region=east)
    Ticket.objects.filter(pk=ticket.pk).update(region=east)
    triage_run(ticket_id=ticket.pk)
    outsider = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=north)
    client = client_for(outsider)
    assert client.get(reverse("triage:panel", args=[ticket.number]), headers=HX).status_code == 404
    assert client.post(reverse("triage:feedback", args=[ticket.number]), {"field": "category"}).status_code == 404
    insider = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    assert client_for(insider).get(reverse("triage:panel", args=[ticket.number]), headers=HX).status_code == 200


def test_duplicates_outside_the_viewers_scope_are_not_shown(engine):
    east, north = RegionFactory(code="east-d", name="华东"), RegionFactory(code="north-d", name="华北")
    first = make_ticket(description="热水器底部一直漏水，地板都泡了，请尽快派人上门维修。", phone="13912345678")
    second = make_ticket(description="热水器底部一直在漏水，地板被泡了，请尽快派师傅上门维修！", phone="13912345678")
    Ticket.objects.filter(pk=first.pk).update(region=north)
    Ticket.objects.filter(pk=second.pk).update(region=east)
    triage_run(ticket_id=second.pk)
    viewer = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east)
    html = client_for(viewer).get(reverse("triage:panel", args=[second.number]), headers=HX).content.decode()
    assert first.number not in html


def test_the_panel_speaks_english_too(agent, engine):
    ticket = make_ticket(actor=agent, description="快递把洗衣机摔坏了")
    triage_run(ticket_id=ticket.pk)
    client = client_for(agent)
    client.cookies.load({"django_language": "en"})
    html = client.get(reverse("triage:panel", args=[ticket.number]), headers=HX).content.decode()
    assert "Logistics and delivery" in html and "Accept" in html


def test_the_engines_reasons_are_shown_in_the_readers_language(agent, monkeypatch):
    from aftersales.triage import services
    from aftersales.triage.engine import Guess, Suggestion

    def suggest(text: str, **kwargs: object) -> Suggestion:
        return Suggestion(
            category=Guess("product_quality", 0.8),
            request_type=Guess("repair", 0.7),
            urgency=Guess("urgent", 0.95),
            safety=Guess("1", 0.95),
            reasons=("safety:冒烟、起火", "category:坏了"),
            model_version="test-2",
        )

    monkeypatch.setattr(services.engine, "suggest", suggest)
    ticket = make_ticket(actor=agent, description="电水壶底座冒烟，差点起火")
    triage_run(ticket_id=ticket.pk)
    html = client_for(agent).get(reverse("triage:panel", args=[ticket.number]), headers=HX).content.decode()
    reasons = html.split('data-test-id="triage-reasons">', 1)[1].split("</p>", 1)[0]
    assert "安全关键词：冒烟、起火" in reasons and "分类：坏了" in reasons and "safety:" not in reasons


def test_an_old_ticket_without_triage_does_not_poll(agent, engine):
    import datetime as dt

    from aftersales.core import clock

    ticket = make_ticket(actor=agent)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=clock.now() - dt.timedelta(days=3))
    html = client_for(agent).get(reverse("triage:panel", args=[ticket.number]), headers=HX).content.decode()
    assert "every 2s" not in html and 'data-test-id="triage-none"' in html
