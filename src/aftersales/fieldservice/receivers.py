"""What field service does when a lower app's change sets it off (``core.hooks``): the staff
handover and a new technician's profile (``accounts.effects``)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.handover import Holding
from aftersales.accounts.models import User

from .models import TechnicianProfile, WorkOrder
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


def user_became_technician(*, user: User, actor: User | None = None) -> TechnicianProfile:
    """``USER_BECAME_TECHNICIAN``: the technician's profile, so that dispatch suggests them. A new
    profile has no skills, the default capacity and the user's region (the administrator adds
    skills and regions in the admin); a profile kept from an earlier time as a technician is
    kept as it was, made active again."""
    profile, created = TechnicianProfile.objects.get_or_create(user=user)
    if created:
        if user.region_id is not None:
            profile.regions.add(user.region_id)
    elif not profile.active:
        profile.active = True
        profile.save(update_fields=["active"])
    return profile
