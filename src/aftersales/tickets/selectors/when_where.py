"""When and where a ticket's request happened, and what of it is missing (SPEC §2.1).

The web forms require both (``tickets.when_where``); the API and e-mail intake do not, so the
verification step lists what a ticket lacks (``WhenWhere.missing``) and "Request information"
starts from a request for it (``missing_request_text``).

How sure the "when" is (a date only, about then, unknown) is kept in the registered timeline
entry's data; a later "Correct details" of the time (a full date and time) supersedes it. One
query, remembered on the ticket instance for the rest of the request (the ticket card and the
verification forms of one page share it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..choices import EventKind
from ..models import Ticket, TicketEvent
from ..when_where import ABOUT_KEY, PRECISION_KEY, Precision

WHEN = "when"
WHERE = "where"
_CACHE = "_when_where"

# What the staff read (in their language) and what the customer is asked for (in theirs).
MISSING_LABELS = {WHEN: _("When it happened"), WHERE: _("Where it happened (the address)")}
MISSING_REQUESTS = {
    WHEN: _("when the problem happened (the date, and the time if you know it)"),
    WHERE: _("where the product is (the full address)"),
}


@dataclass(frozen=True)
class WhenWhere:
    """``precision``: ``Precision`` value, "" when nothing was said (an API ticket without a
    time); ``about``: the date is approximate; ``missing``: ``WHEN``/``WHERE`` keys."""

    occurred_at: Any
    precision: str
    about: bool
    place: str
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def missing_labels(self) -> list[Any]:
        return [MISSING_LABELS[key] for key in self.missing]

    @property
    def when_text(self) -> str:
        """The "when" as the ticket page shows it, in the reader's language."""
        if self.occurred_at is None:
            return gettext("Unknown (the customer doesn't remember)") if self.precision == Precision.UNKNOWN else "—"
        local = timezone.localtime(self.occurred_at)
        shown = local.strftime("%Y-%m-%d") if self.precision == Precision.DAY else local.strftime("%Y-%m-%d %H:%M")
        return gettext("about %(when)s") % {"when": shown} if self.about else shown


def _place(ticket: Ticket) -> str:
    return " ".join(part for part in (ticket.province, ticket.city, ticket.district, ticket.address) if part)


def ticket_when_where(ticket: Ticket) -> WhenWhere:
    """The ticket's "when and where" and what of it is missing (remembered on the instance)."""
    cached: WhenWhere | None = ticket.__dict__.get(_CACHE)
    if cached is not None:
        return cached
    precision, about = (Precision.TIME if ticket.occurred_at is not None else ""), False
    rows = (
        TicketEvent.objects.filter(ticket_id=ticket.pk)
        .filter(Q(kind=EventKind.CREATED) | Q(kind=EventKind.FIELD_CHANGED, data__action="correct_details"))
        .order_by("-created_at", "-id")
        .values_list("kind", "data")
    )
    for kind, data in rows:
        data = data or {}
        if kind == EventKind.CREATED:
            said = data.get(PRECISION_KEY)
            if said in Precision.values and (said == Precision.UNKNOWN) == (ticket.occurred_at is None):
                precision, about = said, bool(data.get(ABOUT_KEY))
            break
        if "occurred_at" in (data.get("fields") or ()):
            break  # corrected since: a full date and time (or cleared), as the correction gave it
    missing: list[str] = []
    if ticket.occurred_at is None and precision != Precision.UNKNOWN:
        missing.append(WHEN)
    if not (ticket.address or ticket.city):
        missing.append(WHERE)
    found = WhenWhere(ticket.occurred_at, precision, about, _place(ticket), tuple(missing))
    ticket.__dict__[_CACHE] = found
    return found


def missing_request_text(ticket: Ticket) -> str:
    """The request for the missing facts, in the customer's language (it is sent to them);
    "" when nothing is missing."""
    found = ticket_when_where(ticket)
    if not found.missing:
        return ""
    with translation.override(ticket.customer.language or None):
        asks = [str(MISSING_REQUESTS[key]) for key in found.missing]
        if len(asks) == 1:
            return asks[0]
        return gettext("%(first)s; %(second)s") % {"first": asks[0], "second": asks[1]}
