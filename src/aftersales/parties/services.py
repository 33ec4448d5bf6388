"""Writes of the register of responsible parties, and the check a responsibility's party passes."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import ServiceOutlet, Team, User
from aftersales.audit.services import audit_record
from aftersales.core.errors import ValidationFailed

from .audit_actions import PartyAudit
from .kinds import CODE_PREFIX, guess_third_party_kind, kinds_for
from .models import PartyKind, ResponsibleParty, party_name_key
from .selectors import only_registered_parties, party_find


def next_party_code(kind: str, *, model: Any = ResponsibleParty) -> str:
    """The next free system code of ``kind`` ("sup-001", "dep-002"…). ``model``: the register's
    model (a migration passes its historical one)."""
    prefix = CODE_PREFIX.get(kind, "pty")
    taken = set(model.objects.filter(code__startswith=f"{prefix}-").values_list("code", flat=True))
    n = len(taken) + 1
    while f"{prefix}-{n:03d}" in taken:
        n += 1
    return f"{prefix}-{n:03d}"


def unknown_party_message(name: str) -> str:
    """The field error for a name the register does not know while it takes only registered
    parties: what to do instead."""
    return _(
        "“%(name)s” is not in the register of responsible parties. Choose a registered party, or ask an "
        "administrator to register it (Administration → Responsible parties → Add)."
    ) % {"name": name}


@transaction.atomic
def party_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    code: str = "",
    contact: str = "",
    team: Team | None = None,
    outlet: ServiceOutlet | None = None,
    active: bool = True,
) -> ResponsibleParty:
    """Register a party; its name must be new for its kind as compared (NFKC, case, spaces)."""
    name = " ".join((name or "").split())
    if kind not in PartyKind.values:
        raise ValidationFailed({"kind": [_("Choose the kind of party.")]}, code="party_kind_invalid")
    if not name or len(name) > 128:
        raise ValidationFailed({"name": [_("Give the party's name (at most 128 characters).")]}, code="party_name_invalid")
    if ResponsibleParty.objects.filter(kind=kind, name_key=party_name_key(name)).exists():
        raise ValidationFailed(
            {"name": [_("A party of this kind with this name is already registered.")]}, code="party_name_taken"
        )
    code = (code or "").strip().lower() or next_party_code(kind)
    if ResponsibleParty.objects.filter(code=code).exists():
        raise ValidationFailed({"code": [_("This code is already used by another party.")]}, code="party_code_taken")
    party = ResponsibleParty.objects.create(
        kind=kind,
        name=name,
        code=code,
        contact=contact.strip()[:200],
        team=team if kind == PartyKind.DEPARTMENT else None,
        outlet=outlet if kind == PartyKind.SERVICE_OUTLET else None,
        active=active,
    )
    audit_record(
        action=PartyAudit.PARTY_CREATED,
        obj=party,
        actor=actor,
        changes={"kind": kind, "name": name, "code": code},
    )
    return party


def party_for_responsibility(
    *, responsibility: str, party: str, actor: User | None, field: str = "party", register_new: bool | None = None
) -> ResponsibleParty | None:
    """The register entry ``party`` names for ``responsibility``, checked (SPEC §2 step 3).

    ``party`` is an entry's code or its name as compared (NFKC, case, spaces: "美的 供应商" is
    "美的供应商"), of a kind the responsibility allows (``kinds.RESPONSIBILITY_KINDS``: internal a
    department; supplier, logistics, service outlet that kind; a third party any of them). A
    code or a name registered only under another kind is an error on ``field``
    (``party_wrong_kind``), an inactive entry too (``party_inactive``). A name the register does
    not know yet is registered (the kind the responsibility says, a plain third party's by the
    words of its name, audited), so a name typed by an integration becomes an entry
    administrators can rename or merge, never a second spelling — unless the register takes only
    registered parties (``register_new`` False; ``None``: as the register's settings say,
    ``selectors.only_registered_parties``): then it is an error on ``field`` (``party_unknown``)
    saying how to register one. Empty ``party`` or the customer's responsibility: ``None``."""
    text = " ".join((party or "").split())
    kinds = kinds_for(responsibility)
    if not text or not kinds:
        return None
    found = party_find(text, kinds=kinds)
    if found is None:
        if party_find(text) is not None:
            raise ValidationFailed(
                {field: [_("This party is not of a kind this responsibility can name.")]}, code="party_wrong_kind"
            )
        if register_new is False or (register_new is None and only_registered_parties()):
            raise ValidationFailed({field: [unknown_party_message(text)]}, code="party_unknown")
        kind = kinds[0] if len(kinds) == 1 else guess_third_party_kind(text)
        return party_create(actor=actor, kind=kind, name=text)
    if not found.active:
        raise ValidationFailed({field: [_("This party is no longer active.")]}, code="party_inactive")
    return found
