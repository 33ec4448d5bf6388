"""Ticket numbers: SH + the Shanghai day + a per-day sequence, handed out in the ticket's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from aftersales.core.errors import ValidationFailed
from aftersales.tickets.models import TicketNumberSequence
from aftersales.tickets.numbering import format_ticket_number, next_ticket_number, reserve_ticket_numbers
from aftersales.tickets.services import ticket_intake
from tests.clock import freeze_time
from tests.factories import intake_input, make_ticket

DAY = dt.date(2026, 11, 22)


def test_the_number_is_prefix_date_and_six_digit_sequence():
    assert format_ticket_number("SH", DAY, 123) == "SH20261122-000123"
    assert format_ticket_number("SH", DAY, 1234567) == "SH20261122-1234567"


@pytest.mark.django_db
@freeze_time("2026-11-22T16:30:00Z")
def test_the_day_in_the_number_is_the_shanghai_day_not_the_utc_day():
    ticket = make_ticket()
    assert ticket.number == "SH20261123-000001"


@pytest.mark.django_db
@freeze_time("2026-11-22T15:59:59Z")
def test_a_second_before_shanghai_midnight_is_still_the_same_day():
    assert make_ticket().number == "SH20261122-000001"


@pytest.mark.django_db
@freeze_time("2026-11-22T02:00:00Z")
def test_the_prefix_comes_from_settings(settings):
    settings.TICKET_NUMBER_PREFIX = "AS"
    assert make_ticket().number == "AS20261122-000001"
    settings.TICKET_NUMBER_PREFIX = "SH"
    # Each prefix counts on its own.
    assert make_ticket().number == "SH20261122-000001"


@pytest.mark.django_db
def test_the_sequence_counts_up_within_a_day_and_restarts_the_next():
    with freeze_time("2026-11-22T02:00:00Z"):
        numbers = [make_ticket().number for _ in range(3)]
    with freeze_time("2026-11-23T02:00:00Z"):
        next_day = make_ticket().number
    assert numbers == ["SH20261122-000001", "SH20261122-000002", "SH20261122-000003"]
    assert next_day == "SH20261123-000001"
    assert dict(TicketNumberSequence.objects.values_list("day", "last_value")) == {DAY: 3, dt.date(2026, 11, 23): 1}


@pytest.mark.django_db
def test_reserving_a_block_returns_its_first_value_and_the_next_number_follows_it():
    with transaction.atomic():
        assert reserve_ticket_numbers(count=1, day=DAY) == 1
        assert reserve_ticket_numbers(count=50, day=DAY) == 2
        assert reserve_ticket_numbers(count=1, day=DAY) == 52
        assert next_ticket_number(day=DAY) == "SH20261122-000053"
        assert next_ticket_number(day=DAY, prefix="BJ") == "BJ20261122-000001"


@pytest.mark.django_db
def test_a_block_must_hold_at_least_one_number():
    with transaction.atomic(), pytest.raises(ValueError, match="at least 1"):
        reserve_ticket_numbers(count=0, day=DAY)


@pytest.mark.django_db(transaction=True)
def test_numbers_are_refused_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the ticket's transaction"):
        reserve_ticket_numbers(day=DAY)
    with pytest.raises(RuntimeError):
        next_ticket_number(day=DAY)
    assert not TicketNumberSequence.objects.exists()


@pytest.mark.django_db
def test_a_rolled_back_intake_gives_its_number_to_the_next_ticket():
    with freeze_time("2026-11-22T02:00:00Z"):
        make_ticket()
        with pytest.raises(RuntimeError), transaction.atomic():
            lost = make_ticket()
            assert lost.number == "SH20261122-000002"
            raise RuntimeError("crash after the number was handed out")
        assert make_ticket().number == "SH20261122-000002"


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_rolls_back_the_counter_update_itself():
    with transaction.atomic():
        assert reserve_ticket_numbers(day=DAY) == 1

    with pytest.raises(RuntimeError), transaction.atomic():
        assert reserve_ticket_numbers(count=5, day=DAY) == 2
        assert TicketNumberSequence.objects.get(day=DAY).last_value == 6
        raise RuntimeError("rollback")

    assert TicketNumberSequence.objects.get(day=DAY).last_value == 1
    with transaction.atomic():
        assert reserve_ticket_numbers(day=DAY) == 2


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_first_ticket_of_the_day_leaves_no_counter_row():
    with pytest.raises(RuntimeError), transaction.atomic():
        reserve_ticket_numbers(day=DAY)
        raise RuntimeError("rollback")
    assert not TicketNumberSequence.objects.exists()


@pytest.mark.django_db
def test_the_failed_intake_of_invalid_input_consumes_no_number():
    with freeze_time("2026-11-22T02:00:00Z"):
        with pytest.raises(ValidationFailed):
            ticket_intake(data=intake_input(description=""))
        assert make_ticket().number == "SH20261122-000001"
