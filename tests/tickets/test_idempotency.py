"""Nothing submitted is lost or stored twice: retries with the same idempotency key (SPEC §4)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.models import IdempotencyRecord
from aftersales.customers.models import Customer
from aftersales.notifications.models import Notification
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.services import ticket_intake
from tests.factories import intake_input


def _counts() -> tuple[int, int, int, int, int]:
    return (
        Ticket.objects.count(),
        Customer.objects.count(),
        TicketEvent.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.django_db
def test_same_idempotency_key_returns_the_original_ticket():
    first = ticket_intake(data=intake_input(), idempotency_key="app-7f3c")
    before = _counts()

    again = ticket_intake(data=intake_input(), idempotency_key="  app-7f3c  ")

    assert first.created and not again.created
    assert again.ticket.pk == first.ticket.pk
    assert again.ticket.number == first.ticket.number
    assert _counts() == before


@pytest.mark.django_db
def test_same_idempotency_key_with_different_input_is_a_conflict():
    ticket_intake(data=intake_input(description="空调漏水"), idempotency_key="app-1")
    before = _counts()
    with pytest.raises(Conflict) as raised:
        ticket_intake(data=intake_input(description="空调不制冷"), idempotency_key="app-1")
    assert raised.value.code == "idempotency_key_reused"
    assert raised.value.field == "idempotency_key"
    assert _counts() == before


@pytest.mark.django_db
def test_without_a_key_each_submission_is_a_new_ticket():
    a = ticket_intake(data=intake_input()).ticket
    b = ticket_intake(data=intake_input(), idempotency_key="   ").ticket
    assert a.pk != b.pk
    assert Ticket.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


@pytest.mark.django_db
def test_different_keys_make_different_tickets():
    a = ticket_intake(data=intake_input(), idempotency_key="k-1").ticket
    b = ticket_intake(data=intake_input(), idempotency_key="k-2").ticket
    assert a.pk != b.pk


@pytest.mark.django_db
def test_an_idempotency_key_longer_than_128_characters_is_refused():
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=intake_input(), idempotency_key="k" * 129)
    assert raised.value.field == "idempotency_key"
    assert not Ticket.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_retries_with_the_same_key_create_exactly_one_ticket():
    """Eight requests with one key arrive together (a client retrying on a timeout)."""
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    ticket_ids: list[int] = []
    created: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def submit() -> None:
        try:
            barrier.wait(timeout=30)
            result = ticket_intake(data=intake_input(phone="13955556666"), idempotency_key="wechat-retry-1")
            with lock:
                ticket_ids.append(result.ticket.pk)
                created.append(result.created)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert len(ticket_ids) == threads_count
    assert len(set(ticket_ids)) == 1
    assert created.count(True) == 1
    assert Ticket.objects.count() == 1
    # The losers' customer rows were rolled back with their tickets.
    assert Customer.objects.count() == 1
    assert TicketEvent.objects.count() == 1
    ticket = Ticket.objects.get()
    assert ticket.number.endswith("-000001")


@pytest.mark.django_db
def test_intake_keys_live_in_the_one_idempotency_store_and_outlive_the_api_purge():
    """Issue 13: one store. The intake's key is a core record naming its ticket; the API's purge
    of old responses leaves intake keys alone (an e-mail fetched again later still finds its ticket)."""
    from aftersales.api.services import idempotency_records_purge
    from aftersales.core import clock
    from aftersales.tickets.selectors import tickets_with_intake_key_prefix

    ticket = ticket_intake(data=intake_input(), idempotency_key="form-1").ticket
    record = IdempotencyRecord.objects.get()
    assert (record.owner, record.key, record.object_id) == ("intake", "form-1", ticket.pk)
    IdempotencyRecord.objects.update(created_at=clock.now() - dt.timedelta(days=400))
    assert idempotency_records_purge(keep_days=7) == 0
    assert ticket_intake(data=intake_input(), idempotency_key="form-1").ticket == ticket
    assert list(tickets_with_intake_key_prefix("form-")) == [ticket]


@pytest.mark.django_db
def test_an_api_key_and_an_intake_key_of_the_same_text_do_not_collide():
    IdempotencyRecord.objects.create(
        owner="key:1",
        key="same",
        method="POST",
        path="/api/v1/tickets",
        request_hash="x",
        response_status=201,
        created_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )
    result = ticket_intake(data=intake_input(), idempotency_key="same")
    assert result.created
    assert IdempotencyRecord.objects.filter(key="same").count() == 2


@pytest.mark.django_db
def test_a_non_ascii_intake_key_is_refused_naming_the_field():
    with pytest.raises(ValidationFailed) as raised:
        ticket_intake(data=intake_input(), idempotency_key="键-1")
    assert raised.value.field == "idempotency_key"
    assert not Ticket.objects.exists()
