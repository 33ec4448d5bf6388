"""Factories of the trip-log tests: a trip opened through the real service, with days logged,
submitted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.fieldservice.models import WorkOrder
from aftersales.travel import services
from aftersales.travel.models import Trip


def days_ago(n: int) -> dt.date:
    return clock.local_today() - dt.timedelta(days=n)


def trip(tech: User, *, work_orders: list[WorkOrder] = (), **kwargs: Any) -> Trip:  # type: ignore[assignment]
    return services.trip_open(
        actor=tech,
        province=kwargs.pop("province", "江苏"),
        city=kwargs.pop("city", "苏州"),
        purpose=kwargs.pop("purpose", "上门维修空调机组"),
        planned_from=kwargs.pop("planned_from", days_ago(3)),
        planned_until=kwargs.pop("planned_until", clock.local_today()),
        departed_on=kwargs.pop("departed_on", days_ago(3)),
        work_orders=[wo.number for wo in work_orders],
        **kwargs,
    )


def log(trip_: Trip, *, day: dt.date | None = None, work_order: WorkOrder | None = None, hours: str = "8", **kwargs: Any) -> Any:
    return services.trip_entry_add(
        trip=trip_,
        actor=trip_.technician,
        day=day or days_ago(2),
        place=kwargs.pop("place", "苏州工业园区"),
        activity=kwargs.pop("activity", "更换压缩机"),
        work_order=work_order.number if work_order else None,
        working_hours=hours,
        travel_hours=kwargs.pop("travel_hours", "1"),
        overnight=kwargs.pop("overnight", True),
        km=kwargs.pop("km", "35"),
    )


def submitted(tech: User, work_order: WorkOrder, *, hours: str = "8") -> Trip:
    opened = trip(tech, work_orders=[work_order])
    log(opened, work_order=work_order, hours=hours)
    return services.trip_submit(trip=opened, actor=tech)
