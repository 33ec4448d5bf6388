"""Triage's reads: what the ticket page's panel and the API show a member of staff, and the
confirmed examples the retraining reads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import NotFound
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors import tickets_visible_to

from .models import TriageFeedback, TriageField, TriageResult
from .permissions import may_see_triage
from .services import PRIORITY_URGENCY, SWEEP_WINDOW_HOURS, current_value, triage_enabled

FIELDS: tuple[str, ...] = tuple(TriageField.values)


@dataclass(frozen=True)
class TriageView:
    ticket: Ticket
    result: TriageResult | None
    enabled: bool
    # The duplicates the viewer may open: dicts of the stored entry (ticket_id, number, score, reasons).
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    # The latest feedback per field.
    feedback: dict[str, TriageFeedback] = field(default_factory=dict)

    @property
    def ready(self) -> bool:
        return self.result is not None and self.result.status == "done"

    @property
    def waiting(self) -> bool:
        """Still to come (the panel polls): a pending result, or none yet for a ticket recent
        enough for the job or the sweep to reach it (``services.SWEEP_WINDOW_HOURS``)."""
        if not self.enabled:
            return False
        if self.result is not None:
            return self.result.status == "pending"
        return self.ticket.created_at >= clock.now() - dt.timedelta(hours=SWEEP_WINDOW_HOURS)

    @property
    def polling(self) -> bool:
        """Whether the panel asks again every few seconds: while the result is still to come and
        the ticket is at most ``TRIAGE_POLL_SECONDS`` old (a worker normally answers in seconds;
        past that the panel stops asking — a page left open on a stopped worker does not poll
        forever — and says to reload later)."""
        seconds = int(getattr(settings, "TRIAGE_POLL_SECONDS", 120))
        return self.waiting and self.ticket.created_at >= clock.now() - dt.timedelta(seconds=seconds)

    def current(self, name: str) -> str:
        return current_value(self.ticket, name)


def triage_for_user(*, user: User, ticket: Ticket) -> TriageView:
    """The triage of ``ticket`` (read for ``user`` through a scoped selector) as ``user`` may see
    it: a customer never (``NotFound``); the duplicates limited to the tickets ``user`` sees."""
    if not may_see_triage(user):
        raise NotFound("ticket not found")
    result = TriageResult.objects.filter(ticket=ticket).first()
    duplicates: list[dict[str, Any]] = []
    if result is not None and result.duplicates:
        ids = [int(d["ticket_id"]) for d in result.duplicates]
        visible = set(tickets_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
        duplicates = [d for d in result.duplicates if int(d["ticket_id"]) in visible]
    feedback: dict[str, TriageFeedback] = {}
    if result is not None:
        for row in TriageFeedback.objects.filter(ticket=ticket).select_related("user").order_by("at", "id"):
            feedback[row.field] = row
    return TriageView(ticket=ticket, result=result, enabled=triage_enabled(), duplicates=duplicates, feedback=feedback)


def confirmed_examples() -> Iterator[tuple[str, dict[str, str]]]:
    """``(text, labels)`` of every ticket whose triage a person confirmed — a field accepted or
    corrected on the panel, or the ticket classified by staff after its triage — for the
    retraining (``triage_train``). ``labels`` holds ``category`` (a ``TicketCategory`` code),
    ``request_type``, ``urgency`` ("urgent" | "important" | "normal") and ``safety`` ("1" | "0"):
    the person's choice where feedback exists, else the ticket's value as staff left it.
    Read in batches of 500 tickets by id."""
    last = 0
    confirmed = Q(pk__in=TriageFeedback.objects.values("ticket_id")) | Q(
        pk__in=TriageResult.objects.filter(status="done").values("ticket_id"), verified_at__isnull=False
    )
    while True:
        batch = list(
            Ticket.objects.filter(confirmed, pk__gt=last)
            .select_related("category")
            .only("id", "title", "description", "category__code", "request_type", "priority", "safety_hazard")
            .order_by("pk")[:500]
        )
        if not batch:
            return
        chosen: dict[int, dict[str, str]] = {}
        for row in TriageFeedback.objects.filter(ticket_id__in=[t.pk for t in batch]).order_by("at", "id"):
            chosen.setdefault(row.ticket_id, {})[row.field] = row.chosen
        for ticket in batch:
            labels = {
                "category": ticket.category.code if ticket.category is not None else "",
                "request_type": str(ticket.request_type or ""),
                "urgency": PRIORITY_URGENCY.get(int(ticket.priority), ""),
                "safety": "1" if ticket.safety_hazard else "0",
            }
            labels.update(chosen.get(ticket.pk, {}))
            yield f"{ticket.title}\n{ticket.description}", labels
        last = batch[-1].pk
