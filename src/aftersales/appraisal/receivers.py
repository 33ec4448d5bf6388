"""What the appraisal app does when a lower app's change sets it off (``core.hooks``)."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User
from aftersales.tickets.states import FINAL_STATUSES as TICKET_FINAL_STATUSES

from .models import Appraisal
from .permissions import is_appraiser
from .services import appraisal_request_faulty_parts
from .services.handover import appraisal_hand_over
from .states import HANDED_OVER

KIND = "appraisals"


def faulty_parts_received(*, faulty_ids: list[int], actor: User | None) -> None:
    """``parts.effects.FAULTY_PARTS_RECEIVED``: each faulty part received back is appraised as
    an appraisal of kind faulty part (``services.appraisal_request_faulty_parts``)."""
    appraisal_request_faulty_parts(faulty_ids=faulty_ids, actor=actor)


def _held(user: User) -> QuerySet[Appraisal]:
    return Appraisal.objects.filter(appraiser=user, status__in=HANDED_OVER)


def staff_holdings(*, user: User) -> list[Holding]:
    """``accounts.effects.STAFF_HOLDINGS``: the appraisals assigned to ``user``, not signed yet."""
    return [
        Holding(kind=KIND, label=_("Appraisals assigned, not signed"), count=_held(user).count(), url=reverse("appraisal:queue"))
    ]


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``accounts.effects.STAFF_LEAVING``: to the successor when they are an appraiser, else back
    to the requests. One whose ticket is closed cannot change (it is cancelled from the ticket):
    it is left for attention."""
    appraiser = successor if successor is not None and is_appraiser(successor) else None
    held = _held(user)
    stuck = held.filter(ticket__status__in=TICKET_FINAL_STATUSES).count()
    movable = list(held.exclude(ticket__status__in=TICKET_FINAL_STATUSES).order_by("ticket_id", "pk"))
    for appraisal in movable:
        appraisal_hand_over(appraisal=appraisal, actor=actor, appraiser=appraiser)
    url = reverse("appraisal:queue")
    label = _("Appraisals, now the successor's") if appraiser is not None else _("Appraisals, back to the requests")
    found = [Holding(kind=KIND, label=label, count=len(movable), url=url)]
    if stuck:
        found.append(Holding(kind=KIND, label=_("Appraisals on closed tickets: cancel them"), count=stuck, url=url, moved=False))
    return found
