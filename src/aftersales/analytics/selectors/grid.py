"""Reads of the supervisor dashboard: the status × category grid from the maintained aggregates.

Scope (decided here): the aggregates are keyed by region, so the grid can honour a data scope
that is a region. A user with scope "all" (or a superuser) sees every ticket; scope "region"
sees the tickets of their region (their own tickets in other regions, which their ticket list
also shows, are not in the grid: the aggregates cannot tell whose a ticket is); scopes "team" and
"own" cannot be answered from the aggregates without a scan, so the dashboard refuses them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext as _

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.core.errors import PermissionDenied
from aftersales.tickets.models import TicketCategory, TicketCount
from aftersales.tickets.states import TicketStatus

DASHBOARD_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR, Role.QUALITY_MANAGER})


def can_see_dashboard(user: User) -> bool:
    if not user.is_authenticated or not user.is_active or user.is_customer:
        return False
    if not (user.is_superuser or user.role in DASHBOARD_ROLES):
        return False
    return bool(user.is_superuser or user.data_scope == DataScope.ALL or (user.data_scope == DataScope.REGION and user.region_id))


@dataclass(frozen=True)
class GridRow:
    status: str
    label: str
    cells: list[int]
    total: int


@dataclass(frozen=True)
class Grid:
    columns: list[str]  # category names, then "no category" when it has tickets
    rows: list[GridRow]
    column_totals: list[int]
    total: int
    region: str  # "" for all regions
    # The category key of each column (0: without a category), for the cells' links.
    keys: list[int] = field(default_factory=list)
    # The region the grid counts (its key; 0: without a region), None for all regions.
    region_key: int | None = None
    # The regions a user who sees every ticket may pick: (key, name); empty for a regional scope.
    regions: list[tuple[int, str]] = field(default_factory=list)


def dashboard_grid_for_user(*, user: User, region: int | None = None) -> Grid:
    """The status × category counts of the tickets in ``user``'s scope (two queries; three with
    the regions a user who sees every ticket may pick from). ``region`` narrows the grid of such a
    user to one region (0: the tickets without one); a regional scope is always its own region."""
    if not can_see_dashboard(user):
        raise PermissionDenied("dashboard not available for this role or data scope", code="dashboard_scope")
    qs = TicketCount.objects.all()
    name = ""
    regions: list[tuple[int, str]] = []
    if not (user.is_superuser or user.data_scope == DataScope.ALL):
        region = int(user.region_id or 0)
        name = str(user.region) if user.region_id else ""
    else:
        regions = [(r.pk, str(r)) for r in Region.objects.order_by("code")]
        if region is not None:
            known = dict(regions)
            if region and region not in known:
                region = None  # an unknown region: every region
            else:
                name = known[region] if region else str(_("Without a region"))
    if region is not None:
        qs = qs.filter(region_key=region)
    sums: dict[tuple[str, int], int] = {
        (s, c): int(n) for s, c, n in qs.order_by().values_list("status", "category_key").annotate(n=Sum("n")) if n
    }
    categories = list(TicketCategory.objects.order_by("position", "code"))
    keys = [c.pk for c in categories]
    names = [str(c) for c in categories]
    if any(c == 0 for _s, c in sums):
        keys.append(0)
        names.append(str(_("No category")))
    known_keys = set(keys)
    extra = sorted({c for _s, c in sums if c not in known_keys})  # a category deleted since: still counted
    keys += extra
    names += [f"#{c}" for c in extra]
    rows = []
    for status in TicketStatus:
        cells = [sums.get((status.value, k), 0) for k in keys]
        rows.append(GridRow(status=status.value, label=str(status.label), cells=cells, total=sum(cells)))
    column_totals = [sum(r.cells[i] for r in rows) for i in range(len(keys))]
    return Grid(
        columns=names,
        rows=rows,
        column_totals=column_totals,
        total=sum(column_totals),
        region=name,
        keys=keys,
        region_key=region,
        regions=regions,
    )
