"""The process actions are declared once (``tickets.actions``) and every entry point reads them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from aftersales.tickets import process
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.registry import ACTIONS, HANDLER, TicketAction, api_actions, panel_actions, register
from aftersales.tickets.states import TicketStatus
from tests.factories import make_ticket
from tests.tickets.process_helpers import agent


def test_every_action_a_service_checks_is_declared_and_every_declared_service_exists():
    source = "\n".join(p.read_text() for p in Path(process.__file__).parent.glob("*.py"))
    checked = set(re.findall(r'lock_for_action\([^)]*action="([a-z_]+)"', source))
    checked |= set(re.findall(r'ticket_check_action\([^)]*action="([a-z_]+)"', source))
    assert len(checked) >= 20
    assert checked <= set(ACTIONS), checked - set(ACTIONS)
    for declared in ACTIONS.values():
        assert declared.statuses <= set(TicketStatus)
        assert declared.who
        if declared.form is not None:
            assert declared.service is not None, declared.name


def test_the_api_has_one_endpoint_per_action_with_a_body(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    declared = {f"/api/v1/tickets/{{number}}/actions/{a.slug}" for a in api_actions()}
    generated = {path for path in paths if "/actions/" in path and path.startswith("/api/v1/tickets/")}
    assert declared == generated
    # the process steps, assign and claim (docs/assignment.md), the quality acceptance and the promise
    assert len(declared) == 25


def test_the_panel_order_puts_the_step_forward_first_and_the_rare_ones_last():
    names = [a.name for a in panel_actions()]
    assert names[0] == "start_verification"
    assert names[-3:] == ["reject", "cancel", "merge"]
    assert "rate" not in names


def test_a_name_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        register(TicketAction(name="resolve", statuses=frozenset(), who=frozenset({HANDLER})))


@pytest.mark.django_db
def test_a_declared_action_is_offered_by_its_statuses_and_roles_and_the_web_endpoint_runs_it(client):
    """The worked example of docs/architecture.md: a declaration makes an action available."""
    handler = agent()
    ticket = make_ticket(actor=handler)
    calls = []

    def ticket_escalate_to_quality(*, ticket, actor, expected_version, note=""):  # type: ignore[no-untyped-def]
        locked = process.common.lock_for_action(
            ticket=ticket, actor=actor, action="escalate_to_quality", expected_version=expected_version
        )
        calls.append((locked.number, actor.pk, note))
        return locked

    from aftersales.tickets.action_forms import ResumeForm

    register(
        TicketAction(
            name="escalate_to_quality",
            statuses=frozenset({TicketStatus.REGISTERED}),
            who=frozenset({HANDLER}),
            service=ticket_escalate_to_quality,
            form=ResumeForm,
        )
    )
    try:
        assert "escalate_to_quality" in ticket_available_actions(user=handler, ticket=ticket)
        client.force_login(handler)
        page = client.get(reverse("tickets:detail", args=[ticket.number]))
        assert b'id="id_escalate_to_quality_note"' in page.content
        response = client.post(
            reverse("tickets:action", args=[ticket.number, "escalate_to_quality"]),
            {"expected_version": ticket.version, "note": "请质量部门复核"},
        )
        assert response.status_code == 302
        assert calls == [(ticket.number, handler.pk, "请质量部门复核")]
    finally:
        del ACTIONS["escalate_to_quality"]
