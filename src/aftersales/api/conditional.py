"""ETag / If-Match / If-None-Match for every versioned resource of the API (tickets, work orders,
returns, appraisals, refunds, articles, improvement actions, settlement statements…): the ETag is
the row's version (``"v7"``)."""

from __future__ import annotations

from typing import Any, Protocol

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from aftersales.fieldservice.models import WorkOrder
from aftersales.tickets.models import Ticket

from .problems import ApiProblem


class Versioned(Protocol):
    version: int


def version_etag(obj: Versioned) -> str:
    """The ETag of a versioned row: its version (``"v7"``)."""
    return f'"v{obj.version}"'


def checked_version(request: HttpRequest, obj: Versioned, *, missing: Any, stale: Any, etag: str | None = None) -> int:
    """The version the client saw, from ``If-Match``: 428 (``missing``, the message naming what to
    read first) without it, 412 (``stale``) when it names another version; ``*`` matches any.
    ``etag``: the resource's own ETag where it is not ``version_etag`` (refunds and compensation
    answer a weak ``W/"<number>-<version>"``); a tag matches in its weak or strong form, and the
    problem carries ``etag`` as it is."""
    require_if_match(request, etag or version_etag(obj), missing=missing, stale=stale)
    return obj.version


def require_if_match(request: HttpRequest, current: str, *, missing: Any, stale: Any) -> None:
    """``If-Match`` must name ``current`` (the resource's ETag now) or ``*``: 428 (``missing``)
    without it, 412 (``stale``) when it names another; both problems carry ``current``. For an
    ETag that is no row version (a notification template's state ``"3.3"``)."""
    if not request.headers.get("If-Match"):
        raise ApiProblem(428, missing, code="if_match_required", field="If-Match", headers={"ETag": current})
    if_match_holds(request, current, stale=stale)


def if_match_holds(request: HttpRequest, current: str, *, stale: Any) -> bool:
    """Where ``If-Match`` is optional: False without it, True when it names ``current`` or ``*``
    (a tag matches in its weak or strong form), 412 (``stale``, carrying ``current``) otherwise."""
    header = request.headers.get("If-Match")
    if not header:
        return False
    tags = _tags(header)
    if "*" in tags or current.removeprefix("W/") in tags:
        return True
    raise ApiProblem(412, stale, code="stale_version", field="If-Match", headers={"ETag": current})


def ticket_etag(ticket: Ticket) -> str:
    return version_etag(ticket)


def _tags(header: str) -> list[str]:
    tags = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag:
            tags.append(tag)
    return tags


def not_modified(request: HttpRequest, obj: Versioned) -> bool:
    """True when the client's ``If-None-Match`` already names the current version (a ticket's, a
    work order's)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = _tags(header)
    return "*" in tags or version_etag(obj) in tags


def version_from_if_match(request: HttpRequest, ticket: Ticket) -> int:
    """The version the client saw, from ``If-Match``; 428 without it, 412 when it is stale."""
    return checked_version(
        request,
        ticket,
        missing=_("Send the ticket's ETag in If-Match (read the ticket first)."),
        stale=_("The ticket was changed since you read it; read it again and retry."),
    )


# --- Work orders: the same rules, the ETag is the work order's version -----------------------------


def work_order_etag(work_order: WorkOrder) -> str:
    return version_etag(work_order)


def work_order_not_modified(request: HttpRequest, work_order: WorkOrder) -> bool:
    return not_modified(request, work_order)


def work_order_version_from_if_match(request: HttpRequest, work_order: WorkOrder) -> int:
    """The work order's version the client saw; 428 without ``If-Match``, 412 when stale."""
    return checked_version(
        request,
        work_order,
        missing=_("Send the work order's ETag in If-Match (read the work order first)."),
        stale=_("The work order was changed since you read it; read it again and retry."),
    )
