"""What the travel app does when a lower app's change sets it off (``core.hooks``): the staff
handover (``accounts.effects``)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User

from .models import AdvanceStatus, CashAdvance

KIND = "travel_advances"


def _outstanding(user: User) -> list[Holding]:
    """Cash advances paid out to ``user`` and not settled: money is settled by a reimbursement
    (or returned), never handed to someone else; finance sees to it. Not moved."""
    count = CashAdvance.objects.filter(technician=user, status=AdvanceStatus.PAID).count()
    url = reverse("travel:queue") + "?" + urlencode({"technician": user.username, "advance_status": AdvanceStatus.PAID})
    return [
        Holding(kind=KIND, label=_("Cash advances paid out, not settled: settle with finance"), count=count, url=url, moved=False)
    ]


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: the outstanding cash advances (attention)."""
    return _outstanding(user)


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: the outstanding cash advances, listed for finance (nothing moves)."""
    return _outstanding(user)
