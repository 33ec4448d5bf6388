"""Who handles a ticket: assigning, taking ("claim"), several at once from the list, and the
automatic assignment rules (docs/assignment.md).

Every change of the assignee goes through ``_write_assignment``, under the ticket's row lock:
the ticket row (assignee, team, version), a timeline event, an audit row, and in-app
notifications to the new assignee and to the one who lost the ticket. The doors:

* ``ticket_assign_to`` — the process action ``assign`` (a person chooses whom; checked: who may
  assign, whom they may assign to, the version, the status);
* ``ticket_claim`` — the process action ``claim`` ("take it");
* ``tickets_bulk_assign`` — several tickets, each through ``ticket_assign_to``, with a result
  per ticket;
* ``ticket_auto_assign`` — the first matching rule with somebody available chooses; queued
  after intake (``ticket_auto_assign_queue``) as an idempotent job, re-run by a periodic sweep
  and by a supervisor's "auto-assign now";
* ``ticket_assign`` — the unchecked door for trusted callers (demo data, tests, scripts).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied, ValidationFailed
from aftersales.core.jobs import enqueue_with_transaction
from aftersales.notifications.services import notify_staff
from aftersales.notifications.text import Verbatim

# A module reference, read at call time: permissions imports the services package.
from .. import permissions
from ..audit_actions import TicketAudit
from ..choices import EventKind
from ..locking import check_version, lock_ticket
from ..models import AssignmentMethod, AssignmentRule, Ticket, TicketEvent
from ..selectors import tickets_visible_to
from ..selectors.assignment import (
    PoolMember,
    active_rule_conditions,
    assignment_pool,
    claimable_by,
    may_assign_others,
    rules_matching,
    staff_assignable_by,
)
from ..states import FINAL_STATUSES

NOTE_LIMIT = 2000
# At most this many tickets in one bulk assignment (a page of the list is 25 to 100).
BULK_ASSIGN_MAX = 100
# "Auto-assign now" and the periodic sweep handle at most this many tickets per run.
AUTO_ASSIGN_BATCH = 200
# The sweep looks back this far for new tickets whose job was lost (RQ between commit and enqueue)
# or that no rule could place when they arrived (everybody away).
SWEEP_WINDOW = dt.timedelta(days=1)


# --- The one write ------------------------------------------------------------------------------


def _write_assignment(
    *,
    locked: Ticket,
    assignee: User | None,
    actor: User | None,
    audit_action: TicketAudit,
    body: str = "",
    data: dict[str, Any] | None = None,
    notify: bool = True,
) -> Ticket:
    """Set the assignee of the locked ticket; the ticket joins the assignee's team. Timeline,
    audit and (unless ``notify`` is off: the staff handover tells the successor once) the
    notifications in the same transaction."""
    before = locked.assignee_id
    after = assignee.pk if assignee is not None else None
    now = clock.now()
    updates: dict[str, Any] = {"assignee": assignee, "updated_at": now, "version": F("version") + 1}
    if assignee is not None and assignee.team_id is not None and assignee.team_id != locked.team_id:
        # The team lead's "team" scope and the "my team" queue follow the person who has it.
        updates["team_id"] = assignee.team_id
    Ticket.objects.filter(pk=locked.pk).update(**updates)
    TicketEvent.objects.create(
        ticket=locked,
        kind=EventKind.ASSIGNMENT,
        actor=actor,
        actor_label=str(actor) if actor is not None else "",
        public=False,
        body=body or (str(assignee) if assignee is not None else ""),
        data={"from": before, "to": after, **(data or {})},
        created_at=now,
    )
    audit_record(action=audit_action, obj=locked, actor=actor, changes={"assignee": [before, after]})
    locked.refresh_from_db()
    if not notify:
        return locked
    if assignee is not None and (actor is None or assignee.pk != actor.pk):
        _notify_assignee(ticket=locked, assignee=assignee)
    if before is not None and before != after and (actor is None or before != actor.pk):
        previous = User.objects.filter(pk=before, is_active=True).first()
        if previous is not None:
            _notify_previous_assignee(ticket=locked, previous=previous, assignee=assignee)
    return locked


def _notify_assignee(*, ticket: Ticket, assignee: User) -> None:
    """The editable "ticket_assigned" message (notifications.template_events)."""
    due = clock.local_date(ticket.first_response_due_at) if ticket.first_response_due_at else "—"
    notify_staff(
        users=[assignee],
        template="ticket_assigned",
        ticket=ticket,
        params={"number": ticket.number, "title": Verbatim(ticket.title), "due": str(due)},
    )


def _notify_previous_assignee(*, ticket: Ticket, previous: User, assignee: User | None) -> None:
    """ "ticket_reassigned" (to someone) or "ticket_unassigned" (back in the queue), editable."""
    notify_staff(
        users=[previous],
        template="ticket_reassigned",
        event="ticket_reassigned" if assignee is not None else "ticket_unassigned",
        ticket=ticket,
        params={"number": ticket.number, "title": Verbatim(ticket.title), "name": str(assignee) if assignee is not None else ""},
    )


def _note(note: str) -> str:
    text = (note or "").strip()
    if len(text) > NOTE_LIMIT:
        raise ValidationFailed({"note": [_("At most %(limit)d characters.") % {"limit": NOTE_LIMIT}]}, code="note_too_long")
    return text


def _with_note(assignee: User | None, note: str) -> str:
    name = str(assignee) if assignee is not None else ""
    return f"{name}\n{note}".strip() if note else name


# --- The unchecked door ---------------------------------------------------------------------------


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User, expected_version: int | None = None) -> Ticket:
    """Assign (or, with None, unassign) without asking who may: for trusted callers (demo data,
    scripts, tests). Pages and the API use ``ticket_assign_to`` and ``ticket_claim``."""
    locked = lock_ticket(ticket.pk)
    check_version(locked, expected_version)
    if locked.status in FINAL_STATUSES:
        raise DomainError(_("A closed ticket cannot be reassigned."), code="ticket_final", field="assignee")
    if assignee is not None and (assignee.is_customer or not assignee.is_active):
        raise ValidationFailed({"assignee": [_("Choose an active staff member.")]}, code="assignee_invalid")
    return _write_assignment(locked=locked, assignee=assignee, actor=actor, audit_action=TicketAudit.ASSIGNED)


HANDOVER_SUBJECT = _("Tickets handed over to you")
HANDOVER_BODY = _("%(name)s has left. Open tickets that are yours now: %(count)d.")


def handles_tickets(user: User) -> bool:
    return bool(user.is_active and not user.is_customer and (user.is_superuser or user.role in permissions.HANDLER_ROLES))


@transaction.atomic
def tickets_hand_over(*, leaver: User, successor: User | None, actor: User) -> tuple[int, User | None]:
    """The staff handover's door (``accounts.offboarding`` checks who may): every open ticket
    assigned to ``leaver`` goes to ``successor`` when they handle tickets, else back to its
    team's unassigned queue (the team and "auto-assign now" take it there). Tickets locked in key
    order; a timeline entry and an audit row each, as any reassignment; no message per ticket:
    the successor is told once, the leaver not at all. Returns (tickets moved, the new assignee)."""
    assignee = successor if successor is not None and handles_tickets(successor) else None
    open_ids = list(
        Ticket.objects.filter(assignee=leaver).exclude(status__in=FINAL_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    moved = 0
    for ticket_id in open_ids:
        locked = lock_ticket(ticket_id)
        if locked.assignee_id != leaver.pk or locked.status in FINAL_STATUSES:
            continue  # changed since it was read
        _write_assignment(
            locked=locked,
            assignee=assignee,
            actor=actor,
            audit_action=TicketAudit.ASSIGNED,
            body=_with_note(assignee, ""),
            data={"how": "handover", "left": leaver.pk},
            notify=False,
        )
        moved += 1
    if moved and assignee is not None and assignee.pk != actor.pk:
        notify_staff(
            users=[assignee],
            template="tickets_handed_over",
            subject=HANDOVER_SUBJECT,
            body=HANDOVER_BODY,
            params={"name": str(leaver), "count": moved},
            link=reverse("tickets:list") + f"?assignee={assignee.pk}",
            link_text=_("Open the list:"),
        )
    return moved, assignee


# --- The process actions ----------------------------------------------------------------------------


def _check_handler(assignee: User) -> None:
    if (
        assignee.is_customer
        or not assignee.is_active
        or not (assignee.is_superuser or assignee.role in permissions.HANDLER_ROLES)
    ):
        raise ValidationFailed({"assignee": [_("Choose an active staff member who handles tickets.")]}, code="assignee_invalid")


@transaction.atomic
def ticket_assign_to(
    *, ticket: Ticket, actor: User, assignee: User | None, note: str = "", expected_version: int | None = None
) -> Ticket:
    """Give ``ticket`` to ``assignee`` (None: back to the unassigned queue), the process action
    ``assign``. Supervisors, team leads and agents whose scope is a team, region or everything
    assign within their reach (``staff_assignable_by``); the ticket must be in their scope and
    not final; a stale ``expected_version`` is a conflict."""
    locked = lock_ticket(ticket.pk)
    check_version(locked, expected_version)
    permissions.ticket_check_action(user=actor, ticket=locked, action="assign")
    text = _note(note)
    if not may_assign_others(actor) and (assignee is None or assignee.pk != actor.pk):
        raise PermissionDenied(
            _("Only supervisors, team leads and agents responsible for a team or region assign tickets; take it instead."),
            code="assign_not_allowed",
        )
    if assignee is not None:
        _check_handler(assignee)
        if not staff_assignable_by(actor).filter(pk=assignee.pk).exists():
            raise ValidationFailed(
                {"assignee": [_("%(name)s is outside your team or region.") % {"name": assignee}]},
                code="assignee_out_of_scope",
            )
    if (assignee.pk if assignee is not None else None) == locked.assignee_id:
        message = (
            _("This ticket is already assigned to %(name)s.") % {"name": assignee}
            if assignee is not None
            else _("This ticket is not assigned to anybody.")
        )
        raise DomainError(message, code="assignee_unchanged", field="assignee")
    return _write_assignment(
        locked=locked,
        assignee=assignee,
        actor=actor,
        audit_action=TicketAudit.ASSIGNED,
        body=_with_note(assignee, text),
        data={"how": "assign"},
    )


@transaction.atomic
def ticket_claim(*, ticket: Ticket, actor: User, expected_version: int | None = None) -> Ticket:
    """The "take it" action: ``actor`` becomes the assignee of an unassigned ticket, or of one that a member
    of their team has (or that belongs to their team), the process action ``claim``."""
    locked = lock_ticket(ticket.pk)
    check_version(locked, expected_version)
    permissions.ticket_check_action(user=actor, ticket=locked, action="claim")
    if locked.assignee_id == actor.pk:
        raise DomainError(_("This ticket is already yours."), code="already_assigned", field="assignee")
    if not claimable_by(locked, actor):
        raise PermissionDenied(
            _("%(name)s of another team has this ticket; ask a supervisor to reassign it.") % {"name": locked.assignee},
            code="claim_not_allowed",
        )
    return _write_assignment(locked=locked, assignee=actor, actor=actor, audit_action=TicketAudit.CLAIMED, data={"how": "claim"})


# --- Several at once ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkAssignItem:
    """One ticket's result: assigned (``code`` empty), or refused with the code and message."""

    number: str
    code: str = ""
    message: str = ""
    version: int | None = None

    @property
    def assigned(self) -> bool:
        return not self.code


