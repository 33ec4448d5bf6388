"""Builders of the staff handover tests: the administrator, a technician who leaves holding work
of every kind (set up through the apps' own services where they allow it), and the counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import DataScope, Role, User
from aftersales.api.services import api_key_create
from aftersales.core import clock
from aftersales.fieldservice.models import TechnicianProfile, WorkOrderStatus
from aftersales.quality.models import ActionOrigin
from aftersales.quality.services import action_raise
from aftersales.revisits.models import Revisit
from aftersales.tickets.models import Ticket
from aftersales.tickets.services import ticket_assign
from aftersales.tickets.states import TicketStatus
from aftersales.travel.models import CashAdvance
from aftersales.travel.services import reimbursement_draft, reimbursement_post
from tests.factories import CustomerFactory, TeamFactory, UserFactory, make_ticket
from tests.travel.factories import job, paid_advance


def administrator(**kwargs: Any) -> User:
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, **kwargs)


def staff(role: str, **kwargs: Any) -> User:
    return UserFactory(role=role, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def technician(**kwargs: Any) -> User:
    user = UserFactory(role=Role.TECHNICIAN, data_scope=DataScope.OWN, **kwargs)
    TechnicianProfile.objects.create(user=user)
    return user


def assigned_ticket(to: User, *, by: User) -> Ticket:
    ticket = make_ticket(actor=by, phone=f"1380000{Ticket.objects.count():04d}")
    return ticket_assign(ticket=ticket, assignee=to, actor=by)


def closed(ticket: Ticket) -> Ticket:
    """The ticket archived (the process that closes it is tested elsewhere: its result here)."""
    Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.CLOSED, closed_at=clock.now())
    ticket.refresh_from_db()
    return ticket


def revisit_for(assignee: User) -> Revisit:
    now = clock.now()
    return Revisit.objects.create(
        customer=CustomerFactory(),
        reason="periodic",
        period=clock.local_today(),
        due_date=clock.local_today() + dt.timedelta(days=3),
        assignee=assignee,
        team=assignee.team,
        created_at=now,
        updated_at=now,
    )


def settled_advance(tech: User, *, payer: User) -> CashAdvance:
    """A paid advance settled by a posted reimbursement (finance's real steps)."""
    advance = paid_advance(tech, "300.00", payer=payer)
    drafted = reimbursement_draft(technician=tech, actor=payer, advances=[advance.pk])
    reimbursement_post(reimbursement=drafted, actor=payer)
    advance.refresh_from_db()
    return advance


def leaving_technician(*, admin: User) -> dict[str, Any]:
    """A technician who leads a team and holds: two open tickets and a closed one, jobs
    dispatched, accepted and done, two open revisits, an improvement action, an API key, two
    paid advances of which one is settled."""
    team = TeamFactory()
    tech = technician(team=team)
    team.leader = tech
    team.save(update_fields=["leader"])
    finance = staff(Role.FINANCE)
    engineer = staff(Role.QUALITY_ENGINEER)
    world: dict[str, Any] = {"tech": tech, "team": team, "finance": finance, "engineer": engineer}
    world["tickets"] = [assigned_ticket(tech, by=admin), assigned_ticket(tech, by=admin)]
    world["closed_ticket"] = closed(assigned_ticket(tech, by=admin))
    world["jobs"] = [job(tech, status=WorkOrderStatus.DISPATCHED), job(tech, status=WorkOrderStatus.ACCEPTED)]
    world["done_job"] = job(tech, status=WorkOrderStatus.DONE)
    world["revisits"] = [revisit_for(tech), revisit_for(tech)]
    world["action"] = action_raise(
        actor=engineer,
        title="排水泵批量漏水",
        problem="B20260301 批次排水泵漏水",
        origin=ActionOrigin.TICKET,
        origin_ticket=world["tickets"][0],
        owner=tech,
    )
    world["key"] = api_key_create(name="工单 App", owner=tech, scopes=["tickets:read"], actor=admin)
    world["paid"] = paid_advance(tech, "500.00", payer=finance)
    world["settled"] = settled_advance(tech, payer=finance)
    return world


def by_kind(holdings: list[Holding]) -> dict[str, int]:
    """``{kind: count}`` of every holding (moved or not)."""
    found: dict[str, int] = {}
    for h in holdings:
        found[h.kind] = found.get(h.kind, 0) + h.count
    return found
