"""The registry of work-order actions (``fieldservice.actions``): every declared action is
reachable from the page and from the API, and what it says is available is exactly what the
services accept — status by status, person by person, move by move."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import resolve, reverse

from aftersales.accounts.models import DataScope, Role, User
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.fieldservice import services, views
from aftersales.fieldservice.actions import ACTIONS, WorkOrderAction, api_actions, web_action, work_order_available_actions
from aftersales.fieldservice.models import AcceptanceMethod, ExpenseClaim, WorkOrder, WorkOrderStatus
from aftersales.fieldservice.services.quote import work_order_decline_quote
from aftersales.fieldservice.states import TRANSITIONS
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import TicketStatus
from tests.factories import UserFactory

from .helpers import (
    agent,
    dispatcher,
    fresh,
    in_progress_ticket,
    new_job,
    photo,
    signature_data,
    technician,
    unit_in_warranty,
    walk_to,
    window,
)

pytestmark = pytest.mark.django_db
W = WorkOrderStatus
QUOTE_ACTIONS = ("prepare_quote", "confirm_quote", "decline_quote")


class _Rollback(Exception):
    pass


# --- every action is reachable from the page and from the API -----------------------------------


def test_every_declaration_is_complete_and_names_one_page_url_and_one_api_operation():
    assert list(ACTIONS)[:14] == [a.name for a in api_actions()]  # the API lists the moves first, in order
    schema = Client().get("/api/v1/openapi.json").json()
    for action in ACTIONS.values():
        assert action.statuses and action.statuses <= set(W.values), action.name
        # the page: ``…/do/<web_name>/`` performs exactly this declaration
        match = resolve(reverse("fieldservice:action", args=["WO1", action.web_name]))
        assert match.func is views.work_order_action and web_action(action.web_name) is action
        # the API: a body under …/actions/<slug>, or an endpoint of its own — one, not both
        assert (action.schema is None) != (action.api_endpoint == ""), action.name
        path = f"/api/v1/work-orders/{{wo_number}}/actions/{action.slug}" if action.schema else f"/api/v1{action.api_endpoint}"
        assert "post" in schema["paths"].get(path, {}), f"{action.name}: no POST {path}"
    generated = {p for p in schema["paths"] if "/actions/" in p and p.startswith("/api/v1/work-orders/")}
    assert generated == {f"/api/v1/work-orders/{{wo_number}}/actions/{a.slug}" for a in api_actions()}
    assert web_action("no_such_action") is None


def test_the_page_posts_every_action_through_the_registry():
    """Posting each action's URL reaches its declaration (a refusal is a message, never a 404)."""
    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = walk_to(new_job(handler=handler, measure=measure), "dispatched", boss=boss, tech=tech)
    claim = ExpenseClaim.objects.create(work_order=job, technician=tech, kind="transport", amount=10, created_at=clock.now())
    finance = UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL)
    client = Client()
    client.force_login(finance)  # sees the job, may take none of its steps but deciding claims
    before = fresh(job)
    for action in ACTIONS.values():
        if action.name == "decide_expense":
            continue
        response = client.post(reverse("fieldservice:action", args=[job.number, action.web_name]), {"reason": "x"})
        assert response.status_code == 302, action.name
    after = fresh(job)
    assert (after.status, after.version) == (before.status, before.version)
    response = client.post(
        reverse("fieldservice:action", args=[job.number, "decide_expense"]), {"claim": claim.pk, "decision": "approve"}
    )
    assert response.status_code == 302 and ExpenseClaim.objects.get(pk=claim.pk).status == "approved"
    assert client.post(reverse("fieldservice:action", args=[job.number, "no_such_action"])).status_code == 404


# --- what is available is what the services accept ----------------------------------------------


