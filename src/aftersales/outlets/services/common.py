"""What the statement services share: the lock with its version check, and free text checked."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import Conflict
from aftersales.core.fields import text as text  # re-exported for the services

from ..models import Settlement


def lock_settlement(settlement: Settlement, *, expected_version: int | None) -> Settlement:
    """The statement's row, locked; a stale ``expected_version`` (a page or client read an older
    one) is a ``Conflict``."""
    locked = Settlement.objects.select_for_update().select_related("outlet").get(pk=settlement.pk)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict(
            _("This statement was changed by someone else meanwhile; reload it and try again."),
            code="stale_version",
            field="version",
        )
    return locked