@dataclass(frozen=True)
class BulkAssignResult:
    items: list[BulkAssignItem] = field(default_factory=list)

    @property
    def assigned(self) -> list[BulkAssignItem]:
        return [item for item in self.items if item.assigned]

    @property
    def refused(self) -> list[BulkAssignItem]:
        return [item for item in self.items if not item.assigned]


def tickets_bulk_assign(
    *,
    actor: User,
    numbers: Sequence[str],
    assignee: User | None,
    note: str = "",
    within: QuerySet[Ticket] | None = None,
) -> BulkAssignResult:
    """Assign each ticket of ``numbers`` through ``ticket_assign_to`` (its own transaction, or
    savepoint inside the caller's) and report each result in the order given; a number outside
    ``within`` (default: what ``actor`` may see; the API narrows it to its key's region) is
    reported as not found. Tickets are
    locked in ascending key order, as ``lock_tickets`` does, so two bulk assignments of
    overlapping selections inside longer transactions cannot deadlock."""
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n and n.strip()))
    if not wanted:
        raise ValidationFailed({"tickets": [_("Select at least one ticket.")]}, code="tickets_required")
    if len(wanted) > BULK_ASSIGN_MAX:
        raise ValidationFailed(
            {"tickets": [_("At most %(limit)d tickets at once.") % {"limit": BULK_ASSIGN_MAX}]}, code="tickets_too_many"
        )
    candidates = within if within is not None else tickets_visible_to(actor)
    found = {t.number: t for t in candidates.filter(number__in=wanted).select_related("assignee")}
    results: dict[str, BulkAssignItem] = {}
    for ticket in sorted(found.values(), key=lambda t: t.pk):
        try:
            done = ticket_assign_to(ticket=ticket, actor=actor, assignee=assignee, note=note)
        except DomainError as exc:
            results[ticket.number] = BulkAssignItem(number=ticket.number, code=exc.code, message=str(exc.message))
        else:
            results[ticket.number] = BulkAssignItem(number=ticket.number, version=done.version)
    missing = str(_("No ticket with this number is visible to you."))
    return BulkAssignResult(
        items=[results.get(number) or BulkAssignItem(number=number, code="not_found", message=missing) for number in wanted]
    )


