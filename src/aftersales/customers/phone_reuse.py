"""A phone number given to somebody else (二次放号): the sign-up's second proof, and the flag
staff review (docs/portal.md, "A number given to somebody else").

Chinese carriers give a number that was given up to a new subscriber after a while. The code by
SMS proves who holds the number *now*; it does not prove that they are the customer we knew by it.
So before a sign-up gets a customer record's history (tickets, product units, addresses), the
new holder answers one detail of it (``phone_check_answer``) when the record

* has a history (an address, a ticket or a registered unit), or
* may have been given up: nothing confirmed the number for ``PORTAL_PHONE_STALE_DAYS`` (365) —
  the record's newest ticket (or, without any, its registration) is older.

**The same prompt every time** (``CHECK_PROMPT``): the full name on the record, the last four
characters of a registered unit's serial number, or a ticket number; one field takes any of them,
so the question never says which of them the record has. At most ``PORTAL_PHONE_CHECK_TRIES`` (3)
wrong answers per number within 24 hours, whatever code or browser they come with; then the check
is locked (``customer.phone_check_locked``). Someone who cannot answer (locked) or says the record
is not theirs (``phone_check_decline``) gets a **new customer** without the history, and each record
they could not confirm gets a ``PhoneReuseFlag`` — "phone number now used by another person" —
that the staff's customer page shows until a member of staff reviews it
(``phone_reuse_flag_review``). Every step is an audit row on the record (``customer.phone_check_*``,
``customer.phone_reuse_*``); no answer is ever stored.

``customers`` sits below tickets and the catalogue: a record's tickets and units are read through
the reverse relations those apps declare on ``Customer`` (``tickets``, ``units``), by name, never
imported (docs/architecture.md, "Direction of imports").
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from aftersales.accounts.login_code import signup_proof_valid
from aftersales.accounts.models import PhoneCode, PhoneCodePurpose, User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.i18n import actor_code

from .audit_actions import CustomerAudit
from .models import Customer, PhoneCheck, PhoneCheckOutcome, PhoneReuseFlag, PhoneReuseReason
from .permissions import can_edit_customers

CHECK_WINDOW = dt.timedelta(hours=24)
ANSWER_FIELD = "history_answer"
ANSWER_MAX_LENGTH = 64
MIN_ANSWER_LENGTH = 2
SERIAL_TAIL = 4
# The staff customer page's form value of "Reviewed" (the flag's part, ``templatetags.phone_reuse``).
REVIEW_ACTION = "phone_reuse_reviewed"
# Enough of a record's tickets and units to find the one the customer names (newest first).
LOOKUP_LIMIT = 500

CHECK_PROMPT = _(
    "This number is in our records from earlier service. To see that history in your account, confirm one detail "
    "of it: the full name on the record, the last 4 characters of the serial number of a product registered to it, "
    "or the number of one of its service requests."
)


def check_tries() -> int:
    """Wrong answers a number may give within 24 hours (``PORTAL_PHONE_CHECK_TRIES``, default 3)."""
    return max(1, int(getattr(settings, "PORTAL_PHONE_CHECK_TRIES", 3)))


def stale_days() -> int:
    """After this many days without a ticket a number may have been given to somebody else
    (``PORTAL_PHONE_STALE_DAYS``, default 365)."""
    return max(1, int(getattr(settings, "PORTAL_PHONE_STALE_DAYS", 365)))


def channel_label(channel: str) -> str:
    """The audit rows' actor for a sign-up through ``channel`` (``web`` or ``app``)."""
    return actor_code("channel", channel)


# --- Which records owe a second proof --------------------------------------------------------------


def _related(customer: Customer, name: str) -> Any:
    """A reverse relation an app above declares on ``Customer`` (``tickets``, ``units``)."""
    return getattr(customer, name)


def needs_second_proof(customer: Customer, *, now: dt.datetime | None = None) -> bool:
    """Whether a sign-up may get ``customer``'s record only after the second proof: it has a
    history (an address, a ticket, a unit), or its number may have been given up (no ticket and
    no registration within ``stale_days``)."""
    if customer.addresses.exists() or _related(customer, "units").exists() or _related(customer, "tickets").exists():
        return True
    # No ticket since: the registration was the last time the number was confirmed.
    now = now or clock.now()
    return customer.created_at is not None and customer.created_at < now - dt.timedelta(days=stale_days())


