"""The post-crisis review: the figures the system measures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.feedback.models import Survey

from ..models import Crisis
from .resources import resources_cost


def review_figures(crisis: Crisis) -> dict[str, Any]:
    """The measured figures of the review: times between the stamps (minutes), the tickets and
    customers affected, their resolution times and satisfaction."""

    def minutes(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
        if start is None or end is None:
            return None
        return round((end - start).total_seconds() / 60, 1)

    tickets = list(crisis.tickets.all())
    first = crisis.first_ticket_at or min((t.created_at for t in tickets), default=None)
    resolved = [(t.resolved_at - t.created_at).total_seconds() / 3600 for t in tickets if t.resolved_at]
    scores: list[int] = [
        s
        for s in Survey.objects.filter(ticket__in=tickets, overall__isnull=False).values_list("overall", flat=True)
        if s is not None
    ]
    return {
        "first_ticket_at": first.isoformat() if first else None,
        "minutes_to_detection": minutes(first, crisis.detected_at),
        "minutes_to_confirmation": minutes(first or crisis.detected_at, crisis.confirmed_at),
        "minutes_to_first_notice": minutes(first or crisis.detected_at, crisis.first_notice_at),
        "minutes_to_containment": minutes(first or crisis.detected_at, crisis.contained_at),
        "minutes_to_recovery": minutes(first or crisis.detected_at, crisis.recovered_at),
        "tickets": len(tickets),
        "customers": len({t.customer_id for t in tickets}),
        "tickets_resolved": len(resolved),
        "mean_resolution_hours": round(sum(resolved) / len(resolved), 1) if resolved else None,
        "satisfaction": round(sum(scores) / len(scores), 2) if scores else None,
        "surveys": len(scores),
        "tasks": crisis.tasks.count(),
        "tasks_done": crisis.tasks.filter(done_at__isnull=False).count(),
        "drill": crisis.is_drill,
        "cost": resources_cost(crisis),
    }