# --- Automatic assignment ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AutoAssignOutcome:
    """What ``ticket_auto_assign`` did: ``assigned``, or why not (``already_assigned``,
    ``ticket_final``, ``assigned_before``, ``no_rule``, ``nobody_available``)."""

    outcome: str
    assignee: User | None = None
    rule: AssignmentRule | None = None


def _choose(rule: AssignmentRule, pool: list[PoolMember]) -> PoolMember:
    """Round robin: the first member after the rule's cursor (by id, wrapping around).
    Least loaded: the fewest open tickets, ties broken by the same round-robin order."""
    candidates = pool
    if rule.method == AssignmentMethod.LEAST_LOADED:
        fewest = min(m.open_tickets for m in pool)
        candidates = [m for m in pool if m.open_tickets == fewest]
    cursor = rule.last_assignee_id or 0
    after = [m for m in candidates if m.user.pk > cursor]
    return (after or candidates)[0]


@transaction.atomic
def ticket_auto_assign(ticket: Ticket, *, actor: User | None = None, reassess: bool = False) -> AutoAssignOutcome:
    """Apply the first matching active rule that has somebody available (docs/assignment.md).

    Idempotent: a ticket that has an assignee, is final or (unless ``reassess``) was ever
    assigned, e.g. a person took it and put it back, is left alone. Locks the ticket, then each
    rule it tries in the rules' order (the round-robin cursor is read and moved under that lock:
    two assignments at once take turns). ``actor``: the supervisor of "auto-assign now"; None:
    the job after intake or the sweep (the system)."""
    locked = lock_ticket(ticket.pk)
    if locked.assignee_id is not None:
        return AutoAssignOutcome("already_assigned")
    if locked.status in FINAL_STATUSES:
        return AutoAssignOutcome("ticket_final")
    if not reassess and TicketEvent.objects.filter(ticket_id=locked.pk, kind=EventKind.ASSIGNMENT).exists():
        return AutoAssignOutcome("assigned_before")
    matching = rules_matching(locked)
    if not matching:
        return AutoAssignOutcome("no_rule")
    now = clock.now()
    for candidate in matching:
        rule = AssignmentRule.objects.select_for_update().filter(pk=candidate.pk, active=True).first()
        if rule is None:
            continue
        pool = assignment_pool(rule=rule, ticket=locked, now=now)
        if not pool:
            continue  # everybody away or full: the next matching rule (a fallback team) may have somebody
        chosen = _choose(rule, pool).user
        AssignmentRule.objects.filter(pk=rule.pk).update(last_assignee=chosen, last_assigned_at=now)
        _write_assignment(
            locked=locked,
            assignee=chosen,
            actor=actor,
            audit_action=TicketAudit.AUTO_ASSIGNED,
            body=f"{chosen} · {rule.name}",
            data={"how": "rule", "rule": rule.pk},
        )
        return AutoAssignOutcome("assigned", assignee=chosen, rule=rule)
    return AutoAssignOutcome("nobody_available")


