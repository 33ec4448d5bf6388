from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from .selectors import Grid, can_see_dashboard, dashboard_grid_for_user


@dataclass(frozen=True)
class DisplayRow:
    status: str
    label: str
    cells: SafeString  # the row's <td> cells, one per column
    total: int


def _cells(numbers: list[int]) -> SafeString:
    # One join per row instead of one template variable per cell: the grid has ~200 cells.
    return format_html_join("", "<td>{}</td>", ((n,) for n in numbers))


def _display_rows(grid: Grid) -> list[DisplayRow]:
    return [DisplayRow(status=r.status, label=r.label, cells=_cells(r.cells), total=r.total) for r in grid.rows]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The supervisor's status × category grid, exact to the last committed ticket."""
    if not can_see_dashboard(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    grid = dashboard_grid_for_user(user=request.user)  # type: ignore[arg-type]
    context = {"grid": grid, "rows": _display_rows(grid), "column_totals": _cells(grid.column_totals)}
    return render(request, "analytics/dashboard.html", context)
