"""Assignment rules (issue 14, item 1): round robin, least loaded, skills, absence, availability,
the intake job and the sweep, the rules' cache; two assignments at once on PostgreSQL. Assigning by
hand is tests/tickets/test_assignment.py."""

import datetime as dt
import threading

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from aftersales.accounts.models import Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied
from aftersales.tickets.choices import Channel, EventKind, RequestType
from aftersales.tickets.models import (
    AssignmentMethod,
    AssignmentRule,
    StaffAbsence,
    StaffAvailability,
    StaffSkill,
    TicketCategory,
    TicketEvent,
)
from aftersales.tickets.process import ticket_cancel
from aftersales.tickets.selectors.assignment import (
    active_rule_conditions,
)
from aftersales.tickets.services import (
    ticket_assign,
    ticket_assign_to,
    ticket_auto_assign,
    tickets_auto_assign_now,
)
from aftersales.tickets.services.assignment import ticket_auto_assign_by_id, tickets_auto_assign_sweep
from tests.factories import (
    ProductCategoryFactory,
    ProductModelFactory,
    TeamFactory,
    UserFactory,
    make_ticket,
)
from tests.tickets import assignment_world
from tests.tickets.assignment_world import DB_TASKS, _fresh, _inbox, _ticket

pytestmark = pytest.mark.django_db

# The shared fixtures (assignment_world.py): the east region and the rules' cache emptied.
east = assignment_world.east
_no_cached_rules = assignment_world._no_cached_rules


# --- Rules ----------------------------------------------------------------------------------------------


def _rule(team, **fields) -> AssignmentRule:  # type: ignore[no-untyped-def]
    return AssignmentRule.objects.create(name=fields.pop("name", f"{team.name}轮流"), team=team, **fields)


def test_round_robin_takes_turns_in_a_fixed_order_and_wraps(east):
    rule = _rule(east["team"], region=east["region"])
    third = UserFactory(role=Role.AGENT, team=east["team"], display_name="钱三")
    order = sorted([east["wang"], east["li"], third], key=lambda u: u.pk)
    chosen = []
    for i in range(5):
        outcome = ticket_auto_assign(_ticket(east["region"], phone=f"1390000003{i}"))
        assert outcome.outcome == "assigned" and outcome.rule == rule
        chosen.append(outcome.assignee)
    assert chosen == [*order, *order[:2]]
    rule.refresh_from_db()
    assert rule.last_assignee == order[1] and rule.last_assigned_at is not None


def test_least_loaded_chooses_the_fewest_open_tickets_and_breaks_ties_by_turns(east):
    _rule(east["team"], method=AssignmentMethod.LEAST_LOADED)
    wang, li = east["wang"], east["li"]
    for i in range(2):
        ticket_assign(ticket=_ticket(phone=f"1390000004{i}"), assignee=wang, actor=east["supervisor"])
    # A closed ticket is no load.
    done = ticket_assign(ticket=_ticket(phone="13900000049"), assignee=li, actor=east["director"])
    ticket_cancel(ticket=done, actor=east["director"], reason="重复")
    picks = [ticket_auto_assign(_ticket(phone=f"1390000005{i}")).assignee for i in range(4)]
    # li has 0, then 1; at 2 each the turn passes li (the last chosen) to wang; then li has fewer.
    assert wang.pk < li.pk
    assert picks == [li, li, wang, li]


def test_no_active_rule_leaves_the_ticket_unassigned_and_costs_intake_no_query(east, settings):
    settings.TASKS = DB_TASKS
    AssignmentRule.objects.create(name="停用", team=east["team"], active=False)
    make_ticket(phone="13900000060")  # warms the caches (rules, regions, the day's counter)
    with CaptureQueriesContext(connection) as queries:
        ticket = make_ticket(phone="13900000061")
    assert not [q for q in queries.captured_queries if "assignmentrule" in q["sql"].lower()]
    assert not DBTaskResult.objects.filter(task_path__endswith="auto_assign_ticket").exists()
    assert ticket_auto_assign(ticket).outcome == "no_rule"
    assert _fresh(ticket).assignee_id is None


