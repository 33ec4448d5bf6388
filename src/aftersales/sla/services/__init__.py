"""Writes for service levels: start, pause, resume, meet and stop a ticket's clocks; warn, breach
and escalate them exactly once.

The rules (SPEC §2, seed 001):

* A ticket gets three clocks at intake from the most specific active policy: **first response**,
  **solution commitment** (a plan, or an expected completion time told to the customer) and
  **resolution**. Their deadlines are columns, computed on the policy's business calendar.
* **First response** is met when staff first send a message or record a call (the ticket's
  ``first_responded_at``), or when the ticket is resolved.
* **Solution commitment** is met when the customer is given a solution or a date: the plan is
  offered to them (the ticket reaches *awaiting customer agreement*, when
  ``Ticket.solution_committed_at`` is set; *in progress* and *resolved* come after it), the ticket
  is resolved, or a solution date is promised (``tickets.process.promise``). A plan waiting for
  internal approval does not meet it: the customer has been told nothing yet.
* **Resolution** is met when the ticket is resolved.
* While the ticket waits for the customer or for parts (``PAUSED_STATUSES``) every running clock
  pauses; when it leaves, the paused working time is added to the clock and its deadlines move.
* A final status (closed, rejected, cancelled, merged) stops every clock still open.
* Reopening (二次处理) restarts the resolution clock with a fresh target from the reopening.
* At ``warning_share`` of a target the assignee is warned; at the target the clock is breached:
  the ticket's escalation level rises by one and the assignee and supervisors are told; after
  ``escalate_after_minutes`` more working time the supervisors are told again (escalated).

Warnings, breaches and escalations are guarded by their timestamps under a row lock, so a job
that runs twice, late, or beside the sweep does each exactly once.

By idea: ``clocks`` (start; status changes: pause, resume, meet, stop, restart; the first
response; a promised solution date), ``promises`` (a promise that passed unresolved), ``terms`` (a new priority or customer tier: the new policy's targets), ``checks``
(warn, breach, escalate; the sweep); ``common`` holds the deadlines, the scheduling and the
ticket's mirrored columns. Import from ``aftersales.sla.services``.
"""

from __future__ import annotations

from .checks import (
    BREACH_BODY,
    BREACH_SUBJECT,
    ESCALATE_BODY,
    ESCALATE_SUBJECT,
    SWEEP_BATCH,
    WARN_BODY,
    WARN_SUBJECT,
    sla_check_clock,
    sla_sweep,
)
from .clocks import (
    sla_audit_started,
    sla_on_solution_promised,
    sla_on_status_change,
    sla_record_first_response,
    sla_start_for_ticket,
)
from .common import OPEN_CLOCK, SOLUTION_STATUSES, sla_ticket_deadlines
from .promises import sla_warn_overdue_promise, sla_warn_overdue_promises
from .terms import sla_on_terms_change

__all__ = [
    "BREACH_BODY",
    "BREACH_SUBJECT",
    "ESCALATE_BODY",
    "ESCALATE_SUBJECT",
    "OPEN_CLOCK",
    "SOLUTION_STATUSES",
    "SWEEP_BATCH",
    "WARN_BODY",
    "WARN_SUBJECT",
    "sla_audit_started",
    "sla_check_clock",
    "sla_on_solution_promised",
    "sla_on_status_change",
    "sla_on_terms_change",
    "sla_record_first_response",
    "sla_start_for_ticket",
    "sla_sweep",
    "sla_ticket_deadlines",
    "sla_warn_overdue_promise",
    "sla_warn_overdue_promises",
]
