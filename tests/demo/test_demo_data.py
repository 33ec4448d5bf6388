"""``manage.py demo_data``: the demo set once, the bulk path, on the real database.

The demo set is loaded once for the package (``conftest.demo_output``).
"""

import datetime as dt
from collections import Counter
from io import StringIO

import phonenumbers
import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core import clock
from aftersales.customers.models import Customer
from aftersales.demo.builders import DEMO_LOGINS
from aftersales.demo.stories import DEMO_TICKET_COUNT, KEY_PREFIX
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.tickets.choices import Channel, EventKind, RequestType
from aftersales.tickets.models import Ticket, TicketEvent
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.states import FINAL_STATUSES, TRANSITIONS, TicketStatus
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def _demo_tickets():
    return tickets_with_intake_key_prefix(KEY_PREFIX)


def test_demo_has_staff_in_every_role_and_tickets_in_every_status(demo_output):
    assert set(User.objects.values_list("role", flat=True)) >= set(Role.values)
    assert set(_demo_tickets().values_list("status", flat=True)) == set(TicketStatus.values)
    assert _demo_tickets().count() == DEMO_TICKET_COUNT
    assert Customer.objects.filter(kind="company").exists()
    assert set(Customer.objects.values_list("tier", flat=True)) == {"key", "long_term", "normal"}
    assert _demo_tickets().filter(safety_hazard=True, priority=1).exists()
    assert len(set(_demo_tickets().values_list("channel", flat=True))) >= 6


def test_every_story_ends_in_the_status_it_was_planned_for(demo_output):
    """E.g. all ten tickets meant to wait for a supervisor's approval do (their plans meet the
    approval rule), so the supervisor's approvals queue is not nearly empty."""
    from aftersales.demo.stories import STATUS_PLAN

    planned = {str(status): count for status, (count, _low, _high) in STATUS_PLAN.items()}
    assert Counter(_demo_tickets().values_list("status", flat=True)) == planned


def test_running_it_again_changes_nothing(demo_output):
    before = _row_counts()
    out = StringIO()
    call_command("demo_data", stdout=out)
    assert _row_counts() == before
    assert "admin-demo-2026" in out.getvalue()


def test_demo_logins_authenticate_with_their_roles_and_scopes(demo_output):
    for login in DEMO_LOGINS:
        user = authenticate(username=login.username, password=login.password)
        assert user is not None, login.username
        assert user.role == login.role
        assert login.username in demo_output and login.password in demo_output
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.data_scope == DataScope.ALL
    agent = User.objects.get(username="agent")
    assert not agent.is_staff and agent.data_scope == DataScope.ALL
    customer = Customer.objects.get(user__username="customer")
    assert customer.tickets.count() >= 5
    # The technician login owns on-site measures of agreed plans (the jobs to dispatch to them).
    from aftersales.tickets.models import PlanMeasure

    assert PlanMeasure.objects.filter(owner__username="technician", plan__is_current=True).exists()


def test_demo_tickets_carry_the_process_data(demo_output):
    """The stories run through the process services: plans with measures, approvals, agreements
    and surveys exist where the statuses say so."""
    from aftersales.feedback.models import Survey
    from aftersales.tickets.models import ApprovalRequest, CustomerAgreement, MeasureKind, PlanMeasure, TicketPlan

    tickets = _demo_tickets()
    in_progress = tickets.filter(status=TicketStatus.IN_PROGRESS)
    assert in_progress.exists()
    for ticket in in_progress:
        plan = TicketPlan.objects.get(ticket=ticket, is_current=True)
        assert plan.status == "agreed" and CustomerAgreement.objects.filter(plan=plan, decision="accepted").exists()
    assert PlanMeasure.objects.filter(plan__ticket__status=TicketStatus.IN_PROGRESS, kind=MeasureKind.ONSITE_REPAIR).exists()
    assert ApprovalRequest.objects.filter(plan__ticket__status=TicketStatus.AWAITING_APPROVAL, status="pending").count() == (
        tickets.filter(status=TicketStatus.AWAITING_APPROVAL).count()
    )
    assert Survey.objects.filter(ticket__status=TicketStatus.RESOLVED, status="pending").count() == (
        tickets.filter(status=TicketStatus.RESOLVED).count()
    )
    assert Survey.objects.filter(status="submitted", overall__gte=4).exists()
    assert tickets.filter(status=TicketStatus.ANALYSING, verified_authentic=True).count() == (
        tickets.filter(status=TicketStatus.ANALYSING).count()
    )


