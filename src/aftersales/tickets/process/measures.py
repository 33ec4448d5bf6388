"""A plan's measures (SPEC §2.5): what is done, by whom, by when, at what cost, and what the
customer pays when the warranty does not cover the work — checked row by row for the plan form."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import DataScope, Role, User
from aftersales.catalog.warranty import WarrantyStatus
from aftersales.core import clock
from aftersales.core.errors import ValidationFailed

from ..models import MeasureKind, Ticket
from ..warranty import ticket_warranty_status
from .common import optional_text


@dataclass(frozen=True)
class MeasureInput:
    """One measure of a proposed plan."""

    kind: str
    description: str = ""
    owner: User | None = None
    deadline: dt.datetime | None = None
    amount: Decimal = Decimal("0")
    customer_charge: Decimal = Decimal("0")  # what the customer pays; 0 = free


def money_amount(value: object, *, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed({field: [_("Enter an amount.")]}, code="amount_invalid") from None
    if amount < 0 or amount >= Decimal("10000000000"):
        raise ValidationFailed({field: [_("Enter an amount between 0 and 9,999,999,999.99.")]}, code="amount_invalid")
    return amount


# --- Measures: who may own them, what the customer pays -----------------------------------------

# The measures that send someone out (or take the unit in): ``fieldservice.WorkOrderKind`` has the
# same values. Their work orders charge the customer by the unit's warranty, so the plan must say
# what the customer pays whenever the warranty does not cover the repair.
FIELD_MEASURE_KINDS = frozenset(
    {
        MeasureKind.ONSITE_REPAIR,
        MeasureKind.INSTALLATION,
        MeasureKind.INSPECTION,
        MeasureKind.DEPOT_REPAIR,
        MeasureKind.REMOTE_SUPPORT,
    }
)
# Who carries out measures: the people whose work they are (marketing does not).
MEASURE_OWNER_ROLES = frozenset(
    {
        Role.AGENT,
        Role.TECHNICIAN,
        Role.QUALITY_MANAGER,
        Role.SUPERVISOR,
        Role.WAREHOUSE,
        Role.FINANCE,
        Role.ADMINISTRATOR,
    }
)
MAX_MEASURES = 20


def ticket_plan_warranty(*, ticket: Ticket, on: dt.date | None = None) -> WarrantyStatus:
    """The warranty a plan's charges follow: the ticket's on the day (``tickets.warranty``: the
    unit's purchase date, else the one reported on the ticket, else the policy's fallback) — the
    same status the work order charges by (``fieldservice.charging``) and the 三包 facts' date."""
    return ticket_warranty_status(ticket, on or clock.local_today())


def measure_is_chargeable(kind: str, warranty: WarrantyStatus) -> bool:
    """A field measure the warranty does not cover: the customer pays for it."""
    return kind in FIELD_MEASURE_KINDS and not warranty.covers_repair


def plan_measure_owners(*, ticket: Ticket) -> QuerySet[User]:
    """Who may own a measure of ``ticket``'s plan: active staff whose work measures are
    (``MEASURE_OWNER_ROLES``) and whose work covers the ticket — those who see every ticket, the
    people of its region (or of a team of its region), of its team, its assignee and creator. For
    a ticket without a region: all of them. Ordered by role, then name."""
    owners = User.objects.filter(is_active=True, role__in=MEASURE_OWNER_ROLES)
    if ticket.region_id is not None:
        scope = (
            Q(data_scope=DataScope.ALL)
            | Q(is_superuser=True)
            | Q(region_id=ticket.region_id)
            | Q(team__region_id=ticket.region_id)
        )
        if ticket.team_id is not None:
            scope |= Q(team_id=ticket.team_id)
        for pk in (ticket.assignee_id, ticket.created_by_id):
            if pk is not None:
                scope |= Q(pk=pk)
        owners = owners.filter(scope)
    return owners.select_related("team", "region").order_by("role", "display_name", "username")


def validate_measures(
    measures: list[MeasureInput], *, ticket: Ticket, warranty: WarrantyStatus
) -> list[tuple[MeasureInput, Decimal, Decimal]]:
    """Every row's problems at once (``measures.<i>.<field>``), so each row shows its own."""
    if not measures:
        raise ValidationFailed({"measures": [_("Add at least one measure.")]}, code="measures_required")
    if len(measures) > MAX_MEASURES:
        raise ValidationFailed(
            {"measures": [_("At most %(limit)d measures.") % {"limit": MAX_MEASURES}]}, code="measures_too_many"
        )
    owner_ids = {m.owner.pk for m in measures if m.owner is not None}
    allowed = set(plan_measure_owners(ticket=ticket).filter(pk__in=owner_ids).values_list("pk", flat=True))
    errors: dict[str, list[object]] = {}
    codes: list[str] = []

    def refuse(name: str, message: object, code: str) -> None:
        errors.setdefault(name, []).append(message)
        codes.append(code)

    cleaned = []
    for index, measure in enumerate(measures):
        field = f"measures.{index}"
        if measure.kind not in MeasureKind.values:
            refuse(f"{field}.kind", _("Choose a valid measure."), "measure_kind_invalid")
        if measure.owner is not None and (measure.owner.is_customer or not measure.owner.is_active):
            refuse(f"{field}.owner", _("Choose an active staff member."), "measure_owner_invalid")
        elif measure.owner is not None and measure.owner.role not in MEASURE_OWNER_ROLES:
            refuse(
                f"{field}.owner",
                _("%(name)s's role (%(role)s) does not carry out measures.")
                % {"name": measure.owner, "role": measure.owner.get_role_display()},
                "measure_owner_role",
            )
        elif measure.owner is not None and measure.owner.pk not in allowed:
            refuse(
                f"{field}.owner",
                _("%(name)s does not work on this ticket's region or team; choose someone who does.") % {"name": measure.owner},
                "measure_owner_out_of_scope",
            )
        if measure.deadline is not None and timezone.is_naive(measure.deadline):
            refuse(f"{field}.deadline", _("Give the deadline with its time zone."), "naive_datetime")
        try:
            optional_text(measure.description, field=f"{field}.description")
            amount = money_amount(measure.amount, field=f"{field}.amount")
            charge = money_amount(measure.customer_charge, field=f"{field}.customer_charge")
        except ValidationFailed as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    refuse(name, message, exc.code)
            continue
        if charge and measure.kind in {MeasureKind.REFUND, MeasureKind.COMPENSATION}:
            refuse(
                f"{field}.customer_charge",
                _("A refund or compensation is paid to the customer, not charged."),
                "measure_charge_invalid",
            )
        elif not charge and measure_is_chargeable(measure.kind, warranty):
            refuse(
                f"{field}.customer_charge",
                _("Not covered by the warranty (%(state)s): enter the estimated charge the customer pays for it.")
                % {"state": warranty.label},
                "measure_charge_required",
            )
        cleaned.append((measure, amount, charge))
    if errors:
        raise ValidationFailed(errors, code=codes[0] if len(set(codes)) == 1 else "measures_invalid")
    return cleaned
