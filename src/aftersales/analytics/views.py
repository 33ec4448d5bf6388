from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from aftersales.tickets.states import OPEN_STATUS_LIST

from .selectors import Grid, can_see_dashboard, dashboard_grid_for_user

# Shades of a cell by its share of the grid's largest cell.
HEAT_LEVELS = 4


@dataclass(frozen=True)
class DisplayRow:
    status: str
    label: str
    cells: SafeString  # the row's <td> cells, one per column
    total: int
    url: str  # the list of the row's tickets
    is_open: bool


def _list_url(grid: Grid, *, status: str, category: int | None = None) -> str:
    """The ticket list filtered as a cell of the grid counts: status × category × region (the
    list's total for it is the cell's number: both read the maintained counts)."""
    params = [f"status={status}"]
    if category is not None:
        params.append(f"category={category}")
    if grid.region_key is not None:
        params.append(f"region={grid.region_key}")
    return f"{reverse('tickets:list')}?{'&'.join(params)}"


def _heat(n: int, largest: int) -> int:
    return math.ceil(HEAT_LEVELS * n / largest) if n and largest else 0


def _cell(n: int, url: str, test_id: str, heat: int) -> str:
    if not n:
        return '<td><span class="zero">0</span></td>'
    shade = f' class="heat-{heat}"' if heat else ""
    return f'<td{shade}><a href="{escape(url)}" data-test-id="{test_id}">{int(n)}</a></td>'


def _display_rows(grid: Grid) -> list[DisplayRow]:
    # One join per row instead of one template variable per cell (the grid has ~200 cells); the
    # numbers are integers and the URLs are made of status values and integer keys, escaped.
    largest = max((n for r in grid.rows for n in r.cells), default=0)
    rows = []
    for r in grid.rows:
        cells = "".join(
            _cell(n, _list_url(grid, status=r.status, category=key), f"cell-{r.status}-{key}", _heat(n, largest))
            for n, key in zip(r.cells, grid.keys, strict=True)
        )
        rows.append(
            DisplayRow(
                status=r.status,
                label=r.label,
                cells=mark_safe(cells),  # noqa: S308 - built above from integers and escaped URLs
                total=r.total,
                url=_list_url(grid, status=r.status),
                is_open=r.status in OPEN_STATUS_LIST,
            )
        )
    return rows


def _column_totals(grid: Grid) -> SafeString:
    return mark_safe(  # noqa: S308 - integers and escaped URLs
        "".join(
            _cell(n, _list_url(grid, status="all", category=key), f"column-total-{key}", 0)
            for n, key in zip(grid.column_totals, grid.keys, strict=True)
        )
    )


def _region_of(request: HttpRequest) -> int | None:
    raw = request.GET.get("region", "")
    return int(raw) if raw.isdigit() and len(raw) < 19 else None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The supervisor's status × category grid, exact to the last committed ticket; every number
    opens the ticket list filtered the same way."""
    if not can_see_dashboard(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    grid = dashboard_grid_for_user(user=request.user, region=_region_of(request))  # type: ignore[arg-type]
    context = {
        "grid": grid,
        "rows": _display_rows(grid),
        "column_totals": _column_totals(grid),
        "total_url": _list_url(grid, status="all"),
    }
    return render(request, "analytics/dashboard.html", context)
