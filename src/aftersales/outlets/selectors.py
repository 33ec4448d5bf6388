"""Reads of the outlets app, always scoped to the reader (``permissions``): supervisors, finance
and administrators see every outlet; an outlet's leader only his outlet; everybody else none."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import ServiceOutlet, User
from aftersales.core.errors import NotFound
from aftersales.fieldservice.ftf import repairs
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus

from .models import Settlement, SettlementLine, SettlementStatus
from .permissions import led_outlet_ids, sees_every_outlet

S = SettlementStatus
W = WorkOrderStatus


def outlets_visible_to(user: User) -> QuerySet[ServiceOutlet]:
    if sees_every_outlet(user):
        return ServiceOutlet.objects.all()
    return ServiceOutlet.objects.filter(pk__in=led_outlet_ids(user))


def outlet_list(*, user: User, active: bool | None = None, search: str = "") -> list[ServiceOutlet]:
    qs = outlets_visible_to(user).select_related("team__leader").prefetch_related("regions")
    if active is not None:
        qs = qs.filter(active=active)
    if search:
        qs = qs.filter(Q(code__icontains=search) | Q(name__icontains=search) | Q(company__icontains=search))
    return list(qs.annotate(technician_count=Count("team__members", distinct=True)).order_by("code"))


def outlet_get_for_user(*, user: User, code: str) -> ServiceOutlet:
    outlet = outlets_visible_to(user).select_related("team__leader").filter(code=code).first()
    if outlet is None:
        raise NotFound(_("No service outlet with this code is visible to you."), code="outlet_not_found")
    return outlet


def outlet_technicians(outlet: ServiceOutlet) -> list[User]:
    if outlet.team_id is None:
        return []
    return list(User.objects.filter(team_id=outlet.team_id, is_active=True).order_by("username"))


def outlet_work_orders(*, user: User, outlet: ServiceOutlet, limit: int = 50) -> list[WorkOrder]:
    """The outlet's latest work orders (those dispatched to it), for its page."""
    outlet_get_for_user(user=user, code=outlet.code)  # the scope check
    return list(
        WorkOrder.objects.filter(outlet=outlet).select_related("ticket", "technician").order_by("-dispatched_at", "-id")[:limit]
    )


def settlements_visible_to(user: User) -> QuerySet[Settlement]:
    return Settlement.objects.filter(outlet__in=outlets_visible_to(user).values("pk"))


def settlement_list(
    *,
    user: User,
    outlet: ServiceOutlet | None = None,
    statuses: list[str] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[Settlement]:
    """Statements visible to ``user``, newest period first; filters: outlet, statuses, periods that
    end on or after ``since`` and start on or before ``until``."""
    qs = settlements_visible_to(user).select_related("outlet")
    if outlet is not None:
        qs = qs.filter(outlet=outlet)
    if statuses:
        qs = qs.filter(status__in=statuses)
    if since is not None:
        qs = qs.filter(period_end__gte=since)
    if until is not None:
        qs = qs.filter(period_start__lte=until)
    return qs.order_by("-period_start", "outlet__code", "-id")


def settlement_get_for_user(*, user: User, number: str) -> Settlement:
    found = (
        settlements_visible_to(user)
        .select_related("outlet__team", "confirmed_by", "approved_by", "paid_by")
        .filter(number=number)
        .first()
    )
    if found is None:
        raise NotFound(_("No settlement statement with this number is visible to you."), code="settlement_not_found")
    return found


def settlement_lines(settlement: Settlement) -> list[SettlementLine]:
    return list(
        SettlementLine.objects.filter(settlement=settlement)
        .select_related("work_order__ticket", "work_order__technician")
        .order_by("completed_at", "id")
    )


@dataclass(frozen=True)
class OutletPerformance:
    dispatched: int  # work orders dispatched to the outlet in the period
    completed: int  # of those, accepted by the customer
    repairs: int  # repairs finished in the period (``fieldservice.ftf``)
    first_time_fixed: int
    average_hours: float | None  # dispatch to customer acceptance, on average
    settled: Decimal  # approved or paid statements of periods in the window
    paid: Decimal

    @property
    def ftf_rate(self) -> float | None:
        return self.first_time_fixed / self.repairs if self.repairs else None


def outlet_performance(*, user: User, outlet: ServiceOutlet, since: dt.date, until: dt.date) -> OutletPerformance:
    """The outlet's figures for ``since`` … ``until`` (local days): work orders dispatched and
    completed, the first-time-fix rate of its repairs (``fieldservice.ftf``'s definition, the
    jobs frozen on the outlet at dispatch), the average time from dispatch to the customer's
    acceptance, and the amounts of its approved and paid statements."""
    outlet_get_for_user(user=user, code=outlet.code)  # the scope check
    jobs = WorkOrder.objects.filter(outlet=outlet, dispatched_at__date__gte=since, dispatched_at__date__lte=until)
    counts = jobs.aggregate(
        n=Count("id"),
        done=Count("id", filter=Q(status=W.CUSTOMER_ACCEPTED)),
        avg=Avg(
            ExpressionWrapper(F("customer_accepted_at") - F("dispatched_at"), output_field=DurationField()),
            filter=Q(status=W.CUSTOMER_ACCEPTED),
        ),
    )
    # Every repair of the outlet counts, whoever reads (the scope was checked on the outlet).
    fixed = (
        repairs(user=None, since=since, until=until)
        .filter(outlet=outlet)
        .aggregate(n=Count("id"), fixed=Count("id", filter=Q(repeated=False)))
    )
    money = Settlement.objects.filter(outlet=outlet, period_start__lte=until, period_end__gte=since).aggregate(
        settled=Sum("total_amount", filter=Q(status__in=[S.APPROVED, S.PAID])),
        paid=Sum("total_amount", filter=Q(status=S.PAID)),
    )
    average = counts["avg"]
    return OutletPerformance(
        dispatched=counts["n"] or 0,
        completed=counts["done"] or 0,
        repairs=fixed["n"] or 0,
        first_time_fixed=fixed["fixed"] or 0,
        average_hours=average.total_seconds() / 3600 if average is not None else None,
        settled=money["settled"] or Decimal("0.00"),
        paid=money["paid"] or Decimal("0.00"),
    )


def outlets_led_by(user: User) -> list[ServiceOutlet]:
    """The outlets whose team ``user`` leads, each with ``to_answer``: its draft statements
    waiting for the leader's confirmation or dispute (one query; the technician's Today page)."""
    if not (user.is_authenticated and user.is_active) or user.is_customer:
        return []
    return list(
        ServiceOutlet.objects.filter(team__leader=user)
        .annotate(to_answer=Count("settlements", filter=Q(settlements__status=S.DRAFT)))
        .order_by("code")
    )
