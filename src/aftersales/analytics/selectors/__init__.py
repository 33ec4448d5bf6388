"""Reads of analytics, each scoped to the caller: the status × category grid (``grid``), staff
KPIs (``kpis``), the management dashboard (``management``), chargeback statements
(``chargeback``) and the tickets behind a figure (``drill``)."""

from .grid import DASHBOARD_ROLES, Grid, GridRow, can_see_dashboard, dashboard_grid_for_user

__all__ = ["DASHBOARD_ROLES", "Grid", "GridRow", "can_see_dashboard", "dashboard_grid_for_user"]
