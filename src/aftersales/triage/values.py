"""The labels of the triage's values in the reader's language, and the choices of "Correct"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.tickets.choices import Priority, RequestType
from aftersales.tickets.models import TicketCategory

from .models import TriageField

URGENCY_LABELS = {"urgent": Priority.URGENT.label, "important": Priority.IMPORTANT.label, "normal": Priority.NORMAL.label}
SAFETY_LABELS = {"1": _("Safety hazard"), "0": _("No safety hazard")}


def value_label(field: str, value: str, categories: dict[str, TicketCategory] | None = None) -> str:
    if not value:
        return "—"
    if field == TriageField.CATEGORY:
        category = (categories or {}).get(value) or TicketCategory.objects.filter(code=value).first()
        return str(category) if category is not None else value
    if field == TriageField.REQUEST_TYPE:
        return str(RequestType(value).label) if value in RequestType.values else value
    if field == TriageField.URGENCY:
        return str(URGENCY_LABELS.get(value, value))
    return str(SAFETY_LABELS.get(value, value))


def value_choices(field: str, categories: list[TicketCategory]) -> list[tuple[str, str]]:
    if field == TriageField.CATEGORY:
        return [(c.code, str(c)) for c in categories]
    if field == TriageField.REQUEST_TYPE:
        return [(str(v), str(label)) for v, label in RequestType.choices]
    if field == TriageField.URGENCY:
        return [(k, str(v)) for k, v in URGENCY_LABELS.items()]
    return [(k, str(v)) for k, v in SAFETY_LABELS.items()]


# The engine's reasons are "<kind>:<matched words>" (triage.classifier); the kind in the reader's language.
REASON_KINDS = {
    "safety": _("Safety words"),
    "not_hazard": _("Hazard words used harmlessly"),
    "category": _("Category"),
    "request_type": _("Request type"),
    "urgency": _("Urgency"),
}


def reason_display(reason: str) -> str:
    kind, sep, words = str(reason).partition(":")
    if sep and kind in REASON_KINDS:
        return _("%(kind)s: %(words)s") % {"kind": REASON_KINDS[kind], "words": words}
    return str(reason)
