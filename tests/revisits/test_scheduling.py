"""The periodic job: due revisits created exactly once, spread over the region's agents,
never for a customer who refused contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.catalog.warranty import add_months
from aftersales.core import clock
from aftersales.customers.models import Customer, CustomerTier
from aftersales.revisits.models import AfterTicketRule, Revisit, RevisitPolicy, RevisitReason, RevisitStatus
from aftersales.revisits.services import CallInput, revisit_record_call, revisits_schedule
from aftersales.revisits.tasks import schedule_revisits
from tests.factories import UserFactory

from .helpers import agent, closed_ticket, customer, region

pytestmark = pytest.mark.django_db


def test_the_default_policies_are_those_of_seed_001():
    assert dict(RevisitPolicy.objects.values_list("tier", "interval_months")) == {"key": 6, "long_term": 12}
    assert dict(AfterTicketRule.objects.values_list("request_type", "days_after_close")) == {"repair": 7}


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert add_months(dt.date(2026, 1, 15), 6) == dt.date(2026, 7, 15)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 12, 1), 12) == dt.date(2027, 12, 1)


def test_a_key_customer_is_due_six_months_after_registration_and_a_long_term_one_after_a_year():
    today = clock.local_today()
    east = region()
    key = customer(tier=CustomerTier.KEY, region=east, created=add_months(today, -6))
    long_term = customer(tier=CustomerTier.LONG_TERM, region=east, created=add_months(today, -12) + dt.timedelta(days=5))
    not_yet = customer(tier=CustomerTier.LONG_TERM, region=east, created=add_months(today, -6))
    normal = customer(tier=CustomerTier.NORMAL, region=east, created=add_months(today, -24))

    result = revisits_schedule(today=today)

    assert result.periodic == 2
    due = dict(Revisit.objects.values_list("customer_id", "due_date"))
    assert due == {key.pk: today, long_term.pk: add_months(today, -12) + dt.timedelta(days=5) + _months(12)}
    assert not_yet.pk not in due and normal.pk not in due
    revisit = Revisit.objects.get(customer=key)
    assert (revisit.reason, revisit.status, revisit.period) == (RevisitReason.PERIODIC, RevisitStatus.DUE, today)
    assert AuditEvent.objects.filter(action="revisit.created", object_id=str(revisit.pk)).count() == 1


def _months(n: int) -> dt.timedelta:
    return dt.timedelta(0) if n == 0 else add_months(dt.date(2001, 1, 1), n) - dt.date(2001, 1, 1)


def test_rerunning_the_job_creates_nothing_twice():
    today = clock.local_today()
    east = region()
    for _ in range(3):
        customer(tier=CustomerTier.KEY, region=east, created=add_months(today, -7))
    ticket = closed_ticket(closed=today - dt.timedelta(days=7))
    assert schedule_revisits.call() == 4
    assert revisits_schedule(today=today).created == 0
    assert schedule_revisits.call() == 0
    assert Revisit.objects.count() == 4
    assert Revisit.objects.filter(ticket=ticket, reason=RevisitReason.AFTER_TICKET).count() == 1


def test_the_next_period_starts_from_the_last_reached_call():
    today = clock.local_today()
    east = region()
    person = agent(region=east)
    key = customer(tier=CustomerTier.KEY, region=east, created=add_months(today, -8))
    revisits_schedule(today=today)
    first = Revisit.objects.get(customer=key)
    revisit_record_call(revisit=first, actor=person, data=CallInput(outcome="reached", nps=9))
    # Reached today: nothing more is due until six months later.
    assert revisits_schedule(today=today).periodic == 0
    later = add_months(today, 6)
    assert revisits_schedule(today=later).periodic == 1
    assert Revisit.objects.filter(customer=key, status=RevisitStatus.DUE).get().due_date == later


def test_customers_who_refused_contact_are_never_scheduled_and_their_open_revisits_are_cancelled():
    today = clock.local_today()
    east = region()
    refused = customer(tier=CustomerTier.KEY, region=east, created=add_months(today, -9), consent_contact=False)
    closed_ticket(closed=today - dt.timedelta(days=8), phone=refused.phone, customer_name=refused.name)
    willing = customer(tier=CustomerTier.KEY, region=east, created=add_months(today, -9))
    revisits_schedule(today=today)
    assert list(Revisit.objects.values_list("customer_id", flat=True)) == [willing.pk]

    Customer.objects.filter(pk=willing.pk).update(consent_contact=False)
    result = revisits_schedule(today=today)
    assert result.cancelled == 1
    assert Revisit.objects.get(customer=willing).status == RevisitStatus.CANCELLED


def test_a_repair_is_revisited_seven_days_after_it_was_closed_within_the_lead_days():
    today = clock.local_today()
    done_long_ago = closed_ticket(closed=today - dt.timedelta(days=30), phone="13900000001")
    just_closed = closed_ticket(closed=today, phone="13900000002")
    consultation = closed_ticket(closed=today - dt.timedelta(days=10), request_type="consultation", phone="13900000003")
    with override_settings(REVISIT_LEAD_DAYS=0):
        assert revisits_schedule(today=today).after_ticket == 1
    assert Revisit.objects.get().ticket_id == done_long_ago.pk
    assert Revisit.objects.get().due_date == today - dt.timedelta(days=23)
    # With a week's lead the fresh repair's revisit is created, due in seven days.
    assert revisits_schedule(today=today).after_ticket == 1
    assert Revisit.objects.get(ticket=just_closed).due_date == today + dt.timedelta(days=7)
    assert not Revisit.objects.filter(ticket=consultation).exists()


def test_revisits_are_spread_over_the_agents_of_the_customers_region():
    today = clock.local_today()
    east, south = region(), region("south", "华南")
    a1, a2 = agent(region=east), agent(region=east)
    southern = agent(region=south)
    UserFactory(role=Role.TECHNICIAN, region=east)  # not an agent: never given revisits
    for _ in range(4):
        customer(tier=CustomerTier.KEY, region=east, created=add_months(today, -7))
    lonely = customer(tier=CustomerTier.KEY, region=None, created=add_months(today, -7))
    revisits_schedule(today=today)
    east_counts = sorted(Revisit.objects.filter(region=east).values_list("assignee_id", flat=True))
    assert sorted({a1.pk, a2.pk}) == sorted(set(east_counts))
    assert east_counts.count(a1.pk) == east_counts.count(a2.pk) == 2
    assert not Revisit.objects.filter(assignee=southern).exists()
    assert Revisit.objects.get(customer=lonely).assignee is None