def _arguments(name: str, world: dict[str, Any]) -> dict[str, Any]:
    """Valid input for each action: a refusal can only come from the status or the person."""
    start, end = window(days=2, hour=14)
    made: dict[str, Callable[[], dict[str, Any]]] = {
        "dispatch": lambda: {"technician": world["third"], "appointment_start": start, "appointment_end": end},
        "record_work": lambda: {"diagnosis": "泵坏", "work_done": "换泵", "labour_hours": "1.5", "travel_km": "3"},
        "complete": lambda: {"diagnosis": "泵坏", "work_done": "换泵", "labour_hours": "1.5", "travel_km": "3"},
        "customer_accept": lambda: {
            "method": AcceptanceMethod.SIGNATURE,
            "signer_name": "张伟",
            "signature": signature_data(),
        },
        "prepare_quote": lambda: {"estimated_hours": "2"},
        "reschedule": lambda: {"appointment_start": start, "appointment_end": end, "reason": "客户出差"},
        "fail": lambda: {"reason": "客户不在家"},
        "cancel": lambda: {"reason": "客户取消"},
        "photo": lambda: {"kind": "before", "file": photo()},
        "permit": lambda: {"file": photo("permit.png")},
        "expense": lambda: {"kind": "transport", "amount": "10"},
        "decide_expense": lambda: {"claim": world["claim"], "approve": True},
    }
    return made.get(name, dict)()


def _accepted(action: WorkOrderAction, user: User, work_order: WorkOrder, world: dict[str, Any]) -> bool:
    """Whether the service performs the step (rolled back either way)."""
    try:
        with transaction.atomic():
            action.perform(
                work_order=fresh(work_order), actor=user, expected_version=work_order.version, **_arguments(action.name, world)
            )
            raise _Rollback
    except _Rollback:
        return True
    except DomainError:
        return False


def _mismatches(world: dict[str, Any], names: list[str]) -> list[str]:
    job = fresh(world["job"])
    found = []
    for role, user in world["people"].items():
        available = {a.name for a in work_order_available_actions(user, job)}
        for name in names:
            offered, accepted = name in available, _accepted(ACTIONS[name], user, job, world)
            if offered != accepted:
                found.append(f"{job.status} · {role} · {name}: offered={offered} accepted={accepted}")
    return found


def _declined(work_order: WorkOrder, tech: User) -> None:
    """The customer said no to the job's quote (the job made chargeable for it)."""
    WorkOrder.objects.filter(pk=work_order.pk).update(chargeable=True)
    services.work_order_prepare_quote(work_order=fresh(work_order), actor=tech, estimated_hours="1")
    work_order_decline_quote(work_order=fresh(work_order), actor=tech, reason="太贵")


def _world_at(status: str) -> dict[str, Any]:
    """A job walked (through the services) to ``status``, with everyone around it."""
    handler, boss, tech = agent(), dispatcher(), technician()
    _ticket, measure = in_progress_ticket(actor=handler, unit=unit_in_warranty())
    job = new_job(handler=handler, measure=measure)
    through = {W.RESCHEDULED: W.DISPATCHED, W.CANCELLED: W.DISPATCHED, W.FAILED: W.ON_THE_WAY, W.QUOTE_DECLINED: W.ACCEPTED}
    walked = {W.CUSTOMER_ACCEPTED: W.DONE}.get(status, through.get(status, status))
    if walked != W.TO_DISPATCH:
        job = walk_to(job, walked, boss=boss, tech=tech)
    if status == W.ON_SITE:  # the work written down and photographed: checking out is possible
        services.work_order_record_work(work_order=job, actor=tech, diagnosis="泵坏", work_done="换泵", labour_hours="1")
        for kind in ("before", "after"):
            services.work_order_add_photo(work_order=fresh(job), actor=tech, kind=kind, file=photo())
    start, end = window(days=3)
    moves = {
        W.RESCHEDULED: lambda wo: services.work_order_reschedule(
            work_order=wo, actor=boss, appointment_start=start, appointment_end=end, reason="改期"
        ),
        W.CANCELLED: lambda wo: services.work_order_cancel(work_order=wo, actor=boss, reason="取消"),
        W.FAILED: lambda wo: services.work_order_fail(work_order=wo, actor=tech, reason="无人"),
        W.CUSTOMER_ACCEPTED: lambda wo: services.work_order_customer_accept(
            work_order=wo, actor=tech, method="signature", signer_name="张伟", signature=signature_data()
        ),
        W.QUOTE_DECLINED: lambda wo: _declined(wo, tech),
    }
    if status in moves:
        moves[status](fresh(job))
    job = fresh(job)
    assert job.status == status
    claim = ExpenseClaim.objects.create(work_order=job, technician=tech, kind="transport", amount=10, created_at=clock.now())
    people = {
        "its technician": tech,
        "another technician": technician(),
        "dispatcher": boss,
        "ticket handler": handler,
        "finance": UserFactory(role=Role.FINANCE, data_scope=DataScope.ALL),
    }
    return {"job": job, "people": people, "third": technician(), "claim": claim}


