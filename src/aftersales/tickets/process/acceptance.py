"""The quality manager's acceptance of the result (质量验收, SPEC §1; docs/quality.md).

A resolved ticket that the acceptance rule names does not close when the customer confirms,
the survey answers, an agent closes it or the auto-close sweep reaches it: it waits in
AWAITING_ACCEPTANCE (``close_or_await``). The quality manager (a supervisor or an administrator
too) then accepts the result (→ CLOSED) or sends it back for rework with a reason (→ REOPENED,
二次处理, the assignee told).

The rule, the acceptance record and its checklist (work orders, photos, costs) live in the
quality app, above tickets: this module reaches them only through the hooks below.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.core.errors import PermissionDenied
from aftersales.core.hooks import hook
from aftersales.core.i18n import Deferred, deferred

from ..models import Ticket
from ..selectors import tickets_visible_to
from ..states import TicketStatus
from .common import lock_for_action, move, optional_text, required_text, timeline
from .notify import notify_staff_users

S = TicketStatus

# Who decides on a result: the quality manager; supervisors and administrators stand in.
ACCEPTOR_ROLES = frozenset({Role.QUALITY_MANAGER, Role.SUPERVISOR, Role.ADMINISTRATOR})


class AcceptanceVia(StrEnum):
    """How the ticket came to be closed when it was sent for acceptance instead."""

    CUSTOMER = "customer"  # the customer confirmed (portal, app, or an agent on the phone)
    SURVEY = "survey"  # the satisfaction survey said solved
    STAFF = "staff"  # an agent closed it
    AUTO = "auto"  # the auto-close sweep: no answer from the customer


# Does this ticket need acceptance before it is archived? kwargs: ticket (locked). Each
# receiver returns the reasons (codes) it needs acceptance for, empty when it does not.
TICKET_ACCEPTANCE_NEEDED = hook(
    "ticket_acceptance_needed",
    "aftersales.quality.acceptance_receivers.acceptance_needed",  # the administrator's rule
)
# The ticket started waiting, after its status change. kwargs: ticket, via (AcceptanceVia),
# reasons, now.
TICKET_ACCEPTANCE_REQUESTED = hook(
    "ticket_acceptance_requested",
    "aftersales.quality.acceptance_receivers.acceptance_requested",  # the pending record
    "aftersales.webhooks.receivers.acceptance_requested",  # ticket.awaiting_acceptance
)
# The quality manager decided, before the status change. kwargs: ticket, actor, accepted,
# comment, now.
TICKET_ACCEPTANCE_DECIDED = hook(
    "ticket_acceptance_decided",
    "aftersales.quality.acceptance_receivers.acceptance_decided",  # the record, its checklist, audit
    "aftersales.webhooks.receivers.acceptance_decided",  # ticket.result_accepted / ticket.returned_for_rework
)
# The wait ended without a decision: the customer said it is not solved after all (→ REOPENED).
# kwargs: ticket, now.
TICKET_ACCEPTANCE_WITHDRAWN = hook(
    "ticket_acceptance_withdrawn",
    "aftersales.quality.acceptance_receivers.acceptance_withdrawn",  # the pending record withdrawn
)


def may_accept(user: User) -> bool:
    """Whether ``user``'s role decides on results (their data scope is checked on the ticket)."""
    return bool(
        user.is_authenticated and user.is_active and not user.is_customer and (user.is_superuser or user.role in ACCEPTOR_ROLES)
    )


def offered_to_acceptor(ticket: Ticket, user: User) -> bool:
    return may_accept(user)


def _require_acceptor(user: User) -> None:
    if not may_accept(user):
        raise PermissionDenied(
            _("Only a quality manager, a supervisor or an administrator accepts results."), code="acceptor_role"
        )


def acceptance_reasons(ticket: Ticket) -> list[str]:
    """Why ``ticket`` needs the quality manager's acceptance (empty: it may close)."""
    reasons: list[str] = []
    for answer in TICKET_ACCEPTANCE_NEEDED.send(ticket=ticket):
        reasons.extend(code for code in answer or () if code not in reasons)
    return reasons