def second_proof_customers(*, phone: str, customers: list[Customer] | None = None) -> list[Customer]:
    """The records with ``phone`` (not erased, no account) that a sign-up gets only after the
    second proof, oldest first; ``customers``: those records, already read (and locked)."""
    if customers is None:
        customers = list(Customer.objects.filter(phone=phone, erased_at__isnull=True, user__isnull=True).order_by("pk"))
    now = clock.now()
    return [c for c in customers if c.user_id is None and c.erased_at is None and needs_second_proof(c, now=now)]


# --- The answer ------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    """Compared without case, width, spaces and punctuation: ``SN-2026 0123`` = ``sn20260123``."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text or "").casefold() if ch.isalnum())


def _words(text: str) -> list[str]:
    cleaned = "".join(ch if ch.isalnum() else " " for ch in unicodedata.normalize("NFKC", text or "").casefold())
    return sorted(cleaned.split())


def answer_matches(customer: Customer, answer: str) -> bool:
    """Whether ``answer`` is a detail of ``customer``'s record: the full name (its words in any
    order: ``Min Zhao`` for ``Zhao Min``), the last four (or more) characters of a registered
    unit's serial number, or one of its ticket numbers."""
    given = _norm(answer)
    if len(given) < MIN_ANSWER_LENGTH:
        return False
    if given == _norm(customer.name) or (len(_words(answer)) > 1 and _words(answer) == _words(customer.name)):
        return True
    if len(given) >= SERIAL_TAIL:
        serials = _related(customer, "units").order_by("-pk").values_list("serial_number", flat=True)[:LOOKUP_LIMIT]
        if any(_norm(serial).endswith(given) for serial in serials):
            return True
    numbers = _related(customer, "tickets").order_by("-pk").values_list("number", flat=True)[:LOOKUP_LIMIT]
    return any(_norm(number) == given for number in numbers)


@dataclass(frozen=True)
class CheckAnswer:
    """The state of the second proof after an answer: ``outcome`` (``PhoneCheckOutcome``; ""
    when none is owed), ``tries_left`` for the number, and ``wrong`` (this answer did not match)."""

    outcome: str
    tries_left: int
    wrong: bool = False

    def message(self) -> str:
        """What the customer is told about a wrong answer or a locked check."""
        if self.outcome == PhoneCheckOutcome.FAILED:
            return str(LOCKED_MESSAGE)
        return ngettext(
            "This does not match our records. You have %(count)d more try.",
            "This does not match our records. You have %(count)d more tries.",
            self.tries_left,
        ) % {"count": self.tries_left}


LOCKED_MESSAGE = _(
    "We could not confirm the earlier records. Your account opens without them; our staff will look at the earlier records."
)


def _proof_expired() -> DomainError:
    return DomainError(
        _("The check of your phone number has expired. Start again: we send you a new code."), code="phone_not_verified"
    )


def _wrong_answers_used(phone: str, *, now: dt.datetime) -> int:
    used = PhoneCheck.objects.filter(
        proof__phone=phone, proof__purpose=PhoneCodePurpose.SIGN_UP, created_at__gte=now - CHECK_WINDOW
    ).aggregate(total=Sum("attempts"))["total"]
    return int(used or 0)


def _locked_check(*, proof_id: int | None, phone: str) -> tuple[PhoneCheck | None, list[Customer]]:
    """The second proof of the verified sign-up code ``proof_id`` (made when first asked), the
    number's codes locked (one answer at a time per number), and the records it is about;
    ``(None, [])`` when no record owes one. ``DomainError`` (``phone_not_verified``) when the code
    is no valid proof."""
    if not signup_proof_valid(code_id=proof_id, phone=phone):
        raise _proof_expired()
    list(PhoneCode.objects.select_for_update().filter(phone=phone, purpose=PhoneCodePurpose.SIGN_UP).order_by("pk"))
    owed = second_proof_customers(phone=phone)
    if not owed:
        return None, []
    check, _created = PhoneCheck.objects.select_for_update().get_or_create(
        proof_id=proof_id, defaults={"created_at": clock.now()}
    )
    return check, owed


