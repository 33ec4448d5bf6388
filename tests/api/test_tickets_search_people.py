"""``GET /api/v1/tickets?q=`` searches as the agent's list does: a phone number, a customer's
name or a serial number finds that customer's or unit's tickets, within the key's scope."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_client
from tests.factories import ProductUnitFactory, make_ticket

pytestmark = pytest.mark.django_db


def numbers(client, q: str) -> tuple[list[str], int]:
    response = client.get("/api/v1/tickets", {"q": q})
    assert response.status_code == 200, response.content
    body = response.json()
    return [item["number"] for item in body["items"]], body["total"]


@pytest.mark.parametrize("q", ["13800000001", "138 0000 0001", "+86 138-0000-0001", "张伟"])
def test_a_phone_or_a_name_finds_the_customers_tickets(world, q):
    assert numbers(api_client(world["agent"]), q) == ([world["east_ticket"].number], 1)


def test_a_serial_number_finds_the_units_tickets(world):
    ProductUnitFactory(serial_number="RZ2408NB000001")
    ticket = make_ticket(region=world["south"], phone="13800000002", customer_name="李娜", serial_number="RZ2408NB000001")
    assert numbers(api_client(world["agent"]), "rz2408nb000001") == ([ticket.number], 1)


def test_the_words_are_still_searched(world):
    mention = make_ticket(region=world["south"], phone="13800000002", customer_name="李娜", description="张伟的邻居来电报修。")
    found, total = numbers(api_client(world["agent"]), "张伟")
    assert sorted(found) == sorted([world["east_ticket"].number, mention.number])
    assert total == 2


def test_a_key_of_another_region_or_customer_does_not_find_them(world):
    assert numbers(api_client(world["east_agent"]), "李娜") == ([], 0)
    assert numbers(api_client(world["east_agent"]), "138 0000 0002") == ([], 0)
    assert numbers(api_client(world["east_customer"]), "13800000002") == ([], 0)
    assert numbers(api_client(world["east_customer"]), "13800000001") == ([world["east_ticket"].number], 1)


def test_the_last_four_digits_alone_find_nobody(world):
    assert numbers(api_client(world["agent"]), "0001") == ([], 0)
