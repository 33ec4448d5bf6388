"""Chargeback: the parties responsible for after-sales cost in a period, and one party's
statement (also as a printable page that can be sent to a supplier)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from aftersales.accounts.models import Region
from aftersales.core.errors import DomainError, ValidationFailed

from .kpi_views import _int, _period
from .links import drill_url
from .management_views import cost_labels
from .selectors.chargeback import chargeback_parties_for_user, chargeback_statement_for_user
from .selectors.common import CHARGEBACK_ROLES, sees_all, ticket_reach
from .services.rollups import COST_FIELDS


def _allowed(request: HttpRequest) -> None:
    try:
        ticket_reach(request.user, roles=CHARGEBACK_ROLES)  # type: ignore[arg-type]
    except DomainError as exc:
        raise PermissionDenied from exc


@login_required
def parties(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    period, error = _period(request)
    region = _int(request, "region")
    rows = chargeback_parties_for_user(user=request.user, period=period, region=region) if period else []  # type: ignore[arg-type]
    links = (
        [
            drill_url(period, "costed", staff=False, responsibility=p.responsibility, party=p.party, region=region, by="resolved")
            for p in rows
        ]
        if period
        else []
    )
    return render(
        request,
        "analytics/chargeback.html",
        {
            "period": period,
            "error": error,
            "rows": list(zip(rows, links, strict=True)),
            "fields": COST_FIELDS,
            "labels": cost_labels(),
            "regions": Region.objects.order_by("code") if sees_all(request.user) else [],  # type: ignore[arg-type]
            "region": region,
        },
        status=422 if error else 200,
    )


@login_required
def statement(request: HttpRequest) -> HttpResponse:
    _allowed(request)
    period, error = _period(request)
    if period is None:
        return render(request, "analytics/chargeback_statement.html", {"error": error}, status=422)
    try:
        s = chargeback_statement_for_user(
            user=request.user,  # type: ignore[arg-type]
            period=period,
            responsibility=request.GET.get("responsibility", ""),
            party=request.GET.get("party", "")[:128],
            region=_int(request, "region"),
        )
    except ValidationFailed as exc:
        return render(request, "analytics/chargeback_statement.html", {"error": str(exc.message)}, status=422)
    template = "analytics/chargeback_print.html" if request.GET.get("print") == "1" else "analytics/chargeback_statement.html"
    return render(request, template, {"s": s, "fields": COST_FIELDS, "labels": cost_labels(), "query": request.GET.urlencode()})
