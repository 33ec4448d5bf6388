"""The warehouse keeper's desk counts the compensation gifts to ship and opens the compensation
page's list of them; the header links there too (the audit found gifts reachable only by typing
/compensation/)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from aftersales.compensation import services
from aftersales.tickets.models import MeasureKind
from tests.clients import client_for_language

from .helpers import agent, gift_stock, marketing, ticket_with, warehouse_keeper

pytestmark = pytest.mark.django_db


def test_the_keepers_desk_counts_the_gifts_to_ship_and_links_to_them() -> None:
    handler = agent()
    part, warehouse = gift_stock(quantity=5)
    _ticket, measure = ticket_with(actor=handler, kind=MeasureKind.COMPENSATION, amount="0")
    gift = services.compensation_request(
        measure=measure, actor=handler, kind="gift", gift_part=part, gift_quantity=1, warehouse=warehouse
    )
    services.compensation_request(measure=measure, actor=handler, kind="points", points=100)  # marketing's, not the keeper's
    client = client_for_language(warehouse_keeper(), "en")
    desk = client.get(reverse("desk:home")).content.decode()
    assert 'data-test-id="count-gifts" data-total="1"' in desk
    assert 'href="/compensation/#compensation-to-fulfil" data-test-id="tile-gifts"' in desk
    assert 'data-test-id="nav-compensation"' in desk and "Compensation gifts to ship" in desk
    listing = client.get("/compensation/").content.decode()
    section = listing[listing.index('data-test-id="queue-to-fulfil"') :]
    assert gift.number in section
    zh = client_for_language(warehouse_keeper(), "zh-hans").get(reverse("desk:home")).content.decode()
    assert "待发放的补偿礼品" in zh and "Compensation gifts to ship" not in zh


def test_a_marketing_user_has_no_warehouse_desk() -> None:
    response = client_for_language(marketing(), "en").get(reverse("desk:warehouse"))
    assert response.status_code == 403
