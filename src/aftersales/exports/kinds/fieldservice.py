"""Field service: the dispatch board of a day (to dispatch, then planned) and the technician's
jobs of a day, with their pages' ``day`` and ``region`` and the same masking of the site."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Region, User
from aftersales.core import clock
from aftersales.fieldservice.permissions import can_dispatch, is_technician, site_details
from aftersales.fieldservice.selectors import dispatch_board, technician_jobs

from ..registry import CellType, Column, ExportKind, Rows, list_rows, register


def _day(params: Mapping[str, str]) -> dt.date:
    try:
        return parse_date(params.get("day", "") or "") or clock.local_today()
    except ValueError:
        return clock.local_today()


def board_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``fieldservice.views.board`` reads them."""
    code = params.get("region", "")
    region = Region.objects.filter(code=code).first() if code else None
    board = dispatch_board(user=user, day=_day(params), region=region)
    return list_rows(
        [(_("To dispatch"), row["work_order"]) for row in board["to_dispatch"]] + [(_("Planned"), wo) for wo in board["planned"]]
    )


def job_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``fieldservice.views.my_jobs``: the address as the technician may see it."""
    return list_rows([(wo, site_details(user, wo)) for wo in technician_jobs(user=user, day=_day(params))])


BOARD = register(
    ExportKind(
        key="dispatch_board",
        title=_("Dispatch board"),
        columns=(
            Column(_("List"), lambda r, u: str(r[0]), width=12),
            Column(_("Number"), lambda r, u: r[1].number, width=18),
            Column(_("Status"), lambda r, u: r[1].get_status_display(), width=12),
            Column(_("Kind"), lambda r, u: r[1].get_kind_display(), width=12),
            Column(_("Ticket"), lambda r, u: r[1].ticket.number, width=18),
            Column(_("Region"), lambda r, u: str(r[1].region) if r[1].region_id else "", width=10),
            Column(_("City"), lambda r, u: f"{r[1].city} {r[1].district}".strip(), width=16),
            Column(_("Appointment from"), lambda r, u: r[1].appointment_start, CellType.DATETIME, width=17),
            Column(_("Appointment until"), lambda r, u: r[1].appointment_end, CellType.DATETIME, width=17),
            Column(_("Technician"), lambda r, u: str(r[1].technician) if r[1].technician_id else "", width=14),
            Column(_("Site-entry requirements"), lambda r, u: r[1].site_requirements, width=30),
        ),
        may_use=can_dispatch,
        rows=board_rows,
        page="fieldservice:board",
    )
)

MY_JOBS = register(
    ExportKind(
        key="my_jobs",
        title=_("My jobs"),
        columns=(
            Column(_("Appointment from"), lambda r, u: r[0].appointment_start, CellType.DATETIME, width=17),
            Column(_("Appointment until"), lambda r, u: r[0].appointment_end, CellType.DATETIME, width=17),
            Column(_("Number"), lambda r, u: r[0].number, width=18),
            Column(_("Status"), lambda r, u: r[0].get_status_display(), width=12),
            Column(_("Kind"), lambda r, u: r[0].get_kind_display(), width=12),
            Column(_("Area"), lambda r, u: r[1]["area"], width=18),
            Column(_("Address"), lambda r, u: r[1]["address"], width=30),
        ),
        may_use=is_technician,
        rows=job_rows,
        page="fieldservice:my_jobs",
    )
)
