"""API v1: the register of responsible parties (read-only, staff, scope ``tickets:read``): the
codes a responsibility's ``party`` (POST /tickets/{number}/actions/set-responsibility, an
appraisal's report) and the chargeback statement's ``party`` take."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from aftersales.parties.selectors import parties_list

from ..models import Scope
from .common import problems, staff_caller

router = Router(tags=["Responsible parties"])
MAX_PARTIES = 1000


class ResponsiblePartyOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str = Field(description="department, supplier, logistics or service_outlet.")
    kind_label: str
    active: bool
    contact: str
    team: str | None = Field(description="A department's team.")
    outlet: str | None = Field(description="A service outlet's code in the service network.")


@router.get(
    "/responsible-parties",
    response={200: list[ResponsiblePartyOut], **problems(403)},
    operation_id="responsible_parties_list",
    summary="The register of responsible parties (staff)",
)
def responsible_parties(
    request: HttpRequest,
    kind: Literal["department", "supplier", "logistics", "service_outlet"] | None = Query(None),
    active: bool | None = Query(None, description="true: the parties offered now; false: the retired ones; omitted: all."),
    q: str = Query("", max_length=128, description="Part of the name (as compared: width, case, spaces) or a code."),
) -> Any:
    """Every party of the register by kind and name (at most 1,000)."""
    staff_caller(request, Scope.TICKETS_READ)
    parties = parties_list(kind=kind or "", active=active, query=q)[:MAX_PARTIES]
    return [
        {
            "code": p.code,
            "name": p.name,
            "name_en": p.name_en,
            "kind": p.kind,
            "kind_label": str(p.get_kind_display()),
            "active": p.active,
            "contact": p.contact,
            "team": p.team.name if p.team is not None else None,
            "outlet": p.outlet.code if p.outlet is not None else None,
        }
        for p in parties
    ]
