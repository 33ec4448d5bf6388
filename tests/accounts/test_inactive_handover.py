"""Nobody's work is stranded by a deactivation: the administration refuses to deactivate someone
who still holds work (and links to the handover), and an account deactivated before (or by
another path) still has its work handed over on the staff page and through the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from aftersales.accounts.models import Role, Team, User
from aftersales.accounts.offboarding import staff_offboard
from aftersales.audit.models import AuditEvent
from aftersales.core.errors import Conflict
from aftersales.tickets.models import Ticket
from tests.admin_form import change_form_data
from tests.api.conftest import api_client
from tests.clients import client_for_language

from .handover_helpers import administrator, assigned_ticket, staff

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


@pytest.fixture
def world() -> dict[str, Any]:
    admin = administrator(username="admin1")
    leaver = staff(Role.AGENT, username="agent-east-1", display_name="袁欣华")
    successor = staff(Role.AGENT, username="lina", display_name="李娜")
    tickets = [assigned_ticket(leaver, by=admin), assigned_ticket(leaver, by=admin)]
    return {"admin": admin, "leaver": leaver, "successor": successor, "tickets": tickets}


def _deactivate_in_admin(client: Any, user: User) -> Any:
    url = reverse("admin:accounts_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    return client.post(url, change_form_data(page, is_active=False))


# --- The administration refuses to strand work --------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("zh-hans", ["袁欣华仍持有工作", "（2）", "在此停用会让这些工作无人处理", "移交并停用"]),
        ("en", ["袁欣华 still holds work:", "(2)", "Deactivating here would leave it with nobody.", "Hand over and deactivate"]),
    ],
)
def test_the_admin_refuses_to_deactivate_someone_who_holds_work(world, language, words):
    leaver = world["leaver"]
    response = _deactivate_in_admin(client_for_language(world["admin"], language), leaver)
    assert response.status_code == 200  # the form again, with the error
    html = response.content.decode()
    for word in words:
        assert word in html, word
    link = reverse("accounts:staff_detail", args=[leaver.pk]) + "#offboard"
    assert f'<a href="{link}">' in html  # a link, not escaped text
    assert User.objects.get(pk=leaver.pk).is_active
    assert not AuditEvent.objects.filter(action="admin.changed", object_id=str(leaver.pk)).exists()
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in world["tickets"]]).values_list("assignee", flat=True)) == {leaver.pk}


def test_the_admin_names_work_that_needs_attention_too(world):
    """A team they lead is work too (a team needs a leader who works here)."""
    lead = staff(Role.SUPERVISOR, username="lead1")
    Team.objects.create(name="华东一组", leader=lead)
    html = _deactivate_in_admin(client_for_language(world["admin"], "en"), lead).content.decode()
    assert "still holds work: Teams led: name a new leader (1)." in html
    assert User.objects.get(pk=lead.pk).is_active


def test_the_admin_deactivates_someone_who_holds_nothing_and_audits_it(world):
    idle = staff(Role.AGENT, username="idle1")
    response = _deactivate_in_admin(client_for_language(world["admin"], "en"), idle)
    assert response.status_code == 302
    assert not User.objects.get(pk=idle.pk).is_active
    event = AuditEvent.objects.get(action="admin.changed", object_id=str(idle.pk))
    assert event.changes["is_active"] == [True, False] and event.actor_id == world["admin"].pk


def test_other_changes_to_someone_who_holds_work_are_saved(world):
    leaver = world["leaver"]
    client = client_for_language(world["admin"], "en")
    url = reverse("admin:accounts_user_change", args=[leaver.pk])
    response = client.post(url, change_form_data(client.get(url), display_name="袁欣华（华东）"))
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert leaver.display_name == "袁欣华（华东）" and leaver.is_active


# --- An account inactive already: its work is still handed over --------------------------------


@pytest.fixture
def stranded(world) -> dict[str, Any]:
    """Deactivated the old way (the admin before it refused, or another path), work still held."""
    User.objects.filter(pk=world["leaver"].pk).update(is_active=False)
    return world


@pytest.mark.parametrize(
    ("language", "heading", "notice", "done"),
    [
        ("zh-hans", "移交工作", "此账号已停用，但仍持有工作", "已移交"),
        (
            "en",
            "Hand over the work",
            "This account is deactivated already, but still holds work",
            "(inactive already) was handed over: ",
        ),
    ],
)
def test_the_staff_page_hands_over_the_work_of_an_inactive_account(stranded, language, heading, notice, done):
    world = stranded
    leaver = world["leaver"]
    client = client_for_language(world["admin"], language)
    url = reverse("accounts:staff_detail", args=[leaver.pk])
    page = client.get(url).content.decode()
    assert 'data-kind="tickets" data-count="2"' in page
    assert 'data-test-id="offboard-form"' in page and 'data-test-id="staff-deactivated"' not in page
    assert heading in page and notice in page
    assert 'value="{}"'.format(world["successor"].pk) in page  # the successor's choice
    response = client.post(url, {"successor": world["successor"].pk, "reason": "早已离职", "confirm": "on"}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert done in html
    assert 'data-test-id="staff-deactivated"' in html and 'data-test-id="offboard-form"' not in html
    assert set(Ticket.objects.filter(pk__in=[t.pk for t in world["tickets"]]).values_list("assignee", flat=True)) == {
        world["successor"].pk
    }
    assert not User.objects.get(pk=leaver.pk).is_active
    event = AuditEvent.objects.get(action="account.offboarded", object_id=str(leaver.pk))
    assert event.actor_id == world["admin"].pk and event.changes["moved"] == {"tickets": 2}
    assert event.changes["reason"] == "早已离职" and event.changes["successor"] == "lina"


def test_an_inactive_account_that_holds_nothing_is_not_offered_the_handover(world):
    idle = staff(Role.AGENT, is_active=False)
    page = client_for_language(world["admin"], "en").get(reverse("accounts:staff_detail", args=[idle.pk])).content.decode()
    assert 'data-test-id="staff-deactivated"' in page and 'data-test-id="offboard-form"' not in page
    with pytest.raises(Conflict) as exc:
        staff_offboard(actor=world["admin"], user_id=idle.pk, reason="离职")
    assert exc.value.code == "already_inactive"


def test_what_no_handover_moves_does_not_reopen_it(world):
    """Only a team led (attention: named in the administration): nothing a handover moves."""
    lead = staff(Role.SUPERVISOR, is_active=False)
    Team.objects.create(name="华南一组", leader=lead)
    page = client_for_language(world["admin"], "en").get(reverse("accounts:staff_detail", args=[lead.pk])).content.decode()
    assert 'data-kind="teams_led" data-count="1"' in page and 'data-test-id="offboard-form"' not in page
    with pytest.raises(Conflict):
        staff_offboard(actor=world["admin"], user_id=lead.pk, reason="离职")


def test_the_api_hands_over_the_work_of_an_inactive_account_once(stranded):
    world = stranded
    client = api_client(world["admin"])
    url = f"{BASE}/staff/{world['leaver'].pk}/offboard"
    first = client.post(url, {"successor": world["successor"].pk, "reason": "早已离职"}, headers={"Idempotency-Key": "late-1"})
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["user"]["active"] is False and [(h["kind"], h["count"]) for h in data["moved"]] == [("tickets", 2)]
    again = client.post(url, {"reason": "早已离职"}, headers={"Idempotency-Key": "late-2"})
    assert again.status_code == 409 and again.json()["code"] == "already_inactive"
    assert AuditEvent.objects.filter(action="account.offboarded").count() == 1