def _audit_all(owed: list[Customer], action: CustomerAudit, *, channel: str, changes: dict[str, Any]) -> None:
    for customer in owed:
        audit_record(action=action, obj=customer, actor_label=channel_label(channel), changes=changes)


def _decide(check: PhoneCheck, outcome: str, *, customer: Customer | None = None) -> None:
    check.outcome, check.customer, check.decided_at = outcome, customer, clock.now()
    check.save(update_fields=["outcome", "customer", "decided_at", "attempts"])


def phone_check_decision(*, proof_id: int | None, phone: str) -> tuple[str, int | None]:
    """The outcome of the second proof of the sign-up with the verified code ``proof_id`` (a
    record of ``phone`` owes one): ``open`` until answered — or ``failed`` at once when the
    number used up its tries with earlier codes — and the id of the record it confirmed."""
    check = PhoneCheck.objects.filter(proof_id=proof_id).first() if proof_id else None
    if check is not None:
        return check.outcome, check.customer_id
    if _wrong_answers_used(phone, now=clock.now()) >= check_tries():
        return PhoneCheckOutcome.FAILED, None
    return PhoneCheckOutcome.OPEN, None


def phone_check_state(*, proof_id: int | None, phone: str) -> str:
    """The second proof the sign-up with the verified code ``proof_id`` owes: "" (none: no record
    of the number needs one), else its ``PhoneCheckOutcome`` (``open`` until answered)."""
    if not second_proof_customers(phone=phone):
        return ""
    return phone_check_decision(proof_id=proof_id, phone=phone)[0]


@transaction.atomic
def phone_check_answer(*, proof_id: int | None, phone: str, answer: str, channel: str = "web") -> CheckAnswer:
    """Check ``answer`` against the records of ``phone`` that owe the second proof (the sign-up's
    verified code ``proof_id``). A match passes it (the record is the one the account gets); a
    wrong answer counts for the number (committed: the call does not fail) and, at the last try,
    locks it (``failed``: the sign-up makes a new customer). An answer after the check was
    decided changes nothing. ``ValidationFailed`` on ``history_answer`` for an empty or too long
    answer (not counted)."""
    text = " ".join((answer or "").split())
    if len(_norm(text)) < MIN_ANSWER_LENGTH:
        raise ValidationFailed({ANSWER_FIELD: [_("Enter one of the details asked for.")]}, code="history_answer_required")
    if len(text) > ANSWER_MAX_LENGTH:
        raise ValidationFailed(
            {ANSWER_FIELD: [_("At most %(limit)d characters.") % {"limit": ANSWER_MAX_LENGTH}]}, code="history_answer_too_long"
        )
    check, owed = _locked_check(proof_id=proof_id, phone=phone)
    tries = check_tries()
    if check is None:
        return CheckAnswer(outcome="", tries_left=tries)
    now = clock.now()
    used = _wrong_answers_used(phone, now=now)
    if check.outcome != PhoneCheckOutcome.OPEN:
        return CheckAnswer(outcome=check.outcome, tries_left=max(0, tries - used))
    if used >= tries:  # locked by the wrong answers given with earlier codes
        _decide(check, PhoneCheckOutcome.FAILED)
        _audit_all(owed, CustomerAudit.PHONE_CHECK_LOCKED, channel=channel, changes={"wrong_answers": used, "tries": tries})
        return CheckAnswer(outcome=PhoneCheckOutcome.FAILED, tries_left=0)
    matched = next((c for c in owed if answer_matches(c, text)), None)
    if matched is not None:
        _decide(check, PhoneCheckOutcome.PASSED, customer=matched)
        audit_record(
            action=CustomerAudit.PHONE_CHECK_PASSED,
            obj=matched,
            actor_label=channel_label(channel),
            changes={"wrong_answers": used},
        )
        return CheckAnswer(outcome=PhoneCheckOutcome.PASSED, tries_left=tries - used)
    check.attempts += 1
    used += 1
    left = max(0, tries - used)
    _audit_all(owed, CustomerAudit.PHONE_CHECK_FAILED, channel=channel, changes={"wrong_answers": used, "tries_left": left})
    if left == 0:
        _decide(check, PhoneCheckOutcome.FAILED)
        _audit_all(owed, CustomerAudit.PHONE_CHECK_LOCKED, channel=channel, changes={"wrong_answers": used, "tries": tries})
        return CheckAnswer(outcome=PhoneCheckOutcome.FAILED, tries_left=0, wrong=True)
    check.save(update_fields=["attempts"])
    return CheckAnswer(outcome=PhoneCheckOutcome.OPEN, tries_left=left, wrong=True)


