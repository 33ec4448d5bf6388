"""The bar of saved views above the ticket list: a link per view (the one the page shows marked),
"Save this view" (folded) and the link to the manage page.

The list is a benchmarked hot page, so the bar is built like the list's rows and filter form
(``list_rows``): the links are one ``str.format`` each over escaped strings, and the rest of the
markup — the same for every request of a language and of the sharing a user may choose — is
rendered from the template once per process and reused, the per-request values (the CSRF token,
the page's filters, the links, out of band or not) put into it. A bar with a refused form or a
"saved" notice (the answer to "Save this view") is rendered from the template as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from html import escape as _e
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, override

from aftersales.accounts.models import User
from aftersales.core.web import is_fragment_request

from .models import SavedView
from .models.saved_view import join_query
from .saved_view_filters import canonical_filters
from .saved_view_forms import SavedViewForm
from .selectors import saved_views_for_user
from .services.saved_views import sharing_choices

BAR_TEMPLATE = "tickets/partials/saved_views_bar.html"
_ITEM = '<li><a href="{url}" class="saved-view{current_class}"{current_attr} data-test-id="saved-view" data-view-id="{pk}">{name}{owner}</a></li>'
_OWNER = ' <span class="saved-view-owner" title="{title}">· {owner}</span>'
# Slots of the reused markup (characters no template output contains).
_SLOTS = {"items": "\x00items\x00", "filters": "\x00filters\x00", "csrf": "\x00csrf\x00", "oob": "\x00oob\x00"}


@dataclass
class Bar:
    """What the bar shows for one page: its links (markup), the page's filters as a saved view
    keeps them (the save form's hidden value), the sharing the user may choose."""

    items_html: SafeString
    filters: str
    sharing: tuple[tuple[str, str], ...]
    start_url: str = ""  # the user's start view, where the plain list sends them
    form: SavedViewForm | None = None
    saved: str = ""  # the name just saved (the answer to "Save this view")


def view_url(view: SavedView, list_url: str = "") -> str:
    query = view.query_string
    return f"{list_url or reverse('tickets:list')}?{query or 'status=open'}"


def owner_label(view: SavedView) -> str:
    owner = view.owner
    return User.label(owner.display_name, owner.first_name, owner.last_name, owner.username)


def list_bar(params: Mapping[str, Any], user: User) -> Bar:
    """The bar for the list page showing the filters of ``params`` (one query: the user's views)."""
    visible = saved_views_for_user(user=user)
    page = canonical_filters(params, strict=False)
    list_url = reverse("tickets:list")
    items = []
    for view in visible.all:
        current = (view.filters, view.search) == page
        owner = ""
        if view.owner_id != user.pk:
            label = owner_label(view)
            owner = _OWNER.format(title=_e(gettext("Shared by %(owner)s") % {"owner": label}), owner=_e(label))
        items.append(
            _ITEM.format(
                url=_e(view_url(view, list_url)),
                current_class=" is-current" if current else "",
                current_attr=' aria-current="page"' if current else "",
                pk=int(view.pk),
                name=_e(view.name),
                owner=owner,
            )
        )
    start = visible.start
    return Bar(
        items_html=mark_safe("".join(items)),  # noqa: S308 - every value escaped above
        filters=join_query(*page),
        sharing=tuple(sharing_choices(user)),
        start_url=view_url(start, list_url) if start is not None and start.query_string else "",
    )


def start_redirect(request: HttpRequest, bar: Bar) -> str:
    """Where the plain ``/tickets/`` (no parameters, a whole page) sends a user who chose a start view."""
    if bar.start_url and not request.GET and not is_fragment_request(request):
        return bar.start_url
    return ""


def render_bar(request: HttpRequest, bar: Bar, *, oob: bool = False) -> SafeString:
    """The bar's markup for this request (``oob``: to be swapped out of band by htmx)."""
    oob_attr = ' hx-swap-oob="true"' if oob else ""
    context = {"bar": bar, "oob_attr": mark_safe(oob_attr)}  # noqa: S308 - a constant
    if bar.form is not None or bar.saved:
        return render_to_string(BAR_TEMPLATE, context, request=request)
    frame = _frame(get_language() or settings.LANGUAGE_CODE, bar.sharing, bool(bar.start_url))
    html = (
        frame.replace(_SLOTS["oob"], oob_attr)
        .replace(_SLOTS["csrf"], _e(get_token(request)))
        .replace(_SLOTS["filters"], _e(bar.filters))
        .replace(_SLOTS["items"], bar.items_html)
    )
    return mark_safe(html)  # noqa: S308 - our template's output; the values put in are escaped


@lru_cache(maxsize=32)
def _frame(language: str, sharing: tuple[tuple[str, str], ...], has_start: bool) -> str:
    items = mark_safe(_SLOTS["items"])  # noqa: S308 - a slot, replaced by escaped markup
    bar = Bar(items_html=items, filters=_SLOTS["filters"], sharing=sharing, start_url="1" if has_start else "")
    with override(language):
        html = render_to_string(BAR_TEMPLATE, {"bar": bar, "oob_attr": _SLOTS["oob"], "csrf_token": _SLOTS["csrf"]})
    # The template escapes what it is given; the slots' characters come through unchanged.
    assert all(slot in html for slot in _SLOTS.values()), "the bar's template lost a slot"
    return html
