from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .selectors import can_see_dashboard, dashboard_grid_for_user


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The supervisor's status × category grid, exact to the last committed ticket."""
    if not can_see_dashboard(request.user):  # type: ignore[arg-type]
        raise PermissionDenied
    grid = dashboard_grid_for_user(user=request.user)  # type: ignore[arg-type]
    return render(request, "analytics/dashboard.html", {"grid": grid})
