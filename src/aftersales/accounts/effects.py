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
