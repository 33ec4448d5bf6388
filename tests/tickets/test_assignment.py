"""Assignment (issue 14, item 1): assign, reassign and take a ticket by hand, several at once,
and the automatic assignment rules (round robin, least loaded, skills, absence, availability)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from aftersales.accounts.models import DataScope, Role
from aftersales.audit.models import AuditEvent
from aftersales.core import clock
from aftersales.core.errors import Conflict, DomainError, PermissionDenied, ValidationFailed
from aftersales.notifications.models import Notification
from aftersales.tickets.choices import Channel, EventKind, RequestType
from aftersales.tickets.models import (
    AssignmentMethod,
    AssignmentRule,
    StaffAbsence,
    StaffAvailability,
    StaffSkill,
    Ticket,
    TicketCategory,
    TicketEvent,
)
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.process import ticket_cancel
from aftersales.tickets.selectors.assignment import (
    RULES_CACHE_KEY,
    active_rule_conditions,
    assignee_options,
    staff_assignable_by,
)
from aftersales.tickets.services import (
    ticket_assign,
    ticket_assign_to,
    ticket_auto_assign,
    ticket_claim,
    tickets_auto_assign_now,
    tickets_bulk_assign,
)
from aftersales.tickets.services.assignment import ticket_auto_assign_by_id, tickets_auto_assign_sweep
from tests.factories import (
    ProductCategoryFactory,
    ProductModelFactory,
    RegionFactory,
    TeamFactory,
    UserFactory,
    make_ticket,
)

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "notifications"]}}


@pytest.fixture(autouse=True)
def _no_cached_rules():
    """The active rules are cached (Django's cache outlives a test's rolled-back rows)."""
    cache.delete(RULES_CACHE_KEY)
    yield
    cache.delete(RULES_CACHE_KEY)


@pytest.fixture
def east():
    """华东: a region with a child region (上海), two teams, a supervisor and agents."""
    region = RegionFactory(code="east", name="华东")
    shanghai = RegionFactory(code="shanghai", name="上海", parent=region)
    west = RegionFactory(code="west", name="华西")
    team = TeamFactory(name="华东一组", region=region)
    other_team = TeamFactory(name="华东二组", region=region)
    west_team = TeamFactory(name="华西一组", region=west)
    supervisor = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.REGION, region=region, display_name="周主管")
    director = UserFactory(role=Role.SUPERVISOR, data_scope=DataScope.ALL, display_name="总监")
    wang = UserFactory(role=Role.AGENT, team=team, region=region, display_name="王芳")
    li = UserFactory(role=Role.AGENT, team=team, region=region, display_name="李娜")
    zhao = UserFactory(role=Role.AGENT, team=other_team, region=region, display_name="赵敏")
    westerner = UserFactory(role=Role.AGENT, team=west_team, region=west, display_name="孙西")
    return {
        "region": region,
        "shanghai": shanghai,
        "west": west,
        "team": team,
        "other_team": other_team,
        "west_team": west_team,
        "supervisor": supervisor,
        "director": director,
        "wang": wang,
        "li": li,
        "zhao": zhao,
        "westerner": westerner,
    }


def _ticket(region=None, **overrides) -> Ticket:  # type: ignore[no-untyped-def]
    return make_ticket(region=region, **overrides)


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_related("assignee").get(pk=ticket.pk)


def _inbox(user) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(Notification.objects.filter(user=user).order_by("id"))


# --- Assigning by hand ----------------------------------------------------------------------------


def test_a_supervisor_assigns_within_the_region_with_timeline_audit_and_a_notification(east):
    ticket = _ticket(east["region"])
    assigned = ticket_assign_to(
        ticket=ticket, actor=east["supervisor"], assignee=east["wang"], note="老客户，优先处理", expected_version=ticket.version
    )
    assert (assigned.assignee_id, assigned.team_id, assigned.version) == (east["wang"].pk, east["team"].pk, ticket.version + 1)
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNMENT)
    assert event.data == {"from": None, "to": east["wang"].pk, "how": "assign"}
    assert event.actor == east["supervisor"] and not event.public
    assert event.body == "王芳\n老客户，优先处理"
    audit = AuditEvent.objects.get(action="ticket.assigned", object_id=str(ticket.pk))
    assert audit.changes == {"assignee": [None, east["wang"].pk]} and audit.actor == east["supervisor"]
    (note,) = _inbox(east["wang"])
    assert note.template == "ticket_assigned" and ticket.number in note.subject


def test_reassigning_tells_both_people_and_the_ticket_follows_the_new_team(east):
    ticket = ticket_assign_to(ticket=_ticket(east["region"]), actor=east["supervisor"], assignee=east["wang"])
    moved = ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["zhao"])
    assert (moved.assignee_id, moved.team_id) == (east["zhao"].pk, east["other_team"].pk)
    assert [n.template for n in _inbox(east["wang"])] == ["ticket_assigned", "ticket_reassigned"]
    assert "赵敏" in _inbox(east["wang"])[-1].subject
    assert [n.template for n in _inbox(east["zhao"])] == ["ticket_assigned"]
    # Unassigning puts it back in the queue.
    back = ticket_assign_to(ticket=moved, actor=east["supervisor"], assignee=None)
    assert back.assignee_id is None
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNMENT).latest("id").data["to"] is None


def test_assigning_to_the_same_person_again_is_refused(east):
    ticket = ticket_assign_to(ticket=_ticket(east["region"]), actor=east["supervisor"], assignee=east["wang"])
    with pytest.raises(DomainError) as raised:
        ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["wang"])
    assert (raised.value.code, raised.value.field) == ("assignee_unchanged", "assignee")


def test_a_final_ticket_can_be_neither_assigned_nor_taken(east):
    east["wang"].data_scope = DataScope.REGION  # he sees it
    east["wang"].save()
    ticket = _ticket(east["region"])
    ticket_cancel(ticket=ticket, actor=east["supervisor"], reason="客户撤回")
    with pytest.raises(DomainError) as assigned:
        ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["wang"])
    with pytest.raises(DomainError) as taken:
        ticket_claim(ticket=ticket, actor=east["wang"])
    assert assigned.value.code == taken.value.code == "ticket_final"
    assert _fresh(ticket).assignee_id is None
    assert ticket_available_actions(user=east["supervisor"], ticket=_fresh(ticket)) == []


def test_a_stale_page_is_a_conflict(east):
    ticket = _ticket(east["region"])
    ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["wang"], expected_version=ticket.version)
    with pytest.raises(Conflict) as raised:
        ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=east["li"], expected_version=ticket.version)
    assert raised.value.code == "stale_version"
    with pytest.raises(Conflict):
        ticket_claim(ticket=ticket, actor=east["li"], expected_version=ticket.version)
    assert _fresh(ticket).assignee_id == east["wang"].pk


def test_only_people_within_reach_who_handle_tickets_can_be_assigned(east):
    ticket = _ticket(east["region"])
    # Another region's agent, a technician, a customer: refused, naming the field.
    for person, code in (
        (east["westerner"], "assignee_out_of_scope"),
        (UserFactory(role=Role.TECHNICIAN, region=east["region"]), "assignee_invalid"),
        (UserFactory(role=Role.CUSTOMER), "assignee_invalid"),
        (UserFactory(is_active=False, region=east["region"]), "assignee_invalid"),
    ):
        with pytest.raises(ValidationFailed) as raised:
            ticket_assign_to(ticket=ticket, actor=east["supervisor"], assignee=person)
        assert (raised.value.code, raised.value.field) == (code, "assignee")
    # A ticket outside the supervisor's region is outside their scope altogether.
    with pytest.raises(PermissionDenied) as raised:
        ticket_assign_to(ticket=_ticket(east["west"], phone="13900000001"), actor=east["supervisor"], assignee=east["wang"])
    assert raised.value.code == "out_of_scope"
    assert _fresh(ticket).assignee_id is None


def test_an_agent_of_their_own_scope_takes_but_does_not_assign_unless_they_lead_the_team(east):
    wang, li = east["wang"], east["li"]
    ticket = _ticket(east["region"], actor=wang)  # wang registered it: in his own scope
    assert "claim" in ticket_available_actions(user=wang, ticket=ticket)
    assert "assign" not in ticket_available_actions(user=wang, ticket=ticket)
    with pytest.raises(PermissionDenied) as raised:
        ticket_assign_to(ticket=ticket, actor=wang, assignee=li)
    assert raised.value.code == "assign_not_allowed"
    east["team"].leader = wang
    east["team"].save()
    assert "assign" in ticket_available_actions(user=wang, ticket=ticket)
    assert set(staff_assignable_by(wang)) == {wang, li}
    assert ticket_assign_to(ticket=ticket, actor=wang, assignee=li).assignee_id == li.pk


def test_take_it_an_unassigned_ticket_or_a_teammates_but_not_another_teams(east):
    wang, li, zhao = east["wang"], east["li"], east["zhao"]
    for agent in (wang, li, zhao):
        agent.data_scope = DataScope.REGION
        agent.save()
    ticket = _ticket(east["region"])
    taken = ticket_claim(ticket=ticket, actor=wang, expected_version=ticket.version)
    assert taken.assignee_id == wang.pk and taken.team_id == east["team"].pk
    event = TicketEvent.objects.filter(ticket=ticket, kind=EventKind.ASSIGNMENT).latest("id")
    assert event.data == {"from": None, "to": wang.pk, "how": "claim"} and event.actor == wang
    assert AuditEvent.objects.filter(action="ticket.claimed", object_id=str(ticket.pk), actor=wang).exists()
    assert _inbox(wang) == []  # nobody tells you what you did yourself
    # Already yours: not offered, refused.
    assert "claim" not in ticket_available_actions(user=wang, ticket=_fresh(ticket))
    with pytest.raises(DomainError) as mine:
        ticket_claim(ticket=ticket, actor=wang)
    assert mine.value.code == "already_assigned"
    # Another team's agent may not take it from wang.
    assert "claim" not in ticket_available_actions(user=zhao, ticket=_fresh(ticket))
    with pytest.raises(PermissionDenied) as other_team:
        ticket_claim(ticket=ticket, actor=zhao)
    assert other_team.value.code == "claim_not_allowed"
    # A teammate may, and wang hears of it.
    assert "claim" in ticket_available_actions(user=li, ticket=_fresh(ticket))
    assert ticket_claim(ticket=ticket, actor=li).assignee_id == li.pk
    assert [n.template for n in _inbox(wang)] == ["ticket_reassigned"]


def test_the_unchecked_door_keeps_its_old_rules(east):
    """``ticket_assign`` (demo data, scripts) assigns any active staff member, as before."""
    technician = UserFactory(role=Role.TECHNICIAN)
    ticket = ticket_assign(ticket=_ticket(), assignee=technician, actor=east["supervisor"])
    assert ticket.assignee_id == technician.pk
    assert TicketEvent.objects.get(ticket=ticket, kind=EventKind.ASSIGNMENT).data == {"from": None, "to": technician.pk}


# --- The people on the form ---------------------------------------------------------------------------


def test_the_form_lists_people_with_role_team_open_tickets_and_absence(east):
    with _english():
        for i in range(3):
            ticket_assign(ticket=_ticket(east["region"], phone=f"1390000000{i}"), assignee=east["wang"], actor=east["supervisor"])
        closed = ticket_assign(
            ticket=_ticket(east["region"], phone="13900000009"), assignee=east["wang"], actor=east["supervisor"]
        )
        ticket_cancel(ticket=closed, actor=east["supervisor"], reason="重复")
        StaffAbsence.objects.create(
            user=east["li"],
            starts_at=clock.now() - dt.timedelta(days=1),
            ends_at=clock.now() + dt.timedelta(days=2),
            reason="年假",
        )
        labels = {option.name: option.label for option in assignee_options(actor=east["supervisor"])}
    assert set(labels) == {"周主管", "王芳", "李娜", "赵敏"}  # the region's handlers, not the west's
    assert labels["王芳"] == "王芳 · Agent · 华东一组 · 3 open tickets"  # the cancelled one is not open
    assert labels["李娜"].startswith("李娜 · Agent · 华东一组 · 0 open tickets · away until ")
    assert labels["周主管"] == "周主管 · Supervisor · 0 open tickets"


def test_open_tickets_are_counted_up_to_99(east, monkeypatch):
    from aftersales.tickets.selectors import assignment

    monkeypatch.setattr(assignment, "LOAD_SHOWN_UP_TO", 2)
    for i in range(4):
        ticket_assign(ticket=_ticket(east["region"], phone=f"1390000001{i}"), assignee=east["wang"], actor=east["supervisor"])
    with _english():
        (option,) = [o for o in assignee_options(actor=east["supervisor"]) if o.pk == east["wang"].pk]
        assert option.open_tickets == 3 and "2+ open" in option.label


def _english():  # type: ignore[no-untyped-def]
    from django.utils import translation

    return translation.override("en")


# --- Several at once ------------------------------------------------------------------------------------


def test_bulk_assignment_reports_each_ticket_in_the_order_given(east):
    open_one = _ticket(east["region"], phone="13900000021")
    open_two = _ticket(east["region"], phone="13900000022")
    cancelled = ticket_cancel(ticket=_ticket(east["region"], phone="13900000023"), actor=east["supervisor"], reason="撤回")
    western = _ticket(east["west"], phone="13900000024")
    result = tickets_bulk_assign(
        actor=east["supervisor"],
        numbers=[open_two.number, cancelled.number, western.number, open_one.number.lower(), "SH00000000-999999"],
        assignee=east["wang"],
    )
    assert [(i.number, i.code) for i in result.items] == [
        (open_two.number, ""),
        (cancelled.number, "ticket_final"),
        (western.number, "not_found"),  # outside the supervisor's region: as if it did not exist
        (open_one.number, ""),
        ("SH00000000-999999", "not_found"),
    ]
    assert len(result.assigned) == 2 and all(i.version for i in result.assigned)
    assert set(Ticket.objects.filter(assignee=east["wang"]).values_list("pk", flat=True)) == {open_one.pk, open_two.pk}
    assert len(_inbox(east["wang"])) == 2


def test_bulk_assignment_needs_tickets_and_has_a_limit(east):
    with pytest.raises(ValidationFailed) as empty:
        tickets_bulk_assign(actor=east["supervisor"], numbers=[" "], assignee=east["wang"])
    assert empty.value.code == "tickets_required"
    with pytest.raises(ValidationFailed) as many:
        tickets_bulk_assign(actor=east["supervisor"], numbers=[f"SH{i}" for i in range(101)], assignee=east["wang"])
    assert many.value.code == "tickets_too_many"


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
