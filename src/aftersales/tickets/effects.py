"""What a ticket's changes set off in the apps built on tickets: the explicit, ordered lists.

``tickets`` imports none of these apps (see docs/architecture.md, "Direction of imports"); each
list names its receivers by dotted path (``core.hooks``), in the order they run, inside the
transaction of the change. To add a consequence of a status change, add a receiver here.
The acceptance of results (质量验收) declares its hooks beside its services, in
``tickets/process/acceptance.py``.
"""

from __future__ import annotations

from aftersales.core.hooks import hook

# Intake, before the ticket takes its number (the day's counter row is not locked yet). A
# receiver may set the ticket's mirrored columns on the instance (``Ticket.MIRRORED_COLUMNS``,
# written with the number in one UPDATE) and may return a function to call once the ticket is
# numbered (for audit rows that name it). kwargs: ticket.
TICKET_OPENED = hook(
    "ticket_opened",
    "aftersales.crisis.receivers.ticket_opened",  # safety words → urgent before the clocks start
    "aftersales.sla.receivers.ticket_opened",  # clocks started, their deadlines mirrored on the ticket
)

# Intake, after the ticket has its number, its created event and its audit row. kwargs: ticket.
TICKET_CREATED = hook(
    "ticket_created",
    "aftersales.webhooks.receivers.ticket_created",
    "aftersales.crisis.receivers.ticket_created",  # a media report opens an alert at once
)

# A correction of the details (``services.details``) that changed how the ticket came in, after
# the ticket row, the timeline and the audit row. kwargs: ticket (the channel as corrected). A
# media report the agent first filed under another channel opens its alert as intake would have.
TICKET_CHANNEL_CORRECTED = hook(
    "ticket_channel_corrected",
    "aftersales.crisis.receivers.ticket_created",  # channel "social" → the media alert
)

# Every correction of the details (``services.details``: the ticket page, the API, the serial
# number read on site), after the ticket row, the timeline, the audit row and the hook above.
# kwargs: ticket (as corrected), fields (the details that changed: ``details.LABELS``' names).
TICKET_DETAILS_CORRECTED = hook(
    "ticket_details_corrected",
    "aftersales.triage.receivers.ticket_details_corrected",  # what the triage reads changed → it runs again
)

# After the intake committed, in ONE background job for all of them (``tasks.ticket_created_later``,
# ``services/later.py``): work that reads beyond the ticket. An app listed here adds nothing to the
# intake itself. Each runs in its own savepoint; an error is logged and the next runs. kwargs: ticket.
TICKET_CREATED_LATER = hook(
    "ticket_created_later",
    "aftersales.crisis.receivers.ticket_created_later",  # open crises' scope, spike scan
    "aftersales.triage.receivers.ticket_created_later",  # suggestions and likely duplicates
)

# Every status change (``ticket_transition``), after the ticket row, the timeline and the audit
# row. kwargs: ticket (locked, the new status not yet re-read), before, after (TicketStatus), now.
TICKET_STATUS_CHANGED = hook(
    "ticket_status_changed",
    "aftersales.sla.receivers.ticket_status_changed",  # clocks pause, resume, meet, stop, restart
    "aftersales.feedback.receivers.ticket_status_changed",  # resolved → the satisfaction survey
    "aftersales.webhooks.receivers.ticket_status_changed",  # ticket.status_changed
)

# Classification changed the category or the priority. kwargs: ticket, previous_category_id,
# previous_priority.
TICKET_CLASSIFIED = hook(
    "ticket_classified",
    "aftersales.sla.receivers.ticket_classified",  # a new priority → the new policy's targets
    "aftersales.triage.receivers.ticket_classified",  # lowering a system-urgent ticket → triage feedback
)

# The first reply or call to the customer (set once). kwargs: ticket, at.
TICKET_FIRST_RESPONSE = hook(
    "ticket_first_response",
    "aftersales.sla.receivers.ticket_first_response",  # the first-response clock is met
)

# A plan went to the customer for their answer (``process.planning``: straight from the draft or
# after its approval), after the plan's status, the ticket's move to "awaiting customer" and the
# message to the customer. kwargs: ticket (as moved), plan.
PLAN_OFFERED = hook(
    "plan_offered",
    "aftersales.webhooks.receivers.plan_offered",  # plan.offered
)

# The customer accepted or declined the plan offered (``ticket_record_agreement``: the portal,
# the signed link, or an agent recording the answer), after the agreement row and the ticket's
# move. kwargs: ticket, plan (its status agreed or declined), agreement.
PLAN_ANSWERED = hook(
    "plan_answered",
    "aftersales.webhooks.receivers.plan_answered",  # plan.agreed / plan.declined
)

# A solution date was promised to the customer (first or revised; ``process.promise``), after its
# row, the timeline entry, the audit row and the message to the customer. kwargs: ticket (locked),
# promise, now.
TICKET_SOLUTION_PROMISED = hook(
    "ticket_solution_promised",
    "aftersales.sla.receivers.ticket_solution_promised",  # the solution clock is met
    "aftersales.webhooks.receivers.ticket_solution_promised",  # ticket.solution_promised
)
