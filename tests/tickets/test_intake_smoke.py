import pytest

from aftersales.tickets.choices import EventKind
from tests.factories import UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def test_hotline_intake_numbers_the_ticket_and_writes_the_first_event():
    agent = UserFactory()
    ticket = make_ticket(actor=agent)
    assert ticket.number.startswith("SH")
    assert ticket.customer.phone == "+8613812345678"
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED]