def test_intake_queues_the_job_when_a_rule_matches_and_the_job_assigns_once(east, settings):
    settings.TASKS = DB_TASKS
    _rule(east["team"], channel=Channel.WECHAT)
    hotline = make_ticket(phone="13900000070")  # the rule is for WeChat only
    wechat = make_ticket(phone="13900000071", channel=Channel.WECHAT)
    jobs = DBTaskResult.objects.filter(task_path__endswith="auto_assign_ticket")
    assert [job.args_kwargs["args"] for job in jobs] == [[wechat.pk]]
    assert _fresh(hotline).assignee_id is None and _fresh(wechat).assignee_id is None  # not yet: the job does it
    first = ticket_auto_assign_by_id(wechat.pk)
    assert first.outcome == "assigned"
    again = ticket_auto_assign_by_id(wechat.pk)
    assert again.outcome == "already_assigned"
    event = TicketEvent.objects.get(ticket=wechat, kind=EventKind.ASSIGNMENT)
    assert event.actor is None and event.data["how"] == "rule" and first.rule is not None
    assert event.data["rule"] == first.rule.pk
    assert AuditEvent.objects.filter(action="ticket.auto_assigned", object_id=str(wechat.pk)).count() == 1
    (note,) = _inbox(first.assignee)
    assert note.template == "ticket_assigned"


def test_conditions_region_within_region_category_channel_request_type(east):
    product = TicketCategory.objects.get(code="product_quality")
    rule = _rule(east["team"], region=east["region"], category=product, request_type=RequestType.REPAIR)
    assert ticket_auto_assign(_ticket(east["shanghai"], phone="13900000080", category_code="product_quality")).rule == rule
    assert ticket_auto_assign(_ticket(east["west"], phone="13900000081", category_code="product_quality")).outcome == "no_rule"
    assert ticket_auto_assign(_ticket(east["region"], phone="13900000082")).outcome == "no_rule"  # not classified yet
    refund = _ticket(east["region"], phone="13900000083", category_code="product_quality", request_type=RequestType.REFUND)
    assert ticket_auto_assign(refund).outcome == "no_rule"


def test_skills_send_a_ticket_to_those_skilled_then_to_those_who_declared_none(east):
    _rule(east["team"])
    wang, li = east["wang"], east["li"]
    generalist = UserFactory(role=Role.AGENT, team=east["team"], display_name="钱通")
    quality = TicketCategory.objects.get(code="product_quality")
    attitude = TicketCategory.objects.get(code="service_attitude")
    StaffSkill.objects.create(user=wang, category=quality)
    StaffSkill.objects.create(user=li, category=attitude)
    for i in range(3):  # always wang, however the turns go
        ticket = _ticket(phone=f"1390000009{i}", category_code="product_quality")
        assert ticket_auto_assign(ticket).assignee == wang
    # Nobody has the skill for "installation": the one who declared none, never li.
    for i in range(2):
        ticket = _ticket(phone=f"1390000010{i}", category_code="installation")
        assert ticket_auto_assign(ticket).assignee == generalist
    # Not classified yet: everybody takes turns.
    picks = {ticket_auto_assign(_ticket(phone=f"1390000011{i}")).assignee for i in range(3)}
    assert picks == {wang, li, generalist}


def test_a_product_line_skill_counts_too(east):
    _rule(east["team"])
    fridges = ProductCategoryFactory(code="fridge", name="冰箱")
    StaffSkill.objects.create(user=east["li"], product_category=fridges)
    StaffSkill.objects.create(user=east["wang"], product_category=ProductCategoryFactory(code="washer", name="洗衣机"))
    model = ProductModelFactory(category=fridges)
    for i in range(2):
        assert ticket_auto_assign(_ticket(phone=f"1390000012{i}", product_model_code=model.code)).assignee == east["li"]


def test_absent_people_those_who_take_no_new_tickets_and_full_ones_are_passed_over(east):
    _rule(east["team"])
    wang, li = east["wang"], east["li"]
    now = clock.now()
    StaffAbsence.objects.create(
        user=li, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=8), reason="病假"
    )
    StaffAbsence.objects.create(
        user=wang, starts_at=now - dt.timedelta(days=9), ends_at=now - dt.timedelta(days=2), reason="过去的"
    )
    assert {ticket_auto_assign(_ticket(phone=f"1390000013{i}")).assignee for i in range(2)} == {wang}
    StaffAvailability.objects.create(user=wang, accepts_new_tickets=False)
    stuck = _ticket(phone="13900000139")
    assert ticket_auto_assign(stuck).outcome == "nobody_available"
    assert _fresh(stuck).assignee_id is None
    StaffAvailability.objects.filter(user=wang).update(accepts_new_tickets=True, max_open_tickets=3)
    assert ticket_auto_assign(_ticket(phone="13900000140")).assignee == wang  # his third open ticket
    assert ticket_auto_assign(_ticket(phone="13900000141")).outcome == "nobody_available"  # full