def test_ticket_numbers_are_unique_and_carry_the_day_they_were_registered(demo_output):
    numbers = list(_demo_tickets().values_list("number", "created_at"))
    assert len({number for number, _created in numbers}) == len(numbers)
    for number, created in numbers:
        assert number[2:10] == f"{clock.local_date(created):%Y%m%d}"
    oldest = min(created for _number, created in numbers)
    assert (timezone.now() - oldest).days <= 91


def test_timelines_walk_the_transition_table_in_order(demo_output):
    events = TicketEvent.objects.filter(ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX)).order_by(
        "ticket_id", "created_at", "id"
    )
    by_ticket: dict[int, list[TicketEvent]] = {}
    for event in events:
        by_ticket.setdefault(event.ticket_id, []).append(event)
    for ticket in _demo_tickets():
        timeline = by_ticket[ticket.pk]
        assert timeline[0].kind == EventKind.CREATED
        status = TicketStatus.REGISTERED
        for event in timeline:
            assert ticket.created_at <= event.created_at <= timezone.now()
            if event.kind == EventKind.STATUS_CHANGED:
                assert event.data["from"] == status
                assert TicketStatus(event.data["to"]) in TRANSITIONS[status]
                status = TicketStatus(event.data["to"])
        assert status == ticket.status
        if ticket.status in FINAL_STATUSES:
            assert ticket.closed_at is not None
        if ticket.status in {TicketStatus.RESOLVED, TicketStatus.CLOSED}:
            assert ticket.resolved_at is not None
        if ticket.status == TicketStatus.MERGED:
            assert ticket.merged_into.customer_id == ticket.customer_id
    assert Counter(len(t) for t in by_ticket.values()).most_common(1)[0][0] >= 3


def test_demo_customers_are_never_actually_messaged(demo_output):
    statuses = set(
        Notification.objects.filter(ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX)).values_list("status", flat=True)
    )
    assert statuses == {NotificationStatus.SKIPPED}


def test_bulk_adds_exactly_n_tickets_with_events_and_numbers_apart_from_intake(demo_output):
    before_ticket = make_ticket(description="冰箱不制冷，bulk 之前登记。")
    tickets_before, events_before = Ticket.objects.count(), TicketEvent.objects.count()
    last_before = Ticket.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    out = StringIO()
    call_command("demo_data", "--tickets", "2000", "--events-per-ticket", "2", "--seed", "7", stdout=out)
    assert Ticket.objects.count() == tickets_before + 2000
    assert TicketEvent.objects.count() == events_before + 4000
    after_ticket = make_ticket(description="冰箱不制冷，bulk 之后登记。", phone="13912345678")

    bulk = Ticket.objects.filter(pk__gt=last_before).exclude(pk=after_ticket.pk)
    assert bulk.count() == 2000
    numbers = list(Ticket.objects.values_list("number", flat=True))
    assert len(numbers) == len(set(numbers))
    today = f"SH{clock.local_today():%Y%m%d}-"
    bulk_today = sorted(n for n in bulk.values_list("number", flat=True) if n.startswith(today))
    assert bulk_today, "the bulk load must reach today for the collision check to mean anything"
    assert before_ticket.number < bulk_today[0] and bulk_today[-1] < after_ticket.number
    kinds = Counter(TicketEvent.objects.filter(ticket__in=bulk).values_list("kind", flat=True))
    assert kinds[EventKind.CREATED] == 2000 and sum(kinds.values()) == 4000
    assert set(bulk.values_list("status", flat=True)) <= set(TicketStatus.values)
    assert set(bulk.values_list("channel", flat=True)) <= set(Channel.values)
    assert set(bulk.values_list("request_type", flat=True)) <= set(RequestType.values)
    assert not bulk.filter(created_at__gt=timezone.now()).exists()
    assert not bulk.filter(closed_at__lt=F("created_at")).exists()
    assert not bulk.filter(created_at__lt=timezone.now() - dt.timedelta(days=731)).exists()
    assert "2,000" in out.getvalue() and "rows/s" in out.getvalue()


def test_every_ticket_customer_has_a_valid_e164_phone(demo_output):
    call_command("demo_data", "--tickets", "300", stdout=StringIO())
    phones = Customer.objects.filter(tickets__isnull=False).values_list("phone", flat=True).distinct()
    assert phones
    for phone in phones:
        number = phonenumbers.parse(phone, None)
        assert (
            phonenumbers.is_valid_number(number)
            and phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == phone
        )


def test_bad_options_are_refused_clearly(demo_output):
    with pytest.raises(CommandError):
        call_command("demo_data", "--tickets", "10", "--events-per-ticket", "0", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("demo_data", "--tickets", "-1", stdout=StringIO())
