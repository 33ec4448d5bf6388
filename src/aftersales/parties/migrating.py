"""The data migration that links the responsible parties recorded as text (tickets, appraisals)
to the register: one entry per distinct name as compared, of the kind the responsibility says
(a plain "third party" by the words of its name: ``guess_third_party_kind``).

The functions take the migration's historical models, so they work at any point of the history."""

from __future__ import annotations

from typing import Any

from .kinds import guess_third_party_kind, kinds_for
from .models import party_name_key
from .services import next_party_code


def party_kind_for_text(responsibility: str, name: str) -> str:
    """The kind of the entry a text party of ``responsibility`` becomes ("" for none)."""
    kinds = kinds_for(responsibility)
    if not kinds:
        return ""
    if len(kinds) == 1:
        return kinds[0]
    return guess_third_party_kind(name)


def link_text_parties(
    party_model: Any,
    model: Any,
    *,
    fk: str = "responsible_party_ref",
    text_field: str = "responsible_party",
    responsibility: str | None = None,
) -> int:
    """Link ``model``'s rows that name a party only as text (``responsibility`` +
    ``responsible_party``) to register entries, creating the missing ones; returns how many
    rows were linked. An existing entry of an allowed kind with the same name as compared is
    reused (a third party's name found under any third-party kind). ``text_field``: the column
    holding the name (an appraisal's ``supplier``); ``responsibility``: only rows of that one."""
    rows = model.objects.filter(**{f"{fk}__isnull": True}).exclude(**{text_field: ""}).exclude(responsibility="")
    if responsibility is not None:
        rows = rows.filter(responsibility=responsibility)
    pending = rows.order_by().values_list("responsibility", text_field).distinct()
    linked = 0
    for resp, text in list(pending):
        kinds = kinds_for(resp)
        key = party_name_key(text)
        if not kinds or not key:
            continue
        party = party_model.objects.filter(kind__in=kinds, name_key=key).order_by("pk").first()
        if party is None:
            kind = party_kind_for_text(resp, text)
            name = " ".join(text.split())[:128]
            party = party_model.objects.create(
                kind=kind, name=name, name_key=key, code=next_party_code(kind, model=party_model), active=True
            )
        linked += rows.filter(responsibility=resp, **{text_field: text}).update(**{f"{fk}_id": party.pk})
    return linked
