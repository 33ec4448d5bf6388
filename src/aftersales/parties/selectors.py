"""Reads of the register of responsible parties."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from .kinds import kinds_for
from .models import PartyRegisterSettings, ResponsibleParty, party_name_key


def parties_list(*, kind: str = "", active: bool | None = None, query: str = "") -> QuerySet[ResponsibleParty]:
    """The register (staff read it; it holds no personal data beyond a business contact)."""
    qs = ResponsibleParty.objects.select_related("team", "outlet").order_by("kind", "name")
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(active=active)
    if query:
        key = party_name_key(query)
        qs = qs.filter(Q(name_key__contains=key) | Q(code__iexact=query.strip()))
    return qs


def parties_for_responsibility(responsibility: str) -> QuerySet[ResponsibleParty]:
    """The active parties a responsibility may name, by kind and name."""
    return ResponsibleParty.objects.filter(kind__in=kinds_for(responsibility), active=True).order_by("kind", "name")


def party_find(text: str, *, kinds: Iterable[str] | None = None) -> ResponsibleParty | None:
    """The party ``text`` names: its code (any case), else its name as compared (NFKC, case,
    spaces), among ``kinds`` if given (a name registered under two of them: the first kind's).
    ``None`` when none."""
    text = (text or "").strip()
    if not text:
        return None
    qs = ResponsibleParty.objects.all()
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    by_code = qs.filter(code=text.lower()).first()
    if by_code is not None:
        return by_code
    return qs.filter(name_key=party_name_key(text)).order_by("kind", "pk").first()


def party_ids_for(text: str, *, kinds: Iterable[str] | None = None) -> list[int]:
    """Every party ``text`` may name (a code, or a name as compared, of any of ``kinds``): the
    filters of a chargeback statement or a drill-down, which accept either."""
    text = (text or "").strip()
    if not text:
        return []
    qs = ResponsibleParty.objects.all()
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    by_code = list(qs.filter(code=text.lower()).values_list("pk", flat=True))
    if by_code:
        return by_code
    return list(qs.filter(name_key=party_name_key(text)).values_list("pk", flat=True))


def register_settings() -> PartyRegisterSettings:
    """The settings in force: the saved row, or the defaults (new names are registered)."""
    pk = PartyRegisterSettings.SINGLETON_PK
    return PartyRegisterSettings.objects.filter(pk=pk).first() or PartyRegisterSettings(pk=pk)


def only_registered_parties() -> bool:
    """Whether a responsibility may name only a party already in the register (``/admin/``,
    "register settings"); off by default: a new name is registered."""
    return register_settings().only_registered


def party_options(kinds: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """``(code, "name · kind")`` of the active parties of ``kinds`` (all kinds when ``None``), in
    the reader's language, for a form's choice or datalist."""
    qs = ResponsibleParty.objects.filter(active=True).order_by("kind", "name")
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    return [(p.code, f"{p.label} · {p.get_kind_display()}") for p in qs]
