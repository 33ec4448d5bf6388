"""What the travel services share: numbers, amounts, free text, the row lock with its version
check, and the one door of every status change (``move``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.audit.services import audit_record
from aftersales.core import clock
from aftersales.core.errors import Conflict, ValidationFailed
from aftersales.core.fields import text as text  # re-exported for the services
from aftersales.core.money import positive_amount as money  # noqa: F401 - re-exported for the services
from aftersales.core.transitions import TransitionTable

from ..audit_actions import TravelAudit
from ..models import PaymentMethod, TravelNumberSequence

# The largest advance one request may draw (CNY); settings.TRAVEL_ADVANCE_MAX overrides it.
DEFAULT_ADVANCE_MAX = Decimal("50000.00")

Doc = TypeVar("Doc", bound=models.Model)


def advance_maximum() -> Decimal:
    return Decimal(str(getattr(settings, "TRAVEL_ADVANCE_MAX", DEFAULT_ADVANCE_MAX)))


def outstanding_maximum() -> Decimal:
    """The most one technician may hold in advances (CNY, ``settings.TRAVEL_OUTSTANDING_MAX``);
    0, the default, is no cap."""
    return Decimal(str(getattr(settings, "TRAVEL_OUTSTANDING_MAX", 0) or 0))


def payment(method: str | None, reference: str | None, *, prefix: str) -> tuple[str, str]:
    """The payment's method (one of ``PaymentMethod``) and reference (a bank's or a receipt's
    number), checked; the fields are named ``<prefix>_method`` and ``<prefix>_reference``."""
    if method not in PaymentMethod.values:
        raise ValidationFailed({f"{prefix}_method": [_("Choose how it was paid.")]}, code="method_invalid")
    ref = text(reference, field=f"{prefix}_reference", required=True, limit=64, message=_("Enter the payment reference."))
    return str(method), ref


def next_number(prefix: str, *, day: dt.date | None = None) -> str:
    """``JK-20261207-0001``: the prefix, the local day and the day's sequence, counted with one
    ``UPDATE … RETURNING`` inside the caller's transaction (as ticket numbers are: concurrent
    callers queue on the counter row; a rolled-back document consumes no number)."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_number must run inside the document's transaction")
    day = day or clock.local_today()
    table = connection.ops.quote_name(TravelNumberSequence._meta.db_table)
    sql = f"UPDATE {table} SET last_value = last_value + 1 WHERE prefix = %s AND day = %s RETURNING last_value"  # noqa: S608
    day_param = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix, day_param])
        row = cursor.fetchone()
        if row is None:
            with transaction.atomic():
                TravelNumberSequence.objects.bulk_create(
                    [TravelNumberSequence(prefix=prefix, day=day, last_value=0)], ignore_conflicts=True
                )
            cursor.execute(sql, [prefix, day_param])
            row = cursor.fetchone()
    return f"{prefix}-{day:%Y%m%d}-{int(row[0]):04d}"


def lock(model: type[Doc], pk: int, *, expected_version: int | None) -> Doc:
    """The document's row, locked; a stale ``expected_version`` (a page or client read an older
    one) is a ``Conflict``."""
    locked = model._default_manager.select_for_update().get(pk=pk)
    if expected_version is not None and locked.version != expected_version:  # type: ignore[attr-defined]
        raise Conflict(
            _("This document was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    return locked


def move(
    locked: Any,
    *,
    table: TransitionTable,
    kind: str,
    to: str,
    actor: User | None,
    fields: set[str] | frozenset[str] = frozenset(),
    changes: dict[str, Any] | None = None,
) -> Any:
    """The one door of a status change: the move checked against ``table``, the version raised,
    the row saved (``update_fields``) and the audit row ``travel.<kind>_<status>`` written in the
    same transaction."""
    before = locked.status
    table.check(before, to)
    locked.status = to
    locked.version += 1
    locked.updated_at = clock.now()
    locked.save(update_fields=sorted({"status", "version", "updated_at", *fields}))
    audit_record(
        action=TravelAudit(f"travel.{kind}_{to}"),
        obj=locked,
        actor=actor,
        changes={"status": [before, to], **(changes or {})},
    )
    return locked