@transaction.atomic
def phone_check_decline(*, proof_id: int | None, phone: str, channel: str = "web") -> str:
    """The new holder says the records of ``phone`` are not theirs (or cannot answer): the
    sign-up makes a new customer and flags the records. Returns the outcome (``declined``, or
    the one decided before; "" when no record owes a second proof)."""
    check, owed = _locked_check(proof_id=proof_id, phone=phone)
    if check is None:
        return ""
    if check.outcome == PhoneCheckOutcome.OPEN:
        _decide(check, PhoneCheckOutcome.DECLINED)
        _audit_all(owed, CustomerAudit.PHONE_CHECK_DECLINED, channel=channel, changes={})
    return check.outcome


def phone_check_required() -> ValidationFailed:
    """The sign-up owes the second proof: the prompt, on ``history_answer``."""
    return ValidationFailed({ANSWER_FIELD: [CHECK_PROMPT]}, code="history_check_required")


# --- The flag --------------------------------------------------------------------------------------


def phone_reuse_flag_raise(
    *, customers: list[Customer], new_customer: Customer, outcome: str, channel: str
) -> list[PhoneReuseFlag]:
    """Flag each record the new holder of the number did not confirm (in the sign-up's
    transaction, after ``new_customer`` was made), audited on the record."""
    reason = PhoneReuseReason.DECLINED if outcome == PhoneCheckOutcome.DECLINED else PhoneReuseReason.FAILED
    now = clock.now()
    flags = []
    for customer in customers:
        flag, created = PhoneReuseFlag.objects.get_or_create(
            customer=customer, new_customer=new_customer, defaults={"reason": reason, "raised_at": now}
        )
        if created:
            audit_record(
                action=CustomerAudit.PHONE_REUSE_FLAGGED,
                obj=customer,
                actor_label=channel_label(channel),
                changes={"reason": reason, "new_customer": new_customer.pk},
            )
        flags.append(flag)
    return flags


def phone_reuse_flags_open(*, customer: Customer) -> list[PhoneReuseFlag]:
    """The flags of ``customer`` that no member of staff reviewed yet, newest first (the
    customer page; ``customer`` was read for the viewer)."""
    return list(
        customer.phone_reuse_flags.filter(reviewed_at__isnull=True).select_related("new_customer").order_by("-raised_at", "-pk")
    )


@transaction.atomic
def phone_reuse_flag_review(*, customer: Customer, flag_id: int, actor: User) -> PhoneReuseFlag:
    """Mark the flag reviewed (the staff checked the record: called the customer, changed or
    kept the phone): it leaves the customer page; audited. Roles that edit customers only."""
    if not can_edit_customers(actor):
        raise PermissionDenied(_("Your role cannot change customers."), code="customer_edit_forbidden")
    flag = PhoneReuseFlag.objects.select_for_update().filter(pk=flag_id, customer=customer).first()
    if flag is None:
        raise NotFound(_("This customer has no such flag."), code="phone_reuse_flag_not_found")
    if flag.reviewed_at is None:
        flag.reviewed_at, flag.reviewed_by = clock.now(), actor
        flag.save(update_fields=["reviewed_at", "reviewed_by"])
        audit_record(
            action=CustomerAudit.PHONE_REUSE_REVIEWED, obj=customer, actor=actor, changes={"flag": flag.pk, "reason": flag.reason}
        )
    return flag