def ticket_auto_assign_by_id(ticket_id: int) -> AutoAssignOutcome:
    """The job's call: the ticket by id (gone: nothing to do)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return AutoAssignOutcome("missing")
    return ticket_auto_assign(ticket)


def ticket_auto_assign_queue(*, ticket: Ticket) -> bool:
    """Intake's call, in its transaction: queue the automatic assignment of the new ticket when
    an active rule's conditions match it. The active rules come from the cache: no query when
    none is active, none when none matches, one job row (database backend) when one does."""
    if ticket.assignee_id is not None:
        return False
    if not any(rule.matches(ticket) for rule in active_rule_conditions()):
        return False
    # Imported here: tickets.tasks imports the process services, which import this package.
    from ..tasks import auto_assign_ticket

    ticket_id = ticket.pk
    enqueue_with_transaction(auto_assign_ticket, lambda: auto_assign_ticket.enqueue(ticket_id))
    return True


@dataclass(frozen=True)
class AutoAssignSummary:
    assigned: int = 0
    no_rule: int = 0
    nobody_available: int = 0
    skipped: int = 0


def may_run_assignment_rules(user: User) -> bool:
    """Supervisors and administrators run the rules over the unassigned queue by hand."""
    return bool(
        user.is_authenticated and user.is_active and (user.is_superuser or user.role in (Role.SUPERVISOR, Role.ADMINISTRATOR))
    )


def _auto_assign_each(ids: list[int], *, actor: User | None, reassess: bool) -> AutoAssignSummary:
    counts = {"assigned": 0, "no_rule": 0, "nobody_available": 0, "skipped": 0}
    for ticket_id in ids:
        ticket = Ticket.objects.filter(pk=ticket_id).first()
        if ticket is None:
            continue
        outcome = ticket_auto_assign(ticket, actor=actor, reassess=reassess).outcome
        counts[outcome if outcome in counts else "skipped"] += 1
    return AutoAssignSummary(**counts)


def tickets_auto_assign_now(*, actor: User, limit: int = AUTO_ASSIGN_BATCH) -> AutoAssignSummary:
    """The unassigned queue's "auto-assign now": run the rules over the unassigned open tickets in ``actor``'s scope,
    oldest first, also those a person put back in the queue."""
    if not may_run_assignment_rules(actor):
        raise PermissionDenied(_("Only supervisors run the assignment rules."), code="auto_assign_not_allowed")
    ids = list(
        tickets_visible_to(actor)
        .filter(assignee__isnull=True)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return _auto_assign_each(ids, actor=actor, reassess=True)


def tickets_auto_assign_sweep(*, limit: int = AUTO_ASSIGN_BATCH) -> AutoAssignSummary:
    """The periodic safety net: new tickets (``SWEEP_WINDOW``) that no rule has placed yet and
    nobody has ever assigned. Nothing to read when no rule is active."""
    if not active_rule_conditions():
        return AutoAssignSummary()
    since = clock.now() - SWEEP_WINDOW
    ids = list(
        Ticket.objects.filter(assignee__isnull=True, created_at__gte=since)
        .exclude(status__in=FINAL_STATUSES)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return _auto_assign_each(ids, actor=None, reassess=False)
