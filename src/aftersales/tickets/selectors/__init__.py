"""Reads for tickets. Every fetch here applies the caller's scope; names say so.

By idea: ``scope`` (who sees which ticket; the scoped fetches), ``page`` (the ticket page's reads:
timeline, attachments, process overview), ``listing`` (the agent's list: filters, queues,
keyset cursors, rows, totals; the newest tickets), ``search`` (a keyword search's total and
page, with the planner steered on PostgreSQL), ``people`` (the customer, contact phone or unit a
search names: ``ticket_search_filter``, the whole search condition, also the API's) and
``saved_views`` (the list's saved views). Import from this package.

The tunables (``listing.TOTAL_CAP``; ``search.SEARCH_TOTAL_CAP``, ``search.DENSE_SEARCH``…) are
deliberately not re-exported: they are read from their own module at call time, so that is the
module to change (or to monkeypatch in a test); a copy here would change nothing.
"""

from .listing import (
    AT_RISK_WINDOW,
    DUE_SOON_WINDOW,
    LIST_COLUMNS,
    QUEUES,
    SORTS,
    TicketFilters,
    TicketListRow,
    TicketPage,
    TicketTotal,
    _cursor_values,
    _decode_cursor,
    _encode_cursor,
    _order_and_after,
    breached_q,
    due_soon_q,
    ticket_list_for_user,
    ticket_rows_for_user,
    ticket_total_for_user,
    tickets_newest_for_user,
)
from .page import (
    ProcessOverview,
    ticket_all_attachments,
    ticket_attachments,
    ticket_process_overview,
    ticket_public_timeline,
    ticket_timeline,
)
from .people import ticket_search_filter
from .saved_views import VisibleViews, saved_view_get_for_user, saved_views_for_user, saved_views_visible_to
from .scope import (
    attachment_get_for_user,
    sees_every_ticket,
    ticket_get_for_user,
    ticket_load_optional_relations,
    tickets_visible_to,
    tickets_with_intake_key_prefix,
)
from .search import _steered

__all__ = [
    "AT_RISK_WINDOW",
    "DUE_SOON_WINDOW",
    "LIST_COLUMNS",
    "QUEUES",
    "SORTS",
    "ProcessOverview",
    "TicketFilters",
    "TicketListRow",
    "TicketPage",
    "TicketTotal",
    "VisibleViews",
    # The list's keyset helpers, reused as they are by the API's list (``api.selectors``).
    "_cursor_values",
    "_decode_cursor",
    "_encode_cursor",
    "_order_and_after",
    "_steered",
    "attachment_get_for_user",
    "breached_q",
    "due_soon_q",
    "saved_view_get_for_user",
    "saved_views_for_user",
    "saved_views_visible_to",
    "sees_every_ticket",
    "ticket_all_attachments",
    "ticket_attachments",
    "ticket_get_for_user",
    "ticket_list_for_user",
    "ticket_load_optional_relations",
    "ticket_process_overview",
    "ticket_public_timeline",
    "ticket_rows_for_user",
    "ticket_search_filter",
    "ticket_timeline",
    "ticket_total_for_user",
    "tickets_newest_for_user",
    "tickets_visible_to",
    "tickets_with_intake_key_prefix",
]
