"""Which kinds of party a responsibility may name (SPEC §2 step 3).

The keys are the values of ``tickets.choices.Responsibility`` (the tickets app sits above this
one, so they are spelled here; a test checks that the two agree)."""

from __future__ import annotations

from .models import PartyKind

THIRD_PARTY_KINDS: tuple[str, ...] = (PartyKind.SUPPLIER, PartyKind.LOGISTICS, PartyKind.SERVICE_OUTLET)

RESPONSIBILITY_KINDS: dict[str, tuple[str, ...]] = {
    "internal": (PartyKind.DEPARTMENT,),
    "third_party": THIRD_PARTY_KINDS,
    "supplier": (PartyKind.SUPPLIER,),
    "logistics": (PartyKind.LOGISTICS,),
    "service_outlet": (PartyKind.SERVICE_OUTLET,),
    "customer": (),
}

# A party's kind as the responsibility it stands for (a chargeback row of a registered party).
KIND_RESPONSIBILITY: dict[str, str] = {
    PartyKind.DEPARTMENT: "internal",
    PartyKind.SUPPLIER: "supplier",
    PartyKind.LOGISTICS: "logistics",
    PartyKind.SERVICE_OUTLET: "service_outlet",
}

# Code prefixes of the parties the system creates (the data migration, the demo).
CODE_PREFIX: dict[str, str] = {
    PartyKind.DEPARTMENT: "dep",
    PartyKind.SUPPLIER: "sup",
    PartyKind.LOGISTICS: "log",
    PartyKind.SERVICE_OUTLET: "out",
}


def kinds_for(responsibility: str) -> tuple[str, ...]:
    """The kinds of party ``responsibility`` may name (none for the customer or an unknown one)."""
    return RESPONSIBILITY_KINDS.get(responsibility, ())


def guess_third_party_kind(name: str) -> str:
    """The kind of a third party recorded as text only (the data migration): a logistics company
    or an outlet when its name says so, else a supplier."""
    if any(word in name for word in ("物流", "快递", "运输", "logistic", "express", "freight")):
        return PartyKind.LOGISTICS
    if any(word in name for word in ("网点", "服务中心", "维修站", "维修点", "outlet", "service centre", "service center")):
        return PartyKind.SERVICE_OUTLET
    return PartyKind.SUPPLIER
