"""The trip-log demo (出差日志): the demo technician 刘强 ("technician") has four trips, each made
through the travel services at its own moment (``simulated_now``), so numbers, history and
notices agree:

* approved three weeks ago (苏州): his hours equal the work order's, the labour cost frozen;
* returned a week ago (无锡), with the reviewer's reason, waiting for his correction;
* submitted two days ago (南京), its hours three more than the work order's: the difference is
  flagged for the reviewer;
* open since yesterday (杭州), with lines for yesterday and today (on a fourth job, if he has one).

Reviewed by the demo finance user (else a supervisor) who may review his logs. Idempotent: when
the technician has a trip it says so and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.travel import services
from aftersales.travel.models import Trip
from aftersales.travel.trip_permissions import reviewers_for

from .timetravel import simulated_now

TECHNICIAN = "technician"
W = WorkOrderStatus
# Hours logged on the flagged trip beyond its work order's labour hours (flagged above 0.5).
FLAGGED_EXTRA = Decimal("3")


def _reviewer(tech: User) -> User | None:
    """The demo finance user, else the demo supervisor, else the first reviewer in his scope."""
    reviewers = reviewers_for(tech)
    return (
        reviewers.filter(username="finance").first()
        or reviewers.filter(username="supervisor").first()
        or reviewers.filter(role=Role.FINANCE).first()
        or reviewers.first()
    )


def _at(day: dt.date, hour: int) -> dt.datetime:
    """``day`` at ``hour`` o'clock local time, never after now."""
    return min(timezone.make_aware(dt.datetime.combine(day, dt.time(hour))), clock.now())


def _open(tech: User, *, province: str, city: str, purpose: str, days: tuple[dt.date, dt.date], job: WorkOrder | None) -> Trip:
    return services.trip_open(
        actor=tech,
        province=province,
        city=city,
        purpose=purpose,
        planned_from=days[0],
        planned_until=days[1],
        departed_on=days[0],
        work_orders=[job.number] if job is not None else [],
    )


def _line(
    trip: Trip, day: dt.date, place: str, activity: str, *, job: WorkOrder | None, working: Any, travel: Any, **kw: Any
) -> None:
    services.trip_entry_add(
        trip=trip,
        actor=trip.technician,
        day=day,
        place=place,
        activity=activity,
        work_order=job.number if job is not None else None,
        working_hours=working,
        travel_hours=travel,
        overnight=kw.get("overnight", True),
        km=kw.get("km", "0"),
    )


def _hours(job: WorkOrder, extra: Decimal = Decimal("0")) -> Decimal:
    """The work order's labour hours (4 when it has none yet; at most 16 on one day) plus
    ``extra``."""
    return min(job.labour_hours or Decimal("4"), Decimal("16")) + extra


def load_trip_demo(stdout: Any) -> None:
    tech = User.objects.filter(username=TECHNICIAN, role=Role.TECHNICIAN, is_active=True).first()
    if tech is None:
        return
    if Trip.objects.filter(technician=tech).exists():
        stdout.write(_("The trip-log demo is already loaded; nothing was changed.") + "\n")
        return
    reviewer = _reviewer(tech)
    jobs = list(
        WorkOrder.objects.filter(technician=tech)
        .exclude(status__in=[W.TO_DISPATCH, W.CANCELLED])
        .order_by("created_at", "id")[:4]
    )
    if reviewer is None or not jobs:
        stdout.write(_("Trip log: no reviewer or no work order of the demo technician; skipped.") + "\n")
        return
    first, second, third = jobs[0], jobs[1 % len(jobs)], jobs[2 % len(jobs)]
    fourth = jobs[3] if len(jobs) > 3 else None  # the open trip's job: on no other trip
    today = clock.local_today()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    with transaction.atomic():
        with simulated_now(_at(ago(24), 8)):
            approved = _open(
                tech, province="江苏", city="苏州", purpose="苏州客户空调机组维修", days=(ago(24), ago(23)), job=first
            )
            _line(
                approved,
                ago(24),
                "苏州工业园区",
                "上海—苏州 高铁；现场检修",
                job=first,
                working=_hours(first),
                travel="2",
                km="12",
            )
        with simulated_now(_at(ago(23), 18)):
            _line(approved, ago(23), "苏州—上海", "返程", job=None, working="0", travel="2.5", overnight=False)
            services.trip_submit(trip=approved, actor=tech)
        with simulated_now(_at(ago(22), 10)):
            services.trip_approve(trip=approved, actor=reviewer, note="已与派工单核对")

        with simulated_now(_at(ago(10), 8)):
            returned = _open(
                tech, province="江苏", city="无锡", purpose="无锡客户上门安装调试", days=(ago(10), ago(9)), job=second
            )
            _line(returned, ago(10), "无锡新吴区", "安装调试", job=second, working="6", travel="2", km="20")
        with simulated_now(_at(ago(9), 18)):
            _line(returned, ago(9), "无锡新吴区", "回访客户并返程", job=None, working="3", travel="2")
            services.trip_submit(trip=returned, actor=tech)
        with simulated_now(_at(ago(8), 9)):
            services.trip_return(trip=returned, actor=reviewer, reason="第二天的 3 小时未关联派工单，请补充后重新提交")

        with simulated_now(_at(ago(5), 8)):
            flagged = _open(tech, province="江苏", city="南京", purpose="南京客户压缩机更换", days=(ago(5), ago(3)), job=third)
            _line(flagged, ago(5), "南京江宁区", "故障诊断", job=third, working=_hours(third), travel="3", km="25")
        with simulated_now(_at(ago(4), 18)):
            _line(flagged, ago(4), "南京江宁区", "更换压缩机、试机", job=third, working=FLAGGED_EXTRA, travel="0")
        with simulated_now(_at(ago(2), 19)):
            _line(flagged, ago(3), "南京—上海", "返程", job=None, working="0", travel="3", overnight=False)
            services.trip_submit(trip=flagged, actor=tech)

        with simulated_now(_at(ago(1), 8)):
            current = _open(tech, province="浙江", city="杭州", purpose="杭州客户批量故障排查", days=(ago(1), ago(-1)), job=None)
            _line(current, ago(1), "杭州滨江区", "上海—杭州；现场排查", job=fourth, working="5", travel="2", km="30")
        _line(current, today, "杭州滨江区", "排查并更换控制板", job=fourth, working="4", travel="0", km="8")
    stdout.write(
        _(
            "Trip log: %(technician)s has the approved trip %(approved)s, the returned trip %(returned)s, the trip "
            "%(flagged)s waiting for review with a difference flagged and the open trip %(open)s."
        )
        % {
            "technician": tech,
            "approved": approved.number,
            "returned": returned.number,
            "flagged": flagged.number,
            "open": current.number,
        }
        + "\n"
    )
