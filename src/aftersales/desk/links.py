"""Where a home page's count leads: the ticket list filtered the same way.

A card's count and its link are made from one ``TicketFilters``, so the number on the home page
is the total the list shows (``tickets.selectors.ticket_total_for_user``).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse

from aftersales.tickets.selectors import TicketFilters

# The filters a link can carry; the list's filter form reads exactly these (tickets.forms).
_LINKED = ("category", "region", "team", "assignee")
# A map search for an address, opened from the technician's day (the phone hands it to the map
# app). Amap's URI API needs no key; ``DESK_NAVIGATION_URL`` in the settings may name another.
NAVIGATION_URL = "https://uri.amap.com/search?keyword={query}&callnative=1"


def ticket_list_url(filters: TicketFilters, *, sort: str = "due") -> str:
    """The ticket list's URL showing what ``filters`` select, sorted by ``sort``."""
    if filters.priority or filters.channel or filters.assigned_to_me or filters.query or len(filters.statuses) > 1:
        raise ValueError("a home page links only by queue, one status, category, region, team and assignee")
    params: list[tuple[str, str]] = []
    if filters.queue:
        params.append(("queue", filters.queue))
    if filters.statuses:
        params.append(("status", filters.statuses[0]))
    elif not filters.open_only:
        params.append(("status", "all"))
    for name in _LINKED:
        value = getattr(filters, name)
        if value is not None:
            params.append((name, str(value)))
    if sort != "due":
        params.append(("sort", sort))
    url = reverse("tickets:list")
    return f"{url}?{urlencode(params)}" if params else url


def navigation_url(address: str) -> str:
    """A link that opens ``address`` in a map app (tap to navigate)."""
    template = getattr(settings, "DESK_NAVIGATION_URL", "") or NAVIGATION_URL
    return template.format(query=quote(address))
