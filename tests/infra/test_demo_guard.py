"""``manage.py demo_data`` never loads its made-up data and published logins into a company's real
data by accident: it refuses a database holding tickets, customers or users it did not make
(exit status 1, what was found and what to do instead) and any database in production, unless
``--force``; an empty database loads and is marked a demo database, where loading goes on as
before.

(Here and not in tests/demo, whose package fixture loads the whole demo first.)"""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from aftersales.accounts.models import Role, User
from aftersales.customers.models import Customer
from aftersales.demo.guard import demo_refusal, foreign_data, is_demo_database
from aftersales.demo.models import DemoDataset
from aftersales.demo.stories import KEY_PREFIX
from aftersales.tickets.models import Ticket
from tests.factories import CustomerFactory, UserFactory, make_ticket

pytestmark = pytest.mark.django_db


def demo_data(*args: str) -> str:
    out = io.StringIO()
    call_command("demo_data", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _an_administrator() -> None:
    UserFactory(role=Role.ADMINISTRATOR, username="boss")


def _a_customer() -> None:
    CustomerFactory()


def _a_ticket() -> None:
    make_ticket()


@pytest.mark.parametrize("real_row", [_an_administrator, _a_customer, _a_ticket])
def test_a_database_with_real_rows_is_refused_and_left_as_it_was(real_row):
    real_row()
    before = (Ticket.objects.count(), Customer.objects.count(), User.objects.count())
    with pytest.raises(CommandError) as refused:
        demo_data("--no-logins")
    message = str(refused.value)
    assert refused.value.returncode == 1  # manage.py prints "CommandError: …" and exits with it
    assert "make start" in message and "--force" in message and "create_administrator" in message
    found = foreign_data()
    assert f"{found.tickets} tickets, {found.customers} customers, {found.users} user accounts" in message
    with pytest.raises(CommandError):
        demo_data("--tickets", "5")  # the bulk path adds the demo base too: refused the same
    assert (Ticket.objects.count(), Customer.objects.count(), User.objects.count()) == before
    assert not DemoDataset.objects.exists()
    assert demo_refusal(force=True) is None


def test_an_empty_database_loads_and_is_marked_then_loads_again_with_real_rows_added():
    assert demo_refusal() is None
    out = demo_data("--tickets", "3", "--no-logins")
    assert "rows/s" in out
    dataset = DemoDataset.objects.get()
    assert dataset.seed == 2026 and is_demo_database()
    assert Ticket.objects.count() == 3 and User.objects.filter(username="admin").exists()
    make_ticket(phone="13912345678")  # somebody tries the demo: still a demo database
    assert demo_refusal() is None
    demo_data("--tickets", "2", "--no-logins")
    assert Ticket.objects.count() == 6
    assert DemoDataset.objects.get().loaded_at == dataset.loaded_at  # the first mark is kept


def test_a_demo_loaded_before_the_mark_is_known_by_its_story_tickets():
    make_ticket(idempotency_key=f"{KEY_PREFIX}story-1")
    assert is_demo_database() and demo_refusal() is None
    make_ticket(phone="13912345678", idempotency_key="web-form-1")
    assert demo_refusal() is None


@override_settings(PRODUCTION=True)
def test_production_refuses_even_an_empty_database_unless_forced():
    message = demo_refusal()
    assert message is not None and "production" in message and "--force" in message
    with pytest.raises(CommandError):
        demo_data("--tickets", "1", "--no-logins")
    assert not User.objects.exists() and not DemoDataset.objects.exists()
    assert demo_refusal(force=True) is None
    DemoDataset.objects.create(pk=1, loaded_at="2026-12-01T00:00:00+08:00", seed=7)  # a public demo site
    assert demo_refusal() is None
