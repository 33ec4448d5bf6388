"""ETag / If-Match / If-None-Match for tickets and work orders: the ETag is the version (``"v7"``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.fieldservice.models import WorkOrder
from aftersales.tickets.models import Ticket

from .problems import ApiProblem


def ticket_etag(ticket: Ticket) -> str:
    return f'"v{ticket.version}"'


def _tags(header: str) -> list[str]:
    tags = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tags


def not_modified(request: HttpRequest, ticket: Ticket) -> bool:
    """True when the client's ``If-None-Match`` already names the current version."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = _tags(header)
    return "*" in tags or ticket_etag(ticket) in tags


def version_from_if_match(request: HttpRequest, ticket: Ticket) -> int:
    """The version the client saw, from ``If-Match``; 428 without it, 412 when it is stale."""
    header = request.headers.get("If-Match")
    if not header:
        raise ApiProblem(
            428,
            _("Send the ticket's ETag in If-Match (read the ticket first)."),
            code="if_match_required",
            field="If-Match",
            headers={"ETag": ticket_etag(ticket)},
        )
    tags = _tags(header)
    current = ticket_etag(ticket)
    if "*" in tags or current in tags:
        return ticket.version
    raise ApiProblem(
        412,
        _("The ticket was changed since you read it; read it again and retry."),
        code="stale_version",
        field="If-Match",
        headers={"ETag": current},
    )


# --- Work orders: the same rules, the ETag is the work order's version -----------------------------


def work_order_etag(work_order: WorkOrder) -> str:
    return f'"v{work_order.version}"'


def work_order_not_modified(request: HttpRequest, work_order: WorkOrder) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = _tags(header)
    return "*" in tags or work_order_etag(work_order) in tags


def work_order_version_from_if_match(request: HttpRequest, work_order: WorkOrder) -> int:
    """The work order's version the client saw; 428 without ``If-Match``, 412 when stale."""
    current = work_order_etag(work_order)
    header = request.headers.get("If-Match")
    if not header:
        raise ApiProblem(
            428,
            _("Send the work order's ETag in If-Match (read the work order first)."),
            code="if_match_required",
            field="If-Match",
            headers={"ETag": current},
        )
    tags = _tags(header)
    if "*" in tags or current in tags:
        return work_order.version
    raise ApiProblem(
        412,
        _("The work order was changed since you read it; read it again and retry."),
        code="stale_version",
        field="If-Match",
        headers={"ETag": current},
    )
