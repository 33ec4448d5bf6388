"""Reads of appraisals, always scoped to the caller; the conclusions the other apps read.

``ticket_appraisal_conclusion`` is what the 三包 remedies engine reads; ``conclusions_by`` what the
quality work reads (per model, batch, component and supplier).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from aftersales.accounts.models import Role, User
from aftersales.core.errors import NotFound
from aftersales.tickets.models import Ticket
from aftersales.tickets.selectors.scope import sees_every_ticket, tickets_visible_to

from .models import Appraisal, AppraisalStatus, AppraisalSubject

# An appraisal whose report was signed: its conclusion stands (until a re-appraisal is signed).
CONCLUDED = frozenset({AppraisalStatus.SIGNED, AppraisalStatus.ACCEPTED, AppraisalStatus.REAPPRAISAL})
OPEN = frozenset({AppraisalStatus.REQUESTED, AppraisalStatus.ASSIGNED, AppraisalStatus.IN_PROGRESS, AppraisalStatus.REPORTED})


@dataclass(frozen=True)
class Conclusion:
    """The conclusion of a ticket's latest signed appraisal."""

    appraisal_id: int
    fault_type: str  # appraisal.choices.FaultType value
    sanbao_applies: bool
    cause: str  # tickets.choices.Cause value or ""
    responsibility: str  # tickets.choices.Responsibility value or ""
    component: str  # the part ("number name") or the appraiser's text; "" when none
    component_part_id: int | None
    signed_at: dt.datetime
    status: str  # signed, accepted (by the customer) or reappraisal (disputed: a re-appraisal is pending)

    @property
    def disputed(self) -> bool:
        return self.status == AppraisalStatus.REAPPRAISAL


def conclusion_of(appraisal: Appraisal) -> Conclusion | None:
    if appraisal.signed_at is None or appraisal.status not in CONCLUDED:
        return None
    return Conclusion(
        appraisal_id=appraisal.pk,
        fault_type=appraisal.fault_type,
        sanbao_applies=bool(appraisal.sanbao_applies),
        cause=appraisal.cause,
        responsibility=appraisal.responsibility,
        component=appraisal.component_label,
        component_part_id=appraisal.component_id,
        signed_at=appraisal.signed_at,
        status=appraisal.status,
    )


def ticket_appraisal_conclusion(*, ticket: Ticket) -> Conclusion | None:
    """The conclusion of the ticket's most recently signed appraisal of the product (a signed
    re-appraisal wins over the first; a faulty part's appraisal is not the product's); None
    while no report is signed. Not scoped: the caller holds the ticket."""
    latest = (
        Appraisal.objects.filter(
            ticket_id=ticket.pk, subject=AppraisalSubject.PRODUCT, status__in=CONCLUDED, signed_at__isnull=False
        )
        .select_related("component")
        .order_by("-signed_at", "-id")
        .first()
    )
    return conclusion_of(latest) if latest is not None else None


# --- Scoped reads ---------------------------------------------------------------------------------


def appraisals_visible_to(user: User) -> QuerySet[Appraisal]:
    """The appraisals ``user`` may see: those of the tickets they see; an appraiser also those
    assigned to them; a customer only signed reports on their own tickets."""
    qs = Appraisal.objects.select_related("ticket", "appraiser", "component", "product_model", "responsible_party_ref")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_customer:
        return qs.filter(ticket__customer__user=user, signed_at__isnull=False, subject=AppraisalSubject.PRODUCT)
    if sees_every_ticket(user):
        return qs
    return qs.filter(Q(ticket__in=tickets_visible_to(user).values("pk")) | Q(appraiser=user))


def appraisal_get_for_user(*, user: User, pk: int) -> Appraisal:
    found = appraisals_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound("appraisal not found")
    return found


def ticket_appraisals(*, user: User, ticket: Ticket) -> list[Appraisal]:
    return list(appraisals_visible_to(user).filter(ticket_id=ticket.pk).prefetch_related("files").order_by("created_at", "id"))


def appraiser_queue(*, user: User) -> dict[str, list[Appraisal]]:
    """The appraiser's queue: what is assigned to them and still open, and the unassigned
    requests of the tickets in their scope; urgent tickets first (SPEC §2.4), then oldest first."""
    base = appraisals_visible_to(user).order_by("ticket__priority", "created_at", "id")
    mine = list(base.filter(appraiser=user, status__in=OPEN)[:200])
    unassigned = list(base.filter(appraiser__isnull=True, status=AppraisalStatus.REQUESTED)[:200])
    return {"mine": mine, "unassigned": unassigned}


def appraisers() -> QuerySet[User]:
    return User.objects.filter(role=Role.APPRAISER, is_active=True).order_by("username")


# --- What the quality work reads ------------------------------------------------------------------

GROUPS = {
    "model": ("product_model_id", "product_model__code"),
    "batch": ("batch",),
    "component": ("component_id", "component__number", "component_text"),
    "supplier": ("supplier",),
}


def concluded_appraisals(*, since: dt.datetime | None = None, until: dt.datetime | None = None) -> QuerySet[Appraisal]:
    """Every appraisal with a signed conclusion that stands (a disputed one only until its
    re-appraisal is signed: then the re-appraisal counts, not both)."""
    qs = Appraisal.objects.filter(status__in=CONCLUDED, signed_at__isnull=False).exclude(reappraisals__signed_at__isnull=False)
    if since is not None:
        qs = qs.filter(signed_at__gte=since)
    if until is not None:
        qs = qs.filter(signed_at__lt=until)
    return qs


def conclusions_by(
    group: str,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    product_model_id: int | None = None,
) -> list[dict[str, Any]]:
    """Counts of standing conclusions per ``group`` (model, batch, component, supplier) and fault
    type: ``[{"product_model_id": …, "fault_type": "performance", "n": 3, "sanbao": 2}, …]``."""
    if group not in GROUPS:
        raise ValueError(f"unknown group {group!r}")
    qs = concluded_appraisals(since=since, until=until)
    if product_model_id is not None:
        qs = qs.filter(product_model_id=product_model_id)
    keys = GROUPS[group]
    rows = (
        qs.order_by()
        .values(*keys, "fault_type")
        .annotate(n=Count("id"), sanbao=Count("id", filter=Q(sanbao_applies=True)))
        .order_by(*keys, "fault_type")
    )
    return [dict(row) for row in rows]


def appraisals_for(
    *,
    product_model_id: int | None = None,
    batch: str | None = None,
    component_id: int | None = None,
    supplier: str | None = None,
) -> QuerySet[Appraisal]:
    """The standing conclusions of one model, batch, component or supplier (the quality drill-down)."""
    qs = concluded_appraisals().select_related("ticket", "component", "product_model")
    if product_model_id is not None:
        qs = qs.filter(product_model_id=product_model_id)
    if batch is not None:
        qs = qs.filter(batch=batch)
    if component_id is not None:
        qs = qs.filter(component_id=component_id)
    if supplier is not None:
        qs = qs.filter(supplier=supplier)
    return qs.order_by("-signed_at", "-id")