def _quality_managers(ticket: Ticket) -> list[User]:
    """The active quality managers whose data scope covers the ticket."""
    managers = User.objects.filter(role=Role.QUALITY_MANAGER, is_active=True).order_by("pk")
    return [user for user in managers if tickets_visible_to(user).filter(pk=ticket.pk).exists()]


def close_or_await(
    *, ticket: Ticket, actor: User | None, via: AcceptanceVia, reason: str = "", text: Deferred | None = None
) -> Ticket:
    """Close the locked, resolved ``ticket`` (→ CLOSED), or, when the acceptance rule names it,
    send it to the quality manager (→ AWAITING_ACCEPTANCE, an internal step: the customer's
    pages keep saying "resolved"). The quality managers who see the ticket are told, once per
    wait. Runs inside the caller's transaction."""
    reasons = acceptance_reasons(ticket)
    if not reasons:
        return move(ticket=ticket, to=S.CLOSED, actor=actor, reason=reason, text=text)
    waiting = move(ticket=ticket, to=S.AWAITING_ACCEPTANCE, actor=actor, reason=reason, text=text, public=False)
    TICKET_ACCEPTANCE_REQUESTED.send(ticket=waiting, via=via, reasons=reasons, now=clock.now())
    notify_staff_users(
        users=_quality_managers(waiting),
        ticket=waiting,
        template="ticket_awaiting_acceptance",
        params={"title": waiting.title},
    )
    return waiting


def withdraw_acceptance(*, ticket: Ticket) -> None:
    """The ticket leaves its wait without a decision (inside the caller's transaction)."""
    TICKET_ACCEPTANCE_WITHDRAWN.send(ticket=ticket, now=clock.now())


@transaction.atomic
def ticket_accept_result(*, ticket: Ticket, actor: User, comment: str = "", expected_version: int | None = None) -> Ticket:
    """The quality manager accepts the result (AWAITING_ACCEPTANCE → CLOSED): the acceptance
    record keeps who, when, the checklist as it stood and the comment; the timeline an internal
    entry."""
    text = optional_text(comment, field="comment")
    locked = lock_for_action(ticket=ticket, actor=actor, action="accept_result", expected_version=expected_version)
    _require_acceptor(actor)
    TICKET_ACCEPTANCE_DECIDED.send(ticket=locked, actor=actor, accepted=True, comment=text, now=clock.now())
    timeline(
        ticket=locked,
        actor=actor,
        body=text,
        data={"action": "result_accepted"},
        text=None if text else deferred(_("Result accepted by quality.")),
    )
    return move(
        ticket=locked, to=S.CLOSED, actor=actor, text=deferred(_("Request closed"))
    )  # neutral: the customer reads it, not the internal step


@transaction.atomic
def ticket_return_for_rework(*, ticket: Ticket, actor: User, reason: str, expected_version: int | None = None) -> Ticket:
    """The quality manager sends the result back (AWAITING_ACCEPTANCE → REOPENED, 二次处理, the
    escalation level raised) with the reason; the assignee is told."""
    text = required_text(reason, field="reason", message=_("Say what must be done again."))
    locked = lock_for_action(ticket=ticket, actor=actor, action="return_for_rework", expected_version=expected_version)
    _require_acceptor(actor)
    TICKET_ACCEPTANCE_DECIDED.send(ticket=locked, actor=actor, accepted=False, comment=text, now=clock.now())
    moved = move(ticket=locked, to=S.REOPENED, actor=actor, reason=text, public=False)
    notify_staff_users(
        users=_assignee(moved),
        ticket=moved,
        template="ticket_returned_for_rework",
        params={"reason": text},
    )
    return moved


def _assignee(ticket: Ticket) -> Iterable[User]:
    return [ticket.assignee] if ticket.assignee_id is not None and ticket.assignee is not None else []
