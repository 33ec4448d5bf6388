"""What the accounts app's changes set off in the apps built on it (see ``core.hooks``).

``accounts`` is the lowest app and imports none of these; each list names its receivers by
dotted path, run in the change's transaction.
"""

from __future__ import annotations

from aftersales.core.hooks import hook

# The outbox template of that SMS: its one-time code is redacted from the outbox row once the
# message is delivered or has failed for good (``notifications.redaction``), never logged.
SMS_RESET_TEMPLATE = "password_reset_sms"

# A password reset code was issued for an SMS (``accounts.sms_reset``): send it.
# kwargs: user, phone (E.164), code (six digits), language, minutes (how long it is valid).
SMS_RESET_CODE_ISSUED = hook(
    "sms_reset_code_issued",
    "aftersales.portal.receivers.sms_reset_code_issued",  # the SMS through the notifications outbox
)

# The staff handover (accounts/offboarding.py, docs/staff-handover.md): each app that holds a
# person's work answers for it, in this order (tickets before what hangs on a ticket, the lock
# order). Each receiver returns a list of ``accounts.handover.Holding``.
#
# What the person holds now, a count per kind (one COUNT each). kwargs: user.
STAFF_HOLDINGS = hook(
    "staff_holdings",
    "aftersales.tickets.receivers.staff_holdings",  # open tickets assigned
    "aftersales.fieldservice.receivers.staff_holdings",  # work orders dispatched and not done
    "aftersales.revisits.receivers.staff_holdings",  # open revisit calls assigned
    "aftersales.appraisal.receivers.staff_holdings",  # appraisals assigned and not signed
    "aftersales.quality.receivers.staff_holdings",  # improvement actions owned and not closed
    "aftersales.crisis.receivers.staff_holdings",  # places on open crises' response teams, their tasks
    "aftersales.parts.receivers.staff_holdings",  # the technician's van stock, requisitions into it
    "aftersales.reports.receivers.staff_holdings",  # active report subscriptions
    "aftersales.api.receivers.staff_holdings",  # API keys not revoked
    "aftersales.travel.receivers.staff_holdings",  # cash advances paid out, not settled (attention)
)
# The person leaves: each app moves their items through its own services, in the offboarding's
# transaction (a receiver that raises undoes the whole handover), and returns what it moved
# (``moved=False``: what stays for a person to see to). kwargs: user, successor (User | None),
# actor, now.
STAFF_LEAVING = hook(
    "staff_leaving",
    "aftersales.tickets.receivers.staff_leaving",  # to the successor, or back to the team's queue
    "aftersales.fieldservice.receivers.staff_leaving",  # back to dispatch
    "aftersales.revisits.receivers.staff_leaving",  # to the successor, or unassigned
    "aftersales.appraisal.receivers.staff_leaving",  # to the successor, or back to the requests
    "aftersales.quality.receivers.staff_leaving",  # to the successor; else they need a new owner
    # crisis before parts: the crisis services lock the crisis before any stock row
    "aftersales.crisis.receivers.staff_leaving",  # to a successor who handles crises; else removed
    "aftersales.parts.receivers.staff_leaving",  # van stock to the successor's van or a warehouse
    "aftersales.reports.receivers.staff_leaving",  # paused
    "aftersales.api.receivers.staff_leaving",  # revoked
    "aftersales.travel.receivers.staff_leaving",  # listed for finance: money is settled, not moved
)
# The handover is done (the person deactivated, their sessions ended): the audit row
# ``account.offboarded`` (accounts sits below audit). kwargs: user, actor, successor, reason,
# moved ({kind: count}), attention ({kind: count}), was_active (False: inactive already, only its work handed over).
STAFF_OFFBOARDED = hook(
    "staff_offboarded",
    "aftersales.audit.receivers.staff_offboarded",
)

# A sign-up or sign-in code was made (accounts.login_code): send it. kwargs: purpose, phone (E.164), code (six digits), language, minutes.
PHONE_CODE_ISSUED = hook(
    "phone_code_issued",
    "aftersales.portal.receivers.phone_code_issued",  # the SMS through the notifications outbox
)

# A user became a technician: made one, or their role changed to technician, in the admin
# (``accounts.admin.UserAdmin.save_model``, in its transaction): field service gives them a
# technician profile (their region as its region), so that dispatch suggests them at once.
# kwargs: user, actor.
USER_BECAME_TECHNICIAN = hook(
    "user_became_technician",
    "aftersales.fieldservice.receivers.user_became_technician",
)

# ``manage.py create_administrator`` made an administrator (``promoted``: an existing account
# became one), in the command's transaction. kwargs: user, promoted, before (the promoted
# account's role, data scope and superuser flag before; empty for a new account).
ADMINISTRATOR_CREATED = hook(
    "administrator_created",
    "aftersales.audit.receivers.administrator_created",  # one audit row
)
