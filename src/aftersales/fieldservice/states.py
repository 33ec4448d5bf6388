"""The work order's status machine: the one place that says which moves exist."""

from __future__ import annotations

from .models import WorkOrderStatus

W = WorkOrderStatus

TRANSITIONS: dict[str, frozenset[str]] = {
    W.TO_DISPATCH: frozenset({W.DISPATCHED, W.CANCELLED}),
    # dispatched → dispatched is a reassignment to another technician. Back to "to dispatch"
    # only when the technician leaves the company (the staff handover,
    # ``services.work_order_return_to_dispatch``): nobody will come, the dispatcher chooses again.
    # Any status a quote is given in → "quote declined" when the customer says no to it.
    W.DISPATCHED: frozenset({W.ACCEPTED, W.DISPATCHED, W.RESCHEDULED, W.CANCELLED, W.TO_DISPATCH, W.QUOTE_DECLINED}),
    W.ACCEPTED: frozenset({W.ON_THE_WAY, W.DISPATCHED, W.RESCHEDULED, W.CANCELLED, W.TO_DISPATCH, W.QUOTE_DECLINED}),
    W.RESCHEDULED: frozenset({W.ACCEPTED, W.DISPATCHED, W.RESCHEDULED, W.CANCELLED, W.TO_DISPATCH, W.QUOTE_DECLINED}),
    W.ON_THE_WAY: frozenset({W.ON_SITE, W.RESCHEDULED, W.FAILED, W.TO_DISPATCH, W.QUOTE_DECLINED}),
    W.ON_SITE: frozenset({W.DONE, W.FAILED, W.TO_DISPATCH, W.QUOTE_DECLINED}),
    # The customer declined the quote: no step of the work leads on from here. Staff cancel the
    # job, or give a new quote: declined again (→ itself), or confirmed → back to dispatch
    # (``services.quote``), where the dispatcher books the visit again. Nothing else reaches
    # "dispatched" or the visit's steps from here, so the job cannot go on without the
    # customer's "yes" to a new quote.
    W.QUOTE_DECLINED: frozenset({W.QUOTE_DECLINED, W.TO_DISPATCH, W.CANCELLED}),
    W.DONE: frozenset({W.CUSTOMER_ACCEPTED}),
    W.CUSTOMER_ACCEPTED: frozenset(),
    W.CANCELLED: frozenset(),
    W.FAILED: frozenset(),
}

FINAL_STATUSES = frozenset({W.CUSTOMER_ACCEPTED, W.CANCELLED, W.FAILED})
# Still to be done by someone (the technician's load, the dispatcher's board).
OPEN_STATUSES = frozenset({W.TO_DISPATCH, W.DISPATCHED, W.ACCEPTED, W.RESCHEDULED, W.ON_THE_WAY, W.ON_SITE})
# The technician is assigned and works it: address and contact are shown to them.
WITH_TECHNICIAN = frozenset(
    {W.DISPATCHED, W.ACCEPTED, W.RESCHEDULED, W.ON_THE_WAY, W.ON_SITE, W.DONE, W.CUSTOMER_ACCEPTED, W.QUOTE_DECLINED}
)
# A quote is given before the work: from the dispatch until the technician checks out; and again
# once the customer declined one (a new quote). The customer answers it (confirms or declines) in
# the same statuses.
QUOTE_STATUSES = frozenset({W.DISPATCHED, W.ACCEPTED, W.RESCHEDULED, W.ON_THE_WAY, W.ON_SITE, W.QUOTE_DECLINED})


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def statuses_that_allow(target: str) -> frozenset[str]:
    """Every status the table lets a work order leave for ``target`` in one move."""
    return frozenset(current for current, targets in TRANSITIONS.items() if target in targets)
