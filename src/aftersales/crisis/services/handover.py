"""A member of the response team leaves the company (the staff handover, docs/staff-handover.md):
their places on the team of an open crisis and their open tasks there go to a successor who fits,
or are left vacant; either way the team's communication log says so."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.i18n import join_list

from ..audit_actions import CrisisAudit
from ..models import Audience, Communication, Crisis, CrisisMember, CrisisTask, TeamRole
from ..permissions import can_manage, check_manage
from .crises import crisis_add_member
from .shared import bump, lock_crisis


@dataclass(frozen=True)
class TeamHandover:
    """What left ``user`` on one crisis: their places (roles) and their open tasks; ``successor``
    (None: the places are vacant and the tasks without an owner)."""

    crisis: Crisis
    roles: list[str]
    tasks: int
    successor: User | None


def successor_fits(*, user: User, successor: User | None) -> bool:
    """Who may take a leaver's place on a response team: an active member of staff who handles
    crises (supervisor, quality manager, administrator) or who has the leaver's own role (a
    technician for a technician on the technical side)."""
    if successor is None or not successor.is_active or successor.is_customer:
        return False
    return can_manage(successor) or successor.role == user.role


def _log_text(user: User, successor: User | None, roles: list[str], tasks: int) -> str:
    """The communication log's line, in the words of whoever hands over (a log line is kept as
    written, like one typed by hand)."""
    params = {
        "name": str(user),
        "successor": str(successor or ""),
        "roles": join_list([TeamRole(role).label for role in roles]) or "—",
        "tasks": tasks,
    }
    if successor is not None:
        return (
            gettext(
                "%(name)s has left the company: %(successor)s takes over their place on the response team "
                "(%(roles)s) and their open tasks (%(tasks)d)."
            )
            % params
        )
    return (
        gettext(
            "%(name)s has left the company and is no longer on the response team (%(roles)s); "
            "their open tasks (%(tasks)d) have no owner now."
        )
        % params
    )


@transaction.atomic
def crisis_team_hand_over(*, crisis: Crisis, actor: User, user: User, successor: User | None) -> TeamHandover:
    """``user`` leaves the response team of ``crisis``: with a ``successor`` (who must fit,
    ``successor_fits``; else the places are left vacant) the successor joins in each of the
    user's roles (``crisis_add_member``: audited, told in their inbox) and owns the user's open
    tasks; the user's places are removed. One internal line of the communication log says who
    left and who took over, audited with the details (``crisis.communication_recorded``)."""
    check_manage(actor)
    locked = lock_crisis(crisis.pk, None)
    if not successor_fits(user=user, successor=successor):
        successor = None
    places = list(CrisisMember.objects.filter(crisis=locked, user=user).order_by("role", "pk"))
    roles = [place.role for place in places]
    tasks = CrisisTask.objects.filter(crisis=locked, owner=user, done_at__isnull=True)
    count = tasks.update(owner=successor)
    CrisisMember.objects.filter(pk__in=[place.pk for place in places]).delete()
    if successor is not None:
        for role in roles:
            crisis_add_member(crisis=locked, actor=actor, user=successor, role=role)
    now = clock.now()
    Communication.objects.create(
        crisis=locked,
        audience=Audience.INTERNAL,
        subject=gettext("Response team")[:200],
        body=_log_text(user, successor, roles, count),
        recorded_by=actor,
        created_at=now,
    )
    bump(locked, now)
    audit_record(
        action=CrisisAudit.COMMUNICATION_RECORDED,
        obj=locked,
        actor=actor,
        changes={
            "audience": Audience.INTERNAL,
            "left": user.username,
            "roles": roles,
            "tasks": count,
            "successor": successor.username if successor is not None else None,
        },
    )
    return TeamHandover(crisis=locked, roles=roles, tasks=count, successor=successor)
