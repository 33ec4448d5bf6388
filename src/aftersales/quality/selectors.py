"""Reads of improvement actions and of the tickets behind the quality figures, scoped to the caller.

Readers (``permissions.can_read``) see every improvement action (they hold no personal data). The
tickets behind a figure are read from ``FaultRecord`` (indexed by model, batch, week, unit) and
limited to the tickets the caller may see (``tickets_visible_to``). ``fault_counts_by_model`` is
the fault tickets per model for other pages (the management dashboard's "top faults by model").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.catalog.selectors import registered_batches
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.tickets.selectors.scope import sees_every_ticket, tickets_visible_to

from . import by_model
from .models import ActionStatus, FaultRecord, ImprovementAction
from .permissions import can_read
from .rates import batches_q, supplier_fault_q
from .rollup import monday
from .statistics import StatFilters


def require_reader(user: User) -> None:
    if not can_read(user):
        raise PermissionDenied(_("Your role does not read the quality figures."), code="quality_reader_only")


@dataclass(frozen=True)
class ActionFilters:
    status: str = ""
    owner_id: int | None = None
    open_only: bool = False
    factory: str = ""  # the actions aimed at this factory (scope)
    supplier: str = ""  # the actions aimed at this component supplier (scope)


def action_filters(params: Mapping[str, str]) -> ActionFilters:
    """The list's filters from a query string (the page and its export read them alike)."""
    status = params.get("status", "")
    return ActionFilters(
        status=status if status in ActionStatus.values else "",
        factory=(params.get("factory") or "")[:64],
        supplier=(params.get("supplier") or "")[:128],
    )


def actions_for(*, user: User, filters: ActionFilters | None = None) -> QuerySet[ImprovementAction]:
    require_reader(user)
    qs = ImprovementAction.objects.select_related("owner", "product_model", "origin_ticket")
    filters = filters or ActionFilters()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.open_only:
        qs = qs.exclude(status=ActionStatus.CLOSED)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.factory:
        qs = qs.filter(factory=filters.factory)
    if filters.supplier:
        qs = qs.filter(supplier=filters.supplier)
    return qs.order_by("-created_at", "-id")


def action_counts_by_scope(*, user: User) -> dict[str, dict[str, int]]:
    """The improvement actions aimed at each factory and each supplier (for the fault rates' rows)."""
    require_reader(user)
    out: dict[str, dict[str, int]] = {"factory": {}, "supplier": {}}
    for name in ("factory", "supplier"):
        rows = ImprovementAction.objects.exclude(**{name: ""}).order_by().values(name).annotate(n=Count("id"))
        out[name] = {r[name]: r["n"] for r in rows}
    return out


def action_get(*, user: User, pk: int) -> ImprovementAction:
    found = actions_for(user=user).filter(pk=pk).first()
    if found is None:
        raise NotFound("improvement action not found")
    return found


def change_archive(*, user: User) -> QuerySet[ImprovementAction]:
    """Every action that made a change (design, supplier, process, training), newest change first."""
    return actions_for(user=user).exclude(change_kind="").order_by("-effective_date", "-created_at", "-id")


@dataclass(frozen=True)
class FaultTicketFilters:
    """What a figure stands for: the statistics filters plus the cell's own key."""

    stats: StatFilters
    week: dt.date | None = None
    cause: str | None = None
    component: str | None = None
    supplier: str | None = None
    factory: str | None = None
    production_month: dt.date | None = None
    months_in_service: int | None = None
    first_of_unit: bool = False
    no_unit: bool = False
    # The fault rates per factory, supplier and production month (``rates.py``): the faults of the
    # batches the production register places there (a supplier's: of its components).
    made_in: str | None = None
    made_month: dt.date | None = None
    made_by: str | None = None

    @property
    def by_register(self) -> bool:
        return bool(self.made_in or self.made_month or self.made_by)


def fault_tickets(*, user: User, filters: FaultTicketFilters) -> QuerySet[FaultRecord]:
    """The fault records (with their tickets) behind a figure, newest first, scoped to the caller."""
    require_reader(user)
    s = filters.stats
    qs = FaultRecord.objects.select_related("ticket", "model")
    if s.scoped_out:
        return qs.none()
    if s.since:
        qs = qs.filter(week__gte=monday(s.since))
    if s.until:
        qs = qs.filter(week__lte=s.until)
    exact = {
        "region_id": s.region_id,
        "product_category_id": s.category_id,
        "model_id": s.model_id,
        "batch": s.batch,
        "week": filters.week,
        "cause": filters.cause,
        "component": filters.component,
        "supplier": filters.supplier,
        "factory": filters.factory,
        "production_month": filters.production_month,
        "months_in_service": filters.months_in_service,
    }
    qs = qs.filter(**{k: v for k, v in exact.items() if v is not None})
    if filters.by_register:
        facts = registered_batches(
            model_ids=[s.model_id] if s.model_id else None,
            factory=filters.made_in or None,
            production_month=filters.made_month,
            supplier=filters.made_by or None,
        )
        qs = qs.filter(supplier_fault_q(facts, filters.made_by) if filters.made_by else batches_q(facts))
    if filters.first_of_unit:
        qs = qs.filter(first_of_unit=True)
    if filters.no_unit:
        qs = qs.filter(unit__isnull=True)
    if not sees_every_ticket(user):
        qs = qs.filter(Q(ticket__in=tickets_visible_to(user).values("pk")))
    return qs.order_by("-opened_on", "-ticket_id")


def fault_counts_by_model(
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    region_id: int | None = None,
    product_category_id: int | None = None,
    ticket_category_id: int | None = None,
    limit: int = 10,
) -> list[by_model.ModelFaultCount]:
    """The ``limit`` product models with the most **fault tickets** — the quality pages' definition
    (``fieldservice.ftf.fault_ticket_q``: repairs, returns, exchanges, refunds and quality/function
    problems, not rejected, cancelled or merged; installs and questions are not faults) — most
    first, with their faulty units. The period counts whole weeks, Monday to Sunday, from the
    Monday of ``since``'s week to ``until`` (None: open), as /quality/ does, so the same dates give
    the same figures there. ``region_id`` None: every region (the caller applies its own scope by
    passing its region). ``ticket_category_id`` narrows to one complaint category. Reads the
    quality rollups (up to ~10 minutes old), never the tickets table without a category."""
    return by_model.fault_counts(
        since=since,
        until=until,
        region_id=region_id,
        product_category_id=product_category_id,
        ticket_category_id=ticket_category_id,
        limit=limit,
    )
