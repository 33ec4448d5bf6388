"""Creating and changing a service outlet (the administrator's page and the admin's look-up use
these; nothing else writes an outlet). Every change is audited with what changed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import OutletKind, Region, ServiceOutlet, Team, User
from aftersales.audit.services import audit_record
from aftersales.core.errors import ValidationFailed

from ..audit_actions import OutletAudit
from ..permissions import check_manage_outlets
from .amounts import money

CODE_RE = re.compile(r"^[-a-zA-Z0-9_]{1,32}$")
RESERVED_CODES = frozenset({"new", "settlements"})  # the outlet pages' own paths
TEXT_LIMITS = {
    "name": 128,
    "company": 200,
    "contact_name": 128,
    "phone": 32,
    "email": 254,
    "province": 32,
    "city": 32,
    "district": 32,
    "address": 200,
}
RATE_FIELDS = ("call_out_fee", "labour_rate", "travel_rate", "repeat_penalty")


@dataclass
class OutletInput:
    """What a person (or a client) gives for an outlet; the service checks all of it."""

    code: str
    name: str
    kind: str = OutletKind.AUTHORISED
    company: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    province: str = ""
    city: str = ""
    district: str = ""
    address: str = ""
    regions: Iterable[Region] = field(default_factory=list)
    team: Team | None = None
    active: bool = True
    call_out_fee: Any = Decimal(0)
    labour_rate: Any = Decimal(0)
    travel_rate: Any = Decimal(0)
    repeat_penalty: Any = Decimal(0)
    contract_from: dt.date | None = None
    contract_until: dt.date | None = None


def _clean(data: OutletInput, *, outlet: ServiceOutlet | None) -> dict[str, Any]:
    errors: dict[str, list[Any]] = {}
    values: dict[str, Any] = {}
    others = ServiceOutlet.objects.exclude(pk=outlet.pk) if outlet is not None else ServiceOutlet.objects.all()
    code = (data.code or "").strip().lower()
    if not CODE_RE.match(code) or code in RESERVED_CODES:
        errors["code"] = [_("Enter a code of letters, digits, - or _ (at most 32).")]
    elif others.filter(code=code).exists():
        errors["code"] = [_("Another outlet has this code.")]
    values["code"] = code
    for name, limit in TEXT_LIMITS.items():
        text = str(getattr(data, name) or "").strip()
        if len(text) > limit:
            errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
        values[name] = text
    if not values["name"]:
        errors["name"] = [_("Enter the outlet's name.")]
    if data.kind not in OutletKind.values:
        errors["kind"] = [_("Choose a kind of outlet.")]
    values["kind"] = data.kind
    for name in RATE_FIELDS:
        try:
            values[name] = money(getattr(data, name), field=name)
        except ValidationFailed as exc:
            errors.update(exc.errors)
    if data.contract_from and data.contract_until and data.contract_until < data.contract_from:
        errors["contract_until"] = [_("The contract cannot end before it starts.")]
    values["contract_from"], values["contract_until"] = data.contract_from, data.contract_until
    if data.team is not None:
        taken = others.filter(team=data.team).first()
        if taken is not None:
            errors["team"] = [_("This team already belongs to the outlet %(outlet)s.") % {"outlet": taken.name}]
    values["team"] = data.team
    values["active"] = bool(data.active)
    if errors:
        raise ValidationFailed(errors, code="outlet_invalid")
    return values


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date):
        return str(value)
    if isinstance(value, Team):
        return value.pk
    return value


@transaction.atomic
def outlet_create(*, actor: User, data: OutletInput) -> ServiceOutlet:
    """A new outlet with its contract; audited."""
    check_manage_outlets(actor)
    values = _clean(data, outlet=None)
    try:
        with transaction.atomic():
            outlet = ServiceOutlet.objects.create(**values)
    except IntegrityError:  # the same code created meanwhile
        raise ValidationFailed({"code": [_("Another outlet has this code.")]}, code="outlet_invalid") from None
    regions = list(data.regions)
    outlet.regions.set(regions)
    audit_record(
        action=OutletAudit.OUTLET_CREATED,
        obj=outlet,
        actor=actor,
        changes={**{k: _plain(v) for k, v in values.items()}, "regions": sorted(r.pk for r in regions)},
    )
    return outlet


@transaction.atomic
def outlet_update(*, outlet: ServiceOutlet, actor: User, data: OutletInput) -> ServiceOutlet:
    """Change an outlet and its contract. Statements already drafted keep the rates they copied."""
    check_manage_outlets(actor)
    locked = ServiceOutlet.objects.select_for_update().get(pk=outlet.pk)
    values = _clean(data, outlet=locked)
    changes: dict[str, Any] = {}
    for name, value in values.items():
        before = getattr(locked, name)
        if before != value:
            changes[name] = [_plain(before), _plain(value)]
            setattr(locked, name, value)
    regions = sorted(r.pk for r in data.regions)
    before_regions = sorted(locked.regions.values_list("pk", flat=True))
    if regions != before_regions:
        changes["regions"] = [before_regions, regions]
        locked.regions.set(regions)
    if changes:
        try:
            with transaction.atomic():
                locked.save(update_fields=[*[n for n in changes if n != "regions"], "updated_at"])
        except IntegrityError:
            raise ValidationFailed({"code": [_("Another outlet has this code.")]}, code="outlet_invalid") from None
        audit_record(action=OutletAudit.OUTLET_CHANGED, obj=locked, actor=actor, changes=changes)
    return locked
