"""What the travel steps tell people, in-app in each recipient's language (the editable staff
events ``travel.…`` of ``notifications.template_staff_events``), with the absolute link to the
document:

* the technician: his advance approved, rejected (with the reason) or paid out; his
  reimbursement posted (what he is paid or must return; closed at once when nothing moves) and
  closed;
* finance (the finance users whose data scope holds the technician, ``permissions.finance_for``):
  an advance approved that waits to be paid;
* both: a paid advance overdue for settlement (``settlement``; the daily reminder job);
* the reviewers of his trip logs (``trip_permissions.reviewers_for``: finance, supervisors and
  administrators whose scope holds him): a log submitted for review, once per submission;
* the technician: his trip log approved (the hours and the labour cost fixed) or returned for
  correction (with the reason) — the events of ``notifications.template_trips``.

Written in the step's own transaction, as every other app's messages are (the outbox row commits
with the step, so a crash loses neither), in a savepoint of its own: a message that cannot be
queued is logged and rolled back alone, the step stays done.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.db import transaction
from django.urls import reverse

from aftersales.accounts.models import User
from aftersales.notifications.services import notify_staff

from .models import CashAdvance, Reimbursement, Trip
from .permissions import finance_for
from .trip_permissions import reviewers_for

logger = logging.getLogger(__name__)


def _yuan(amount: Decimal) -> str:
    return f"{abs(amount):.2f}"


def _with_the_step(what: str, send: Callable[[], object]) -> None:
    """Run ``send`` in a savepoint of the step's transaction; any error is logged and rolled back
    to the savepoint, never raised into the step."""
    try:
        with transaction.atomic():
            send()
    except Exception:
        logger.exception("travel: could not queue the message %s", what)


def _tell(users: Iterable[User], event: str, path: str, params: dict[str, str]) -> None:
    notify_staff(users=users, template=event, params=params, link=path)


def _advance_path(advance: CashAdvance) -> str:
    return reverse("travel:advance", args=[advance.number])


def _reimbursement_path(reimbursement: Reimbursement) -> str:
    return reverse("travel:reimbursement", args=[reimbursement.number])


def advance_approved(advance: CashAdvance, *, actor: User) -> None:
    """The technician hears it is approved; finance in scope that it waits to be paid (not the
    approver himself)."""
    params = {"number": advance.number, "amount": _yuan(advance.amount)}
    path = _advance_path(advance)

    def send() -> None:
        technician = advance.technician
        _tell([technician], "travel.advance_approved", path, params)
        payers = list(finance_for(technician).exclude(pk=actor.pk))
        _tell(payers, "travel.advance_to_pay", path, {**params, "technician": str(technician)})

    _with_the_step(f"travel.advance_approved {advance.number}", send)


def advance_rejected(advance: CashAdvance) -> None:
    params = {"number": advance.number, "amount": _yuan(advance.amount), "reason": advance.reject_reason}
    path = _advance_path(advance)
    _with_the_step(
        f"travel.advance_rejected {advance.number}",
        lambda: _tell([advance.technician], "travel.advance_rejected", path, params),
    )


def advance_paid(advance: CashAdvance) -> None:
    params = {"number": advance.number, "amount": _yuan(advance.amount), "reference": advance.payment_reference}
    path = _advance_path(advance)
    _with_the_step(
        f"travel.advance_paid {advance.number}", lambda: _tell([advance.technician], "travel.advance_paid", path, params)
    )


def reimbursement_posted(reimbursement: Reimbursement) -> None:
    """What he is paid (net above 0), must return (below 0), or that nothing moves (0: the
    reimbursement is closed with the posting, one message says both)."""
    event = f"travel.reimbursement_posted.{reimbursement.direction}"
    params = {
        "number": reimbursement.number,
        "claims": _yuan(reimbursement.total_claims),
        "advances": _yuan(reimbursement.total_advances),
        "amount": _yuan(reimbursement.net),
    }
    path = _reimbursement_path(reimbursement)
    _with_the_step(f"{event} {reimbursement.number}", lambda: _tell([reimbursement.technician], event, path, params))


def reimbursement_closed(reimbursement: Reimbursement) -> None:
    """Finance paid him the net, or received the cash he returned (a net of 0 closes on posting:
    ``reimbursement_posted`` told him)."""
    if reimbursement.direction == "even":
        return
    event = f"travel.reimbursement_closed.{reimbursement.direction}"
    params = {
        "number": reimbursement.number,
        "amount": _yuan(reimbursement.net),
        "reference": reimbursement.payout_reference,
    }
    path = _reimbursement_path(reimbursement)
    _with_the_step(f"{event} {reimbursement.number}", lambda: _tell([reimbursement.technician], event, path, params))


def advance_overdue(advance: CashAdvance, *, days_since_paid: int, due_on: dt.date) -> None:
    """The technician and finance in scope (those told of an advance to pay) hear that his paid
    advance is overdue for settlement (``services.reminders``: once per period)."""
    technician = advance.technician
    params = {
        "number": advance.number,
        "amount": _yuan(advance.amount),
        "technician": str(technician),
        "days": str(days_since_paid),
        "due": due_on.isoformat(),
    }
    path = _advance_path(advance)
    _with_the_step(
        f"travel.advance_overdue {advance.number}",
        lambda: _tell([technician, *finance_for(technician)], "travel.advance_overdue", path, params),
    )


def _trip_path(trip: Trip) -> str:
    return reverse("travel:trip", args=[trip.number])


def trip_submitted(trip: Trip, *, hours: Decimal) -> None:
    """Every reviewer of the technician's logs hears, once per submission, that this one waits."""
    technician = trip.technician
    days = " – ".join(day.isoformat() for day in (trip.departed_on, trip.returned_on) if day is not None)
    params = {"number": trip.number, "technician": str(technician), "days": days, "hours": f"{hours:.2f}"}
    path = _trip_path(trip)
    _with_the_step(
        f"travel.trip_submitted {trip.number}",
        lambda: _tell(list(reviewers_for(technician)), "travel.trip_submitted", path, params),
    )


def trip_approved(trip: Trip, *, hours: Decimal, cost: Decimal) -> None:
    """The technician hears his log is approved, with the hours approved on work orders and the
    labour cost fixed."""
    params = {"number": trip.number, "hours": f"{hours:.2f}", "cost": _yuan(cost)}
    path = _trip_path(trip)
    _with_the_step(f"travel.trip_approved {trip.number}", lambda: _tell([trip.technician], "travel.trip_approved", path, params))


def trip_returned(trip: Trip) -> None:
    params = {"number": trip.number, "reason": trip.return_reason}
    path = _trip_path(trip)
    _with_the_step(f"travel.trip_returned {trip.number}", lambda: _tell([trip.technician], "travel.trip_returned", path, params))
