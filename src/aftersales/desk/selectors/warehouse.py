"""The warehouse keeper's home: counts of the work waiting, each a link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.compensation.models import Compensation, CompensationKind
from aftersales.compensation.selectors import compensations_to_fulfil
from aftersales.compensation.services import can_fulfil
from aftersales.parts import permissions as parts_perms
from aftersales.parts import selectors as parts
from aftersales.parts.models import Requisition, RequisitionStatus, TransferStatus

from .cards import TOP

# --- The warehouse keeper's home -----------------------------------------------------------------


class CountLink(NamedTuple):
    key: str
    title: str | Promise
    help: str | Promise
    total: int
    url_name: str
    query: str
    tone: str
    fragment: str = ""


@dataclass(frozen=True)
class WarehouseHome:
    counts: list[CountLink]
    inbox: list[Requisition]


def sees_warehouse_home(user: User) -> bool:
    return parts_perms.is_stock_staff(user)


def warehouse_home(*, user: User, top: int = TOP) -> WarehouseHome:
    """What waits in the keeper's warehouses: requisitions to approve and to issue, returns to
    receive, transfers on the way, low stock, faulty parts to appraise — each the count of the
    parts page it links to."""
    counts = [
        CountLink(
            "to_approve",
            _("Requisitions to approve"),
            _("Submitted, awaiting a decision."),
            parts.requisitions_for_user(user=user, status=RequisitionStatus.SUBMITTED).count(),
            "parts:requisitions",
            "status=submitted",
            "warn",
        ),
        CountLink(
            "to_issue",
            _("Requisitions to issue"),
            _("Approved, to be picked and issued to the van."),
            parts.requisitions_for_user(user=user, status=RequisitionStatus.APPROVED).count(),
            "parts:requisitions",
            "status=approved",
            "warn",
        ),
        CountLink(
            "returns",
            _("Returns to receive"),
            _("Parts on the way back from the vans."),
            parts.returns_to_receive(user=user).count(),
            "parts:returns",
            "",
            "",
        ),
        CountLink(
            "transfers",
            _("Transfers in transit"),
            _("Between warehouses, not yet received."),
            parts.transfers_for_user(user=user).filter(status=TransferStatus.IN_TRANSIT).count(),
            "parts:transfers",
            "",
            "",
        ),
        CountLink(
            "low_stock",
            _("Low stock"),
            _("Available below the minimum level."),
            parts.low_stock_for_user(user=user).count(),
            "parts:low_stock",
            "",
            "alert",
        ),
        CountLink(
            "faulty",
            _("Faulty parts to appraise"),
            _("Received back, awaiting appraisal."),
            parts.faulty_awaiting_appraisal(user=user).count(),
            "parts:faulty",
            "",
            "",
        ),
    ]
    if can_fulfil(user, Compensation(kind=CompensationKind.GIFT)):
        # Gifts of approved compensation to ship (SPEC §2.8: the warehouse fulfils them): the
        # count of the compensation page's "to fulfil" list, which shows a keeper gifts only.
        counts.append(
            CountLink(
                "gifts",
                _("Compensation gifts to ship"),
                _("Approved gifts to issue, and issued ones to confirm."),
                compensations_to_fulfil(user=user).count(),
                "compensation:queues",
                "",
                "warn",
                "compensation-to-fulfil",
            )
        )
    inbox = list(parts.requisition_inbox(user=user)[:top])
    return WarehouseHome(counts=counts, inbox=inbox)
