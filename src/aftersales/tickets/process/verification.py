"""Verification, classification, responsibility, rejection, cancellation, merging (SPEC §2.2–2.4)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.parties.models import ResponsibleParty
from aftersales.parties.services import party_for_responsibility

from ..choices import Cause, EventKind, Nature, Priority, RequestType, Responsibility, Severity
from ..counts import ticket_counts_change
from ..effects import TICKET_CLASSIFIED
from ..locking import lock_tickets
from ..models import Ticket, TicketCategory
from ..services.first_response import CustomerContact, FirstResponseVia, ticket_record_first_response
from ..states import FINAL_STATUSES, TicketStatus
from .common import lock_for_action, move, optional_text, required_text, save_fields, timeline
from .notify import notify_customer, ticket_link

S = TicketStatus


def _service_hotline() -> object:
    """The hotline's number for a message (setting ``SERVICE_HOTLINE``), else "our service hotline"
    (lazy: said in the customer's language when the message is written)."""
    number = str(getattr(settings, "SERVICE_HOTLINE", "") or "").strip()
    return number or _("our service hotline")


@transaction.atomic
def ticket_start_verification(*, ticket: Ticket, actor: User, expected_version: int | None = None) -> Ticket:
    """Begin checking a registered ticket (→ VERIFYING)."""
    locked = lock_for_action(ticket=ticket, actor=actor, action="start_verification", expected_version=expected_version)
    return move(ticket=locked, to=S.VERIFYING, actor=actor, text=deferred(_("Verification started.")))


@transaction.atomic
def ticket_request_information(*, ticket: Ticket, actor: User, missing: str, expected_version: int | None = None) -> Ticket:
    """Ask the customer for what is missing (→ AWAITING_INFO; the SLA clock pauses there).

    The request is a public timeline message and is sent to the customer.
    """
    text = required_text(missing, field="missing", message=_("Say what the customer should send."))
    locked = lock_for_action(ticket=ticket, actor=actor, action="request_information", expected_version=expected_version)
    locked = save_fields(ticket=locked, actor=actor, action="information_requested", changes={"verification_missing": text})
    request_event = timeline(
        ticket=locked, actor=actor, body=text, public=True, kind=EventKind.MESSAGE_OUT, data={"action": "information_requested"}
    )
    ticket_record_first_response(ticket=locked, actor=actor, via=FirstResponseVia.INFORMATION_REQUEST, event=request_event)
    notify_customer(
        ticket=locked,
        template="ticket_information_requested",
        subject=_("We need more information for request %(number)s"),
        body=_(
            "to go on with request %(number)s we need the following from you: %(missing)s. "
            "Please answer on your service page (link below) or call %(hotline)s."
        ),
        # Not "reply to our e-mail": many customers have none. The link (absolute) is their page,
        # where they write to us and upload what is missing (docs/portal.md "Writing to us").
        params={"missing": text, "hotline": _service_hotline()},
        link=ticket_link(locked),
        link_text=_("See your request here:"),
    )
    return move(ticket=locked, to=S.AWAITING_INFO, actor=actor, reason=text, public=False)


@transaction.atomic
def ticket_receive_information(*, ticket: Ticket, actor: User, note: str = "", expected_version: int | None = None) -> Ticket:
    """Record that the customer sent what was asked for (→ VERIFYING again)."""
    text = optional_text(note, field="note")
    locked = lock_for_action(ticket=ticket, actor=actor, action="receive_information", expected_version=expected_version)
    locked = save_fields(
        ticket=locked,
        actor=actor,
        action="information_received",
        changes={"last_customer_contact_at": clock.now()},
        body=text,
        kind=EventKind.MESSAGE_IN if text else EventKind.FIELD_CHANGED,
        public=bool(text),
    )
    return move(ticket=locked, to=S.VERIFYING, actor=actor, text=deferred(_("Information received from the customer.")))


@transaction.atomic
def ticket_record_verification(
    *,
    ticket: Ticket,
    actor: User,
    authentic: bool,
    complete: bool,
    missing: str = "",
    note: str = "",
    contact: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Record the verification result; an authentic, complete request goes on to analysis (→ ANALYSING).

    An inauthentic request must be rejected (``ticket_reject``) and an incomplete one needs
    information from the customer (``ticket_request_information``): both are refused here.
    ``contact``: how the agent reached the customer to verify (``CustomerContact``; empty: not
    at all). A contact is a timeline entry and, if it is the first, the first response.
    """
    missing_text = optional_text(missing, field="missing")
    if not complete and not missing_text:
        raise ValidationFailed({"missing": [_("Say what is missing.")]}, code="missing_required")
    if contact and contact not in CustomerContact.values:
        raise ValidationFailed({"contact": [_("Choose how the customer was contacted.")]}, code="contact_invalid")
    locked = lock_for_action(ticket=ticket, actor=actor, action="record_verification", expected_version=expected_version)
    locked = save_fields(
        ticket=locked,
        actor=actor,
        action="verified",
        changes={
            "verified_authentic": authentic,
            "verified_complete": complete,
            "verification_missing": missing_text,
            "verified_at": clock.now(),
            "verified_by": actor,
        },
        body=optional_text(note, field="note"),
    )
    if contact:
        how = CustomerContact(contact)
        event = timeline(
            ticket=locked,
            actor=actor,
            kind=EventKind.MESSAGE_OUT if how == CustomerContact.MESSAGE else EventKind.CALL,
            text=deferred(_("Contacted the customer to verify the request (%(how)s)."), how=how.label),
            data={"action": "verification_contact", "contact": how.value},
        )
        ticket_record_first_response(ticket=locked, actor=actor, via=FirstResponseVia.VERIFICATION, event=event)
    if authentic and complete:
        return move(ticket=locked, to=S.ANALYSING, actor=actor, text=deferred(_("Verified: authentic and complete.")))
    return locked


@transaction.atomic
def ticket_classify(
    *,
    ticket: Ticket,
    actor: User | None,
    category: TicketCategory | None,
    nature: str,
    severity: str,
    request_type: str,
    priority: int,
    safety_hazard: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    """Set category, nature, severity, request type and priority. A safety hazard is always urgent."""
    errors: dict[str, list[object]] = {}
    if nature and nature not in Nature.values:
        errors["nature"] = [_("Choose a valid nature.")]
    if severity and severity not in Severity.values:
        errors["severity"] = [_("Choose a valid severity.")]
    if request_type not in RequestType.values:
        errors["request_type"] = [_("Choose a valid request type.")]
    if priority not in Priority.values:
        errors["priority"] = [_("Choose a valid priority.")]
    if category is not None and not category.active:
        errors["category"] = [_("Choose a valid category.")]
    if errors:
        raise ValidationFailed(errors, code="classification_invalid")
    locked = lock_for_action(ticket=ticket, actor=actor, action="classify", expected_version=expected_version)
    previous_priority = locked.priority
    previous_category = locked.category_id
    locked = save_fields(
        ticket=locked,
        actor=actor,
        action="classified",
        changes={
            "category": category,
            "nature": nature,
            "severity": severity,
            "request_type": request_type,
            # Anything the agent marks as a safety hazard is urgent (SPEC §2.4).
            "priority": Priority.URGENT if safety_hazard else priority,
            "safety_hazard": safety_hazard,
        },
    )
    if locked.category_id != previous_category:
        ticket_counts_change(
            before=(locked.status, previous_category, locked.region_id),
            after=(locked.status, locked.category_id, locked.region_id),
        )
    if locked.category_id != previous_category or locked.priority != previous_priority:
        # The SLA clocks follow the priority: tickets/effects.py.
        TICKET_CLASSIFIED.send(ticket=locked, previous_category_id=previous_category, previous_priority=previous_priority)
    return locked


@transaction.atomic
def ticket_set_responsibility(
    *,
    ticket: Ticket,
    actor: User,
    responsibility: str,
    party: str = "",
    cause: str = "",
    cause_detail: str = "",
    expected_version: int | None = None,
) -> Ticket:
    """Decide who is responsible (internal + department, third party + which, customer) and why.

    ``party`` names an entry of the register of responsible parties (its code, or its name as
    compared) of a kind the responsibility allows (``parties.kinds``): internal a department, a
    third party a supplier, logistics company or service outlet; a new name is registered
    (``party_for_responsibility``); the customer names none. The ticket keeps the party's name
    as it is now (``responsible_party``) beside the reference."""
    errors: dict[str, list[object]] = {}
    codes: list[str] = []
    party_text = optional_text(party, field="party", limit=128)
    entry: ResponsibleParty | None = None
    if responsibility not in Responsibility.values:
        errors["responsibility"] = [_("Choose who is responsible.")]
    elif responsibility in {Responsibility.INTERNAL, Responsibility.THIRD_PARTY} and not party_text:
        errors["party"] = [_("Name the department or the third party.")]
    elif party_text and responsibility != Responsibility.CUSTOMER:
        try:
            entry = party_for_responsibility(responsibility=responsibility, party=party_text, actor=actor)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            codes.append(str(exc.code))
    if cause and cause not in Cause.values:
        errors["cause"] = [_("Choose a valid cause.")]
    if errors:
        raise ValidationFailed(errors, code=codes[0] if codes and list(errors) == ["party"] else "responsibility_invalid")
    locked = lock_for_action(ticket=ticket, actor=actor, action="set_responsibility", expected_version=expected_version)
    return save_fields(
        ticket=locked,
        actor=actor,
        action="responsibility_set",
        changes={
            "responsibility": responsibility,
            "responsible_party": entry.name if entry is not None else "",
            "responsible_party_ref": entry,
            "cause": cause,
            "cause_detail": optional_text(cause_detail, field="cause_detail"),
        },
    )


@transaction.atomic
def ticket_reject(*, ticket: Ticket, actor: User, reason: str, expected_version: int | None = None) -> Ticket:
    """Reject an invalid request (→ REJECTED); the reason is required and shown to the customer."""
    text = required_text(reason, field="reason", message=_("Give the reason for the rejection."))
    locked = lock_for_action(ticket=ticket, actor=actor, action="reject", expected_version=expected_version)
    moved = move(ticket=locked, to=S.REJECTED, actor=actor, reason=text)
    # The reason is sent to the customer: customer-facing (the status change is its entry).
    ticket_record_first_response(ticket=moved, actor=actor, via=FirstResponseVia.REJECTION)
    notify_customer(
        ticket=moved,
        template="ticket_rejected",
        subject=_("Your request %(number)s was not accepted"),
        body=_("we could not accept request %(number)s: %(reason)s"),
        params={"reason": text},
    )
    return moved


@transaction.atomic
def ticket_cancel(*, ticket: Ticket, actor: User, reason: str, expected_version: int | None = None) -> Ticket:
    """Cancel before execution (→ CANCELLED): the customer their own ticket, or an agent for them."""
    text = required_text(reason, field="reason", message=_("Give the reason for the cancellation."))
    locked = lock_for_action(ticket=ticket, actor=actor, action="cancel", expected_version=expected_version)
    return move(ticket=locked, to=S.CANCELLED, actor=actor, reason=text)


# Said to the customer of a merged duplicate (the event ``ticket_merged``, notifications.template_merge).
MERGED_SUBJECT = _("Your request %(number)s continues as %(into)s")
MERGED_BODY = _(
    "your request %(number)s is about the same matter as your request %(into)s, so we combined them: "
    "we continue with everything under %(into)s. Please quote %(into)s from now on."
)


@transaction.atomic
def ticket_merge(*, ticket: Ticket, into: Ticket, actor: User, reason: str = "", expected_version: int | None = None) -> Ticket:
    """Merge a duplicate into another ticket of the same customer that is not final
    (→ MERGED, ``merged_into`` set).

    Allowed until a solution is worked on: registered, verifying, waiting for the customer's
    information and analysing (``states.TRANSITIONS``); from planning on the ticket carries a
    plan, approvals and work of its own, and is cancelled instead. Nothing moves: the merged
    ticket keeps its timeline, messages and files (its page links to the target), the target's
    timeline says "merged from". The customer is told, on their channels and in their language,
    which ticket now carries their request (``ticket_merged``, with their link to it): once, as
    a merged ticket is final."""
    if into.pk == ticket.pk:
        raise ValidationFailed({"into": [_("A ticket cannot be merged into itself.")]}, code="merge_into_self")
    # Both rows in key order: two merges in opposite directions cannot deadlock.
    target = lock_tickets(ticket.pk, into.pk)[into.pk]
    locked = lock_for_action(ticket=ticket, actor=actor, action="merge", expected_version=expected_version)
    if target.customer_id != locked.customer_id:
        raise ValidationFailed({"into": [_("Only tickets of the same customer can be merged.")]}, code="merge_other_customer")
    if target.status in FINAL_STATUSES:
        raise DomainError(_("The ticket to merge into is already closed."), code="merge_into_final", field="into")
    if target.merged_into_id is not None:
        raise DomainError(_("The ticket to merge into was itself merged."), code="merge_into_merged", field="into")
    text = optional_text(reason, field="reason")
    locked = save_fields(
        ticket=locked, actor=actor, action="merged", changes={"merged_into": target}, data={"into": target.number}
    )
    timeline(
        ticket=target,
        actor=actor,
        text=deferred(_("Ticket %(number)s was merged into this one."), number=locked.number),
        data={"action": "merged_from", "from": locked.number},
    )
    moved = move(
        ticket=locked,
        to=S.MERGED,
        actor=actor,
        reason=text,
        text=deferred(_("Merged into %(number)s."), number=target.number),
    )
    notify_customer(
        ticket=moved,
        template="ticket_merged",
        subject=MERGED_SUBJECT,
        body=MERGED_BODY,
        params={"into": target.number},
        link=ticket_link(target),
        link_text=_("Follow your request here:"),
    )
    return moved
