"""Who on the staff side hears about a ticket: the supervisors an unassigned ticket's alerts go to
(the SLA's warning, breach and escalation, ``sla.services.checks``; a customer's message,
``services.timeline``) and the staff to tell that the customer wrote. Import from this module."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef

from aftersales.accounts.models import DataScope, Role, User
from aftersales.notifications.models import Notification

from ..models import Ticket

# The staff notice of a customer's message (``notifications.template_staff_events``).
CUSTOMER_MESSAGE = "customer_message"


def supervisors_for_ticket(*, ticket: Ticket) -> list[User]:
    """Who hears about a breach: the supervisors of the ticket's team, else of its region, else the
    supervisors who see everything, else every active supervisor."""
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk")
    choices = []
    if ticket.team_id:
        choices.append(supervisors.filter(team_id=ticket.team_id))
    if ticket.region_id:
        choices.append(supervisors.filter(region_id=ticket.region_id))
    choices.append(supervisors.filter(data_scope=DataScope.ALL))
    choices.append(supervisors)
    for qs in choices:
        found = list(qs)
        if found:
            return found
    return []


def staff_to_tell_customer_wrote(*, ticket: Ticket, assignee_id: int | None, not_to: Collection[int]) -> list[User]:
    """Whom a customer's message on ``ticket`` is told to: its assignee (``assignee_id``, as the
    locked row has it), else the supervisors an unassigned ticket's alerts go to — less the
    users in ``not_to`` (the staff member who acted) and those who still have an unread notice
    of a message on this ticket (one notice until it is read)."""
    if assignee_id is not None:
        people = list(User.objects.filter(pk=assignee_id, is_active=True))
    else:
        people = supervisors_for_ticket(ticket=ticket)
    candidates = [user.pk for user in people if user.pk not in not_to and not user.is_customer]
    if not candidates:
        return []
    unread = Notification.objects.filter(
        user=OuterRef("pk"), ticket_id=ticket.pk, template=CUSTOMER_MESSAGE, read_at__isnull=True
    )
    told = set(User.objects.filter(pk__in=candidates).filter(Exists(unread)).values_list("pk", flat=True))
    return [user for user in people if user.pk in candidates and user.pk not in told]
