"""One-time secrets in outbox rows (issue 21): a password reset code sent by SMS is in the
message body until the message has left. Once it is delivered — or has failed for good after
the last retry — the code is replaced by ``******`` in the stored body and error; the row stays
for the audit trail (who was sent what kind of message, when, with what outcome). The body is
never written to a log nor shown in the admin with the code in it (``redacted`` everywhere).

Which templates carry a secret, and what it looks like, is declared here: the SMS reset code
(``accounts.effects.SMS_RESET_TEMPLATE``, six digits; any run of 4–8 digits is taken to be a
code so a longer code in the future is covered too)."""

from __future__ import annotations

import re

from aftersales.accounts.effects import SMS_RESET_TEMPLATE

MASK = "******"
ONE_TIME_CODE = re.compile(r"(?<!\d)\d{4,8}(?!\d)")

SECRET_TEMPLATES: dict[str, re.Pattern[str]] = {SMS_RESET_TEMPLATE: ONE_TIME_CODE}


def holds_secret(template: str) -> bool:
    return template in SECRET_TEMPLATES


def redacted(template: str, text: str) -> str:
    """``text`` of a message of ``template`` without its one-time secret (unchanged for the
    templates that carry none)."""
    pattern = SECRET_TEMPLATES.get(template)
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)
