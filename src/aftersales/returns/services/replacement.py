"""An exchange's replacement: shipped from stock (a new unit registered to the customer with its
warranty restarting) and delivered, which completes the exchange.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.catalog.models import ProductUnit
from aftersales.core import clock
from aftersales.core.errors import DomainError, ValidationFailed
from aftersales.core.i18n import deferred
from aftersales.parts import stock
from aftersales.parts.models import MovementKind
from aftersales.tickets.process.common import required_text

from ..audit_actions import ReturnsAudit
from ..models import (
    ReturnAuthorization,
    RmaKind,
)
from ..permissions import check_handler_or_keeper, check_keeper
from .common import (
    R,
    _complete,
    _move,
    lock_rma,
)


@transaction.atomic
def rma_ship_replacement(
    *,
    rma: ReturnAuthorization,
    actor: User,
    serial: str,
    carrier: str,
    tracking_number: str,
    expected_version: int | None = None,
) -> ReturnAuthorization:
    """Ship the exchange's replacement from the stock reserved at authorisation (an issue in the
    parts ledger) and register the new unit to the customer; its warranty counts from today."""
    new_serial = required_text(serial, field="serial", message=_("Enter the replacement's serial number."), limit=64)
    carrier_text = required_text(carrier, field="carrier", message=_("Name the carrier."), limit=64)
    tracking = required_text(tracking_number, field="tracking_number", message=_("Enter the tracking number."), limit=64)
    locked = lock_rma(rma, expected_version=expected_version)
    check_keeper(actor, locked)
    if locked.kind != RmaKind.EXCHANGE:
        raise DomainError(_("A return has no replacement to ship."), code="not_exchange", field="kind")
    if locked.status != R.INSPECTED:
        raise DomainError(
            _("Ship the replacement once the returned goods are received and inspected."), code="not_inspected", field="status"
        )
    old = locked.unit
    existing = ProductUnit.objects.select_for_update().filter(serial_number=new_serial).first()
    if existing is not None and (existing.customer_id is not None or existing.model_id != old.model_id or existing.pk == old.pk):
        raise ValidationFailed(
            {"serial": [_("The serial number %(serial)s belongs to another unit.") % {"serial": new_serial}]},
            code="serial_taken",
        )
    part_id = locked.replacement_part_id
    assert part_id is not None  # an exchange always has one (database constraint)
    row = stock.lock_stock([(locked.warehouse_id, part_id)])[(locked.warehouse_id, part_id)]
    today = clock.local_today()
    if existing is None:
        new_unit = ProductUnit.objects.create(
            serial_number=new_serial,
            model_id=old.model_id,
            batch="",
            purchase_date=today,
            sales_channel=old.sales_channel,
            store=old.store,
            customer_id=locked.customer_id,
            replaces=old,
        )
    else:
        ProductUnit.objects.filter(pk=existing.pk).update(customer_id=locked.customer_id, purchase_date=today, replaces=old)
        new_unit = ProductUnit.objects.get(pk=existing.pk)
    try:
        stock.move(
            row,
            quantity=-1,
            kind=MovementKind.ISSUE,
            actor=actor,
            reference=locked.number,
            product_unit=new_unit,
            serial=new_serial,
            note=str(locked.ticket.number),
            release_reserved=1 if locked.reserved else 0,
        )
    except DomainError as refused:
        raise DomainError(refused.message, code="insufficient_stock", field="warehouse") from None
    audit_record(
        action=ReturnsAudit.UNIT_REGISTERED,
        obj=new_unit,
        actor=actor,
        changes={"replaces": old.serial_number, "customer": locked.customer_id, "warranty_from": today.isoformat()},
    )
    return _move(
        locked,
        to=R.REPLACEMENT_SHIPPED,
        actor=actor,
        text=deferred(
            _("Replacement %(serial)s shipped by %(carrier)s, tracking number %(tracking)s."),
            serial=new_serial,
            carrier=carrier_text,
            tracking=tracking,
        ),
        fields={
            "replacement_unit": new_unit,
            "reserved": False,
            "shipping_carrier": carrier_text,
            "shipping_tracking": tracking,
            "shipped_at": clock.now(),
        },
        message=(
            _("Your replacement is on its way (%(rma)s)"),
            _("your replacement product for request %(number)s was shipped by %(carrier)s, tracking number %(tracking)s."),
        ),
        params={"carrier": carrier_text, "tracking": tracking},
    )


@transaction.atomic
def rma_confirm_delivery(*, rma: ReturnAuthorization, actor: User, expected_version: int | None = None) -> ReturnAuthorization:
    """The replacement reached the customer: the exchange is completed and its measure done."""
    locked = lock_rma(rma, expected_version=expected_version)
    check_handler_or_keeper(actor, locked)
    if locked.status != R.REPLACEMENT_SHIPPED:
        raise DomainError(_("Only a shipped replacement can be delivered."), code="not_shipped", field="status")
    _move(
        locked,
        to=R.DELIVERED,
        actor=actor,
        text=deferred(_("Replacement delivered.")),
        fields={"delivered_at": clock.now()},
    )
    return _complete(locked, actor=actor)
