"""The analytics demo: figures for the KPI and management pages, chargeback (issue 17).

The other demos register, resolve, cost and survey the tickets; this one names who is
responsible for the cost of a few resolved tickets that had none (a supplier, a logistics
company, a service outlet — as verification or an appraisal would) so the chargeback pages have
statements, then computes the facts and rollups once (``analytics_refresh``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.analytics.models import RefreshState, TicketFact
from aftersales.analytics.services import analytics_refresh
from aftersales.fieldservice.models import WorkOrder
from aftersales.tickets.choices import Responsibility
from aftersales.tickets.models import Ticket

# The parties the demo's resolved tickets with a cost are charged to, in turn.
PARTIES = [
    (Responsibility.SUPPLIER, "宁波华翔压缩机有限公司"),
    (Responsibility.SUPPLIER, "苏州恒力电机厂"),
    (Responsibility.LOGISTICS, "顺丰速运华东分公司"),
    (Responsibility.SERVICE_OUTLET, "杭州西湖区特约维修站"),
    (Responsibility.INTERNAL, "总装二车间"),
]


def load_analytics_demo(out: Any) -> None:
    """Idempotent: a second run changes nothing."""
    with transaction.atomic():
        done = Ticket.objects.filter(responsible_party__in=[party for _r, party in PARTIES]).exists()
        costed = set() if done else set(WorkOrder.objects.filter(cost_total__gt=0).values_list("ticket_id", flat=True))
        candidates = list(
            Ticket.objects.filter(pk__in=costed, responsibility="", resolved_at__isnull=False).order_by("pk")[: len(PARTIES) * 2]
        )
        for index, ticket in enumerate(candidates):
            responsibility, party = PARTIES[index % len(PARTIES)]
            Ticket.objects.filter(pk=ticket.pk, responsibility="").update(responsibility=responsibility, responsible_party=party)
    fresh = RefreshState.objects.filter(name="default", refreshed_at__isnull=False).exists()
    if candidates or not fresh or TicketFact.objects.count() != Ticket.objects.count():
        result = analytics_refresh(full=True)
        out.write(
            _("Analytics: %(tickets)d tickets, %(days)d staff days, %(months)d month cells.")
            % {"tickets": result.tickets, "days": result.staff_days, "months": result.months}
            + "\n"
        )