@pytest.mark.parametrize("status", list(W))
def test_available_actions_are_what_the_services_accept(status):
    world = _world_at(status)
    assert _mismatches(world, list(ACTIONS)) == []
    # A chargeable job: the quote is offered until confirmed, its confirmation once sent.
    WorkOrder.objects.filter(pk=world["job"].pk).update(chargeable=True)
    assert _mismatches(world, list(QUOTE_ACTIONS)) == []
    WorkOrder.objects.filter(pk=world["job"].pk).update(quote_sent_at=clock.now(), quote_lines=[], quote_total=0)
    assert _mismatches(world, list(QUOTE_ACTIONS)) == []


@pytest.mark.parametrize("status", [W.DISPATCHED, W.ON_SITE, W.DONE])
def test_a_closed_ticket_offers_only_cancelling_its_jobs_and_deciding_claims(status):
    world = _world_at(status)
    Ticket.objects.filter(pk=world["job"].ticket_id).update(status=TicketStatus.CANCELLED)
    assert _mismatches(world, list(ACTIONS)) == []
    boss = world["people"]["dispatcher"]
    offered = {a.name for a in work_order_available_actions(boss, fresh(world["job"]))}
    assert offered == ({"cancel"} if TRANSITIONS[status] & {W.CANCELLED} else set()) | {"decide_expense"}


def _posted_forms(user: User, job: WorkOrder) -> set[str]:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("fieldservice:detail", args=[job.number]))
    assert response.status_code == 200
    page = response.content.decode()
    return {a.web_name for a in ACTIONS.values() if f"/do/{a.web_name}/" in page}


def _offered_on_page(user: User, job: WorkOrder) -> set[str]:
    return {a.web_name for a in work_order_available_actions(user, fresh(job)) if a.on_page}


@pytest.mark.parametrize("status", list(W))
def test_the_page_shows_the_forms_of_the_available_actions_only(status):
    world = _world_at(status)
    job, tech, boss = world["job"], world["people"]["its technician"], world["people"]["dispatcher"]
    people = [boss, tech] if job.technician_id == tech.pk else [boss]  # nobody's job: only staff see it
    for chargeable in (False, True):
        if chargeable:
            WorkOrder.objects.filter(pk=job.pk).update(chargeable=True, quote_sent_at=clock.now(), quote_lines=[], quote_total=0)
        for user in people:
            # the claim is the technician's own: they get no form to decide it
            own_claim = {"decide_expense"} if user == tech else set()
            assert _posted_forms(user, job) == _offered_on_page(user, job) - own_claim, (chargeable, user.role)
    if status == W.ON_SITE:
        assert {"record_work", "photo", "check_out", "fail", "expense", "quote", "confirm_quote"} <= _posted_forms(tech, job)
        assert _posted_forms(boss, job) == {"permit", "fail", "quote", "decide_expense"}
