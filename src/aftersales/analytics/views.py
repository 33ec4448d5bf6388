from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import SafeString, mark_safe

from .selectors import Grid, can_see_dashboard, dashboard_grid_for_user


@dataclass(frozen=True)
class DisplayRow:
    status: str
    label: str
    cells: SafeString  # the row's <td> cells, one per column
    total: int


def _cells(numbers: list[int]) -> SafeString:
    # One join per row instead of one template variable per cell (the grid has ~200 cells);
    # integers carry no markup, so there is nothing to escape.
    return mark_safe("".join(f"<td>{int(n)}</td>" for n in numbers))  # noqa: S308


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
