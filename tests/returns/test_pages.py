"""The pages: the ticket's returns panel and authorisation, the RMA's page with its step forms
(htmx and plain posts), the warehouse keeper's list, refusals shown on the form, who may open
what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.accounts.models import Role
from aftersales.returns.models import ReturnAuthorization, RmaStatus
from aftersales.tickets.models import MeasureKind
from tests.clients import client_for
from tests.factories import UserFactory

from .helpers import fresh, photo, walk_to, world

pytestmark = pytest.mark.django_db


def test_agent_authorises_from_the_ticket_page() -> None:
    w = world()
    ticket, measure = w.ticket(MeasureKind.EXCHANGE)
    agent = client_for(w.agent)
    page = agent.get(reverse("tickets:detail", args=[ticket.number]))
    assert page.status_code == 200
    panel_url = reverse("returns:ticket_panel", args=[ticket.number])
    assert f'hx-get="{panel_url}"' in page.content.decode()  # the panel loads after the page
    assert 'data-test-id="authorise-rma"' not in page.content.decode()
    html = agent.get(panel_url, headers={"HX-Request": "true"}).content.decode()
    assert 'data-test-id="ticket-returns"' in html and 'data-test-id="authorise-rma"' in html
    url = reverse("returns:authorise", args=[ticket.number]) + f"?measure={measure.pk}"
    form = agent.get(url)
    assert form.status_code == 200 and w.warehouse.name in form.content.decode()
    missing = agent.post(url, {"measure": measure.pk, "warehouse": ""})
    assert missing.status_code == 200 and 'data-test-id="error-warehouse"' in missing.content.decode()
    done = agent.post(url, {"measure": measure.pk, "warehouse": w.warehouse.pk, "reason": "换货"})
    rma = ReturnAuthorization.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("returns:detail", args=[rma.number])
    panel = agent.get(panel_url, headers={"HX-Request": "true"}).content.decode()
    assert rma.number in panel and 'data-test-id="authorise-rma"' not in panel


def test_no_stock_is_shown_on_the_authorisation_form() -> None:
    w = world(stock=0)
    ticket, measure = w.ticket(MeasureKind.EXCHANGE)
    url = reverse("returns:authorise", args=[ticket.number]) + f"?measure={measure.pk}"
    answer = client_for(w.agent).post(url, {"measure": measure.pk, "warehouse": w.warehouse.pk})
    assert answer.status_code == 200
    assert 'data-test-id="error-warehouse"' in answer.content.decode()
    assert not ReturnAuthorization.objects.exists()


def test_keeper_walks_the_steps_on_the_rma_page() -> None:
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    keeper = client_for(w.keeper)
    listed = keeper.get(reverse("returns:worklist")).content.decode()
    assert rma.number in listed
    page = keeper.get(reverse("returns:detail", args=[rma.number])).content.decode()
    assert 'data-test-id="step-receive"' in page and 'data-test-id="step-cancel"' not in page
    step = reverse("returns:step", args=[rma.number, "receive"])
    answer = keeper.post(step, {"version": rma.version, "note": "外箱完好"}, headers={"HX-Request": "true"})
    assert answer.status_code == 200 and 'data-test-id="flash"' in answer.content.decode()
    assert fresh(rma).status == RmaStatus.RECEIVED
    stale = keeper.post(reverse("returns:step", args=[rma.number, "inspect"]), {"version": 1, "serial": "x"})
    assert stale.status_code == 200 and fresh(rma).status == RmaStatus.RECEIVED
    inspect = keeper.post(
        reverse("returns:step", args=[rma.number, "inspect"]),
        {
            "version": fresh(rma).version,
            "serial": w.unit.serial_number,
            "accessories_complete": "on",
            "condition": "used",
            "disposition": "refurbished",
            "passed": "1",
            "photos": [photo()],
        },
    )
    assert inspect.status_code == 302, inspect.content.decode()[:2000]
    assert fresh(rma).status == RmaStatus.INSPECTED
    ship = keeper.post(
        reverse("returns:step", args=[rma.number, "ship"]),
        {"version": fresh(rma).version, "serial": "NEW-9", "carrier": "顺丰", "tracking_number": "SF9"},
        headers={"HX-Request": "true"},
    )
    assert ship.status_code == 200 and 'data-test-id="rma-replacement"' in ship.content.decode()
    received = keeper.get(reverse("returns:worklist") + "?view=received").content.decode()
    assert received.count(f'data-number="{rma.number}"') == 1


def test_a_step_refusal_is_shown_and_nothing_changes() -> None:
    w = world(stock=0)
    rma = walk_to(w.authorise(MeasureKind.RETURN), "received", w)
    answer = client_for(w.keeper).post(
        reverse("returns:step", args=[rma.number, "inspect"]),
        {"version": rma.version, "serial": "OTHER", "condition": "used", "disposition": "returned", "passed": "1"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert 'data-test-id="error-serial"' in answer.content.decode()
    assert fresh(rma).status == RmaStatus.RECEIVED


def test_who_may_open_what() -> None:
    w = world()
    rma = w.authorise(MeasureKind.EXCHANGE)
    other = world(stock=0, code="south")
    for user in (other.keeper, other.agent):
        assert client_for(user).get(reverse("returns:detail", args=[rma.number])).status_code == 404
        assert rma.number not in client_for(user).get(reverse("returns:worklist")).content.decode()
    customer = UserFactory(role=Role.CUSTOMER)
    assert client_for(customer).get(reverse("returns:worklist")).status_code == 403
    # The agent sees the page but not the keeper's steps; posting one is refused (403).
    agent = client_for(w.agent)
    assert 'data-test-id="step-receive"' not in agent.get(reverse("returns:detail", args=[rma.number])).content.decode()
    refused = agent.post(reverse("returns:step", args=[rma.number, "receive"]), {"version": rma.version})
    assert refused.status_code == 403 and fresh(rma).status == RmaStatus.AUTHORISED
