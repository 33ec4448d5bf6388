"""One-time secrets in outbox rows (issue 21): a password reset code sent by SMS is in the
message body until the message has left. Once it is delivered — or has failed for good after
the last retry — the code is replaced by ``******`` in the stored body and error; the row stays
for the audit trail (who was sent what kind of message, when, with what outcome). The body is
never written to a log nor shown in the admin with the code in it (``redacted`` everywhere).

Which templates carry a secret, and what it looks like, is declared here: the SMS reset code
(``accounts.effects.SMS_RESET_TEMPLATE``, six digits; any run of 4–8 digits is taken to be a
code so a longer code in the future is covered too); the portal's sign-up and sign-in codes
(``accounts.login_code.PHONE_CODE_TEMPLATE``) alike; the portal invitation's one-time link
(``customers.portal_accounts.PORTAL_INVITE_TEMPLATE``)."""

from __future__ import annotations

import re

from aftersales.accounts.effects import SMS_RESET_TEMPLATE
from aftersales.accounts.login_code import PHONE_CODE_TEMPLATE
from aftersales.customers.portal_accounts import PORTAL_INVITE_TEMPLATE

MASK = "******"
ONE_TIME_CODE = re.compile(r"(?<!\d)\d{4,8}(?!\d)")
# The portal invitation's link sets the customer's password once (docs/portal.md): every URL in
# the text and values, and its short link's path (``s/<code>``; the bare short code is not stored).
ONE_TIME_LINK = re.compile(r"https?://\S+|(?<![\w/])s/[0-9a-z]{6,16}\b")

SECRET_TEMPLATES: dict[str, re.Pattern[str]] = {
    SMS_RESET_TEMPLATE: ONE_TIME_CODE,
    PHONE_CODE_TEMPLATE: ONE_TIME_CODE,  # the portal's sign-up and sign-in codes (accounts.login_code)
    PORTAL_INVITE_TEMPLATE: ONE_TIME_LINK,
}


def holds_secret(template: str) -> bool:
    return template in SECRET_TEMPLATES


def redacted(template: str, text: str) -> str:
    """``text`` of a message of ``template`` without its one-time secret (unchanged for the
    templates that carry none)."""
    pattern = SECRET_TEMPLATES.get(template)
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)