def test_when_nobody_in_the_first_team_is_available_the_next_matching_rule_takes_it(east):
    _rule(east["team"], position=1)
    fallback = _rule(east["other_team"], position=2, name="二组兜底")
    now = clock.now()
    for agent in (east["wang"], east["li"]):
        StaffAbsence.objects.create(user=agent, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1))
    outcome = ticket_auto_assign(_ticket(phone="13900000150"))
    assert (outcome.rule, outcome.assignee) == (fallback, east["zhao"])


def test_a_rule_can_keep_to_members_of_the_tickets_region(east):
    nationwide = TeamFactory(name="全国热线", region=None)
    here = UserFactory(role=Role.AGENT, team=nationwide, region=east["region"])
    UserFactory(role=Role.AGENT, team=nationwide, region=east["west"])
    _rule(nationwide, members_of_ticket_region=True)
    for i in range(3):
        assert ticket_auto_assign(_ticket(east["region"], phone=f"1390000016{i}")).assignee == here
    assert ticket_auto_assign(_ticket(None, phone="13900000169")).outcome == "nobody_available"


def test_a_ticket_a_person_put_back_is_left_to_people_unless_a_supervisor_runs_the_rules(east):
    _rule(east["team"])
    ticket = _ticket(east["region"], phone="13900000170")
    ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["zhao"])
    ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=None)
    assert ticket_auto_assign(ticket).outcome == "assigned_before"
    assert tickets_auto_assign_sweep().assigned == 0
    summary = tickets_auto_assign_now(actor=east["supervisor"])
    assert summary.assigned == 1 and _fresh(ticket).assignee_id in {east["wang"].pk, east["li"].pk}
    last = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNMENT).latest("id")
    assert last.actor == east["supervisor"] and last.data["how"] == "rule"


def test_only_supervisors_run_the_rules_by_hand_and_the_sweep_places_what_the_job_missed(east):
    with pytest.raises(PermissionDenied):
        tickets_auto_assign_now(actor=east["wang"])
    missed = _ticket(east["region"], phone="13900000180")  # registered before the rule existed: no job
    _rule(east["team"])
    assert tickets_auto_assign_sweep().assigned == 1
    assert _fresh(missed).assignee_id is not None


def test_saving_a_rule_clears_the_cached_rules(east):
    assert active_rule_conditions() == ()
    rule = _rule(east["team"], channel=Channel.WECHAT)
    assert [c.pk for c in active_rule_conditions()] == [rule.pk]
    rule.active = False
    rule.save()
    assert active_rule_conditions() == ()


# --- Concurrency (PostgreSQL) -------------------------------------------------------------------------------


def _race(calls) -> tuple[list[object], list[BaseException]]:  # type: ignore[no-untyped-def]
    barrier = threading.Barrier(len(calls))
    results: list[object] = []
    errors: list[BaseException] = []

    def worker(call) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=30)
            results.append(call())
        except BaseException as exc:  # noqa: BLE001 - a deadlock or a lost update arrives here
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_assignments_at_once_take_turns_on_the_cursor():
    team = TeamFactory(name="并发组")
    agents = [UserFactory(role=Role.AGENT, team=team) for _ in range(2)]
    _rule(team)
    for round_ in range(8):
        tickets = [make_ticket(phone=f"13900010{round_:02d}{i}") for i in range(2)]
        results, errors = _race([lambda t=t: ticket_auto_assign(t) for t in tickets])
        assert not [e for e in errors if isinstance(e, OperationalError)], f"deadlock: {errors}"
        assert errors == []
        # Each read the cursor the other left: one ticket each, never both to the same person.
        assert {r.assignee.pk for r in results} == {a.pk for a in agents}, round_  # type: ignore[attr-defined]
