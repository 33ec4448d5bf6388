"""What field service does when a lower app's change sets it off (``core.hooks``): the staff
handover (``accounts.effects``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User

from .models import WorkOrder
from .services.dispatch import RETURNABLE, work_order_return_to_dispatch

KIND = "work_orders"


def staff_holdings(*, user: User) -> list[Holding]:
    """``STAFF_HOLDINGS``: the technician's jobs dispatched and not yet done."""
    count = WorkOrder.objects.filter(technician=user, status__in=RETURNABLE).count()
    return [Holding(kind=KIND, label=_("Work orders dispatched, not yet done"), count=count, url=reverse("fieldservice:board"))]


def staff_leaving(*, user: User, successor: User | None, actor: User, now: dt.datetime) -> list[Holding]:
    """``STAFF_LEAVING``: every such job back to the dispatch board (whoever succeeds: the
    dispatcher chooses a technician for each job). Their tickets first, in key order."""
    jobs = list(WorkOrder.objects.filter(technician=user, status__in=RETURNABLE).order_by("ticket_id", "pk"))
    for job in jobs:
        work_order_return_to_dispatch(work_order=job, actor=actor)
    return [Holding(kind=KIND, label=_("Work orders, back to dispatch"), count=len(jobs), url=reverse("fieldservice:board"))]
