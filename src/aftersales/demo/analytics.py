"""The analytics demo: figures for the KPI and management pages, chargeback (issue 17).

The other demos register, resolve, cost and survey the tickets. The tickets that cost something
(a work order the customer accepted, a refund paid, compensation completed) are still in
progress when those demos end, so this one first resolves and closes those whose plan is carried
out (their handler's "resolve" and "close", through the ticket services; the stories' tickets
aside), then names who is responsible for the cost of a few resolved tickets (a supplier, a
logistics company, a service outlet — as verification or an appraisal would) so the chargeback
pages have statements, then computes the facts and rollups once (``analytics_refresh``).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.analytics.models import RefreshState, TicketFact
from aftersales.analytics.services import analytics_refresh
from aftersales.analytics.services.facts import PAID  # the refunds and compensation the facts count as cost
from aftersales.compensation.models import Compensation, Refund
from aftersales.core import clock
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.demo.stories import KEY_PREFIX
from aftersales.fieldservice.models import WorkOrder, WorkOrderStatus
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.parties.models import PartyKind, ResponsibleParty
from aftersales.parties.selectors import party_find
from aftersales.parties.services import party_create
from aftersales.tickets.choices import Responsibility
from aftersales.tickets.models import MeasureStatus, PlanMeasure, Ticket
from aftersales.tickets.process import ticket_close, ticket_resolve
from aftersales.tickets.selectors import tickets_with_intake_key_prefix
from aftersales.tickets.states import TicketStatus

# The parties the demo's resolved tickets with a cost are charged to, in turn.
# Varied from the first: a load with two costed resolved tickets still has a supplier and a
# logistics statement.
PARTIES = [
    (Responsibility.SUPPLIER, "宁波华翔压缩机有限公司"),
    (Responsibility.LOGISTICS, "顺丰速运华东分公司"),
    (Responsibility.SERVICE_OUTLET, "杭州西湖区特约维修站"),
    (Responsibility.SUPPLIER, "苏州恒力电机厂"),
    (Responsibility.INTERNAL, "总装二车间"),
]
# Their entries in the register of responsible parties: code, kind, English name (shown on
# English pages; company names have none).
PARTY_ENTRIES = {
    "宁波华翔压缩机有限公司": ("sup-huaxiang", PartyKind.SUPPLIER, ""),
    "顺丰速运华东分公司": ("log-sf-east", PartyKind.LOGISTICS, ""),
    "杭州西湖区特约维修站": ("out-xihu", PartyKind.SERVICE_OUTLET, ""),
    "苏州恒力电机厂": ("sup-hengli", PartyKind.SUPPLIER, ""),
    "总装二车间": ("dep-assembly-2", PartyKind.DEPARTMENT, "Final assembly line 2"),
}


def demo_parties() -> dict[str, ResponsibleParty]:
    """The demo's parties in the register (created once; a second run finds them)."""
    out: dict[str, ResponsibleParty] = {}
    for name, (code, kind, name_en) in PARTY_ENTRIES.items():
        entry = party_find(code) or party_find(name, kinds=[kind])
        if entry is None:
            entry = party_create(actor=None, kind=kind, name=name, code=code)
            if name_en:
                ResponsibleParty.objects.filter(pk=entry.pk).update(name_en=name_en)
        out[name] = entry
    return out


SUMMARY = "处理措施已全部完成，费用已结清。"
CLOSING_NOTE = "电话回访：客户确认已收到款项，同意结案。"


def _costed_ticket_ids() -> set[int]:
    """Tickets with a cost the facts count: a work order's parts, labour or travel, a refund paid
    or a compensation paid or issued."""
    ids = set(
        WorkOrder.objects.exclude(status=WorkOrderStatus.CANCELLED).filter(cost_total__gt=0).values_list("ticket_id", flat=True)
    )
    ids |= set(Refund.objects.filter(status__in=PAID, amount__gt=0).values_list("ticket_id", flat=True))
    ids |= set(Compensation.objects.filter(status__in=PAID, amount__gt=0).values_list("ticket_id", flat=True))
    return ids


def _resolve_finished_work(costed: set[int]) -> int:
    """Resolve the costed tickets in progress whose current plan is carried out (every measure
    done or cancelled, one at least done), and close them once the customer confirmed on the
    phone, by their handler as the agent would. Returns how many.
    Not the stories' tickets: each ends in the status its story planned (``stories.STATUS_PLAN``)."""
    agent = User.objects.filter(username="agent", is_active=True).first()
    open_measures = PlanMeasure.objects.filter(plan__is_current=True).exclude(
        status__in=(MeasureStatus.DONE, MeasureStatus.CANCELLED)
    )
    tickets = (
        Ticket.objects.filter(pk__in=costed, status=TicketStatus.IN_PROGRESS, plans__is_current=True)
        .exclude(pk__in=open_measures.values("plan__ticket_id"))
        .exclude(pk__in=tickets_with_intake_key_prefix(KEY_PREFIX).values("pk"))
        .select_related("assignee")
        .distinct()
        .order_by("pk")
    )
    done: list[int] = []
    for ticket in tickets[: len(PARTIES)]:
        actor = ticket.assignee if ticket.assignee is not None and ticket.assignee.role != Role.CUSTOMER else agent
        if actor is None:
            continue
        try:
            with transaction.atomic():
                resolved_ticket = ticket_resolve(ticket=ticket, actor=actor, summary=SUMMARY)
                ticket_close(ticket=resolved_ticket, actor=actor, note=CLOSING_NOTE)
        except (DomainError, PermissionDenied):
            continue  # not this handler's to resolve: the demo leaves it in progress
        done.append(ticket.pk)
    # Demo customers are invented but their numbers look real: the survey invitation is stored,
    # never sent (as the stories do).
    Notification.objects.filter(ticket_id__in=done, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SKIPPED, last_error="demo data: not sent"
    )
    return len(done)


def load_analytics_demo(out: Any) -> None:
    """Idempotent: a second run changes nothing."""
    with transaction.atomic():
        done = Ticket.objects.filter(responsible_party__in=[party for _r, party in PARTIES]).exists()
        costed = set() if done else _costed_ticket_ids()
        if costed:
            _resolve_finished_work(costed)
        candidates = list(
            Ticket.objects.filter(pk__in=costed, resolved_at__isnull=False)
            .exclude(responsibility=Responsibility.CUSTOMER)
            .order_by("pk")[: len(PARTIES) * 2]
        )
        entries = demo_parties() if candidates else {}
        for index, ticket in enumerate(candidates):
            responsibility, party = PARTIES[index % len(PARTIES)]
            # After execution no ticket action sets the responsibility; the finding is written as
            # verification or an appraisal would have left it (the register's entry linked).
            Ticket.objects.filter(pk=ticket.pk).update(
                responsibility=responsibility,
                responsible_party=party,
                responsible_party_ref=entries[party],
                updated_at=clock.now(),
            )
    fresh = RefreshState.objects.filter(name="default", refreshed_at__isnull=False).exists()
    if candidates or not fresh or TicketFact.objects.count() != Ticket.objects.count():
        result = analytics_refresh(full=True)
        out.write(
            _("Analytics: %(tickets)d tickets, %(days)d staff days, %(months)d month cells.")
            % {"tickets": result.tickets, "days": result.staff_days, "months": result.months}
            + "\n"
        )
