"""The ticket list's filters as a saved view keeps them: validated and normalised.

``canonical_filters`` turns query parameters into ``(filters, search)``: the structured filters
as a query string (the keys of the list's filter form in its order, each value as the form
cleans it; defaults, empty values and the cursor left out) and the search text apart. Two sets
of parameters that show the same list give the same pair, so the list page marks the saved view
it is showing by comparing pairs.

It reads the same choices as ``tickets.forms.TicketListFilterForm`` (the statuses, priorities,
channels, the selectors' queues and sorts) without importing the form (the form module imports the
services, which validate with this one); ``tests/tickets/test_saved_views.py`` pins that both
accept exactly the same keys and values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed

from .choices import Channel, Priority, RequestType, Responsibility, SlaState
from .models.saved_view import SEARCH_MAX_LENGTH
from .selectors.listing import QUEUES, SORTS
from .states import TicketStatus

# The keys of ``TicketListFilterForm``, in its order; ``q`` is kept apart as the search.
FILTER_KEYS = (
    "queue",
    "status",
    "priority",
    "channel",
    "q",
    "sort",
    "category",
    "region",
    "team",
    "assignee",
    "sla",
    "created_after",
    "created_before",
    "model",
    "responsibility",
    "request_type",
    "number",
    "party",
)
DEFAULTS = {"status": "open", "sort": "due"}
IGNORED_KEYS = frozenset({"cursor"})  # a position in the list, not a filter
MAX_ID = 2**63 - 1

LABELS = {
    "queue": _("Queue"),
    "status": _("Status"),
    "priority": _("Priority"),
    "channel": _("Channel"),
    "q": _("Search"),
    "sort": _("Sort"),
    "category": _("Category"),
    "region": _("Region"),
    "team": _("Team"),
    "assignee": _("Assignee"),
    "sla": _("SLA state"),
    "created_after": _("Registered from"),
    "created_before": _("Registered before"),
    "model": _("Product model"),
    "responsibility": _("Responsibility"),
    "request_type": _("Request type"),
    "number": _("Number"),
    "party": _("Responsible party"),
}


def _choice(allowed: frozenset[str]) -> Callable[[str], str | None]:
    return lambda value: value if value in allowed else None


def _integer(minimum: int) -> Callable[[str], str | None]:
    def clean(value: str) -> str | None:
        try:
            number = int(value)
        except ValueError:
            return None
        return str(number) if minimum <= number <= MAX_ID else None

    return clean


def _text(max_length: int) -> Callable[[str], str | None]:
    return lambda value: value if len(value) <= max_length else None


def _moment(value: str) -> str | None:
    """A registration time as the list's form reads it (ISO 8601; without an offset, local
    time), written back as local time to the second: ``2026-12-06T09:53:12``."""
    try:
        moment = parse_datetime(value)
    except ValueError:
        return None
    if moment is None:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).replace(tzinfo=None).isoformat(timespec="seconds")


_CLEANERS: dict[str, Callable[[str], str | None]] = {
    "queue": _choice(frozenset(QUEUES)),
    "status": _choice(frozenset({"open", "all", *TicketStatus.values})),
    "priority": _choice(frozenset(str(p) for p in Priority.values)),
    "channel": _choice(frozenset(Channel.values)),
    "sort": _choice(frozenset(SORTS)),
    "category": _integer(0),
    "region": _integer(0),
    "team": _integer(0),
    "assignee": _integer(1),
    "sla": _choice(frozenset({SlaState.WARNING.value, SlaState.BREACHED.value})),
    "created_after": _moment,
    "created_before": _moment,
    "model": _text(64),
    "responsibility": _choice(frozenset(Responsibility.values)),
    "request_type": _choice(frozenset(RequestType.values)),
    "number": _text(32),
    "party": lambda value: _text(32)(value.strip().lower()),
}


def _value(params: Mapping[str, Any], key: str) -> str:
    getter = getattr(params, "get", None)
    value = getter(key) if getter is not None else None
    # A NUL character is never a filter (and PostgreSQL stores no text with one).
    return "" if value is None else str(value).replace("\x00", "").strip()


def canonical_filters(params: Mapping[str, Any], *, strict: bool = True) -> tuple[str, str]:
    """``(filters, search)`` for these query parameters (a ``QueryDict``: its last value per key).

    ``strict``: a key the list does not know, a value it does not accept or a search longer than
    the list's is refused with ``ValidationFailed`` naming ``filters``; otherwise they are left
    out, as the list page leaves them out (it shows the default instead)."""
    if strict:
        unknown = sorted(set(params) - set(FILTER_KEYS) - IGNORED_KEYS)
        if unknown:
            raise ValidationFailed(
                {"filters": [_("“%(key)s” is not a filter of the ticket list.") % {"key": unknown[0]}]},
                code="saved_view_filter_unknown",
            )
    pairs: list[tuple[str, str]] = []
    for key in FILTER_KEYS:
        if key == "q":
            continue
        raw = _value(params, key)
        if not raw:
            continue
        clean = _CLEANERS[key](raw)
        if clean is None:
            if strict:
                raise ValidationFailed(
                    {
                        "filters": [
                            _("The ticket list does not know the value “%(value)s” of the filter “%(filter)s”.")
                            % {"value": raw[:50], "filter": LABELS[key]}
                        ]
                    },
                    code="saved_view_filter_invalid",
                )
            continue
        if DEFAULTS.get(key) != clean:
            pairs.append((key, clean))
    search = _value(params, "q")
    if len(search) > SEARCH_MAX_LENGTH:
        if strict:
            raise ValidationFailed(
                {
                    "filters": [
                        _("The search is too long: at most %(max)d characters.") % {"max": SEARCH_MAX_LENGTH},
                    ]
                },
                code="saved_view_search_too_long",
            )
        search = ""  # the list page ignores it too (the form's field refuses it)
    return urlencode(pairs), search
