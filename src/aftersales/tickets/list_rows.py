"""The ticket list's table rows, rendered in Python.

Agents live in this list, and a page of 25 rows through the template engine cost ~15 ms of CPU
(about 1,000 variable lookups, 150 date filters and 75 ``get_FOO_display`` calls, each of which
rebuilds and hashes the choices). Here every per-request value (column labels, choice labels,
the detail URL's prefix) is computed once, and each row is one ``str.format`` over escaped
strings: the same markup, escaped the same way, at a fraction of the cost — the technique of
Django admin's change list (``admin_list.items_for_result``).

The markup is mirrored, for reading, in ``tickets/partials/ticket_results.html``'s comment; the
tests in ``tests/web/test_ticket_list.py`` pin its data-test-ids and labels.

With ``settings.ROW_RENDERING == "jinja2"`` the same markup, byte for byte, comes from the Jinja2
template ``tickets/jinja2/tickets/partials/ticket_rows.html`` (Django's Jinja2 backend, one
render per page), so that both can be measured from one tree (issue 13).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from html import escape as _e

from django.conf import settings
from django.http import QueryDict
from django.template import engines
from django.template.backends.jinja2 import Template as Jinja2Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, override
from markupsafe import Markup

from aftersales.accounts.models import User
from aftersales.core import clock

from .forms import TicketListFilterForm
from .models import Channel, Priority
from .selectors import TicketListRow
from .states import OPEN_STATUSES, TicketStatus
from .view_helpers import display_phone

_NUMBER_SLOT = "__number__"


@dataclass(frozen=True)
class ColumnLabels:
    number: str
    title: str
    category: str
    status: str
    priority: str
    channel: str
    customer: str
    phone: str
    assignee: str
    created: str
    due: str

    def as_list(self) -> list[str]:
        return [
            self.number,
            self.title,
            self.category,
            self.status,
            self.priority,
            self.channel,
            self.customer,
            self.phone,
            self.assignee,
            self.created,
            self.due,
        ]


def column_labels() -> ColumnLabels:
    """The table's column headings in the active language (also each cell's ``data-label``,
    which the phone layout shows in front of the value)."""
    return ColumnLabels(
        number=gettext("Number"),
        title=gettext("Title"),
        category=gettext("Category"),
        status=gettext("Status"),
        priority=gettext("Priority"),
        channel=gettext("Channel"),
        customer=gettext("Customer"),
        phone=gettext("Phone"),
        assignee=gettext("Assignee"),
        created=gettext("Created"),
        due=gettext("Due"),
    )


def _time_cell(value: dt.datetime, tz: dt.tzinfo) -> str:
    local = value.astimezone(tz)
    # Digits, dashes, colons, "T" and "+" only: nothing to escape.
    return f'<time datetime="{local.isoformat()}"><span>{local:%Y-%m-%d}</span> <span>{local:%H:%M}</span></time>'


_ROW_OPEN = '<tr class="ticket-row prio-{priority}{overdue_class}" data-test-id="ticket-row" data-number="{number}">'
# For a user who may assign tickets (bulk assignment): a checkbox first, named "tickets", that the
# list's bulk form sends (tickets/partials/ticket_results.html).
_SELECT_CELL = (
    '<td data-label="{l_select}" class="cell-select"><input type="checkbox" name="tickets" value="{number}"'
    ' aria-label="{l_select} {number}" data-test-id="row-select"></td>'
)
_ROW = (
    _ROW_OPEN + '<td data-label="{l_number}" class="cell-number"><a href="{url}" data-test-id="ticket-link">{number}</a></td>'
    '<td data-label="{l_title}" class="cell-title">{title}</td>'
    '<td data-label="{l_category}">{category}</td>'
    '<td data-label="{l_status}"><span class="badge status-{status}">{status_label}</span></td>'
    '<td data-label="{l_priority}" class="cell-priority"><span class="badge prio prio-{priority}"'
    ' data-test-id="ticket-priority">{priority_label}</span>{badges}</td>'
    '<td data-label="{l_channel}">{channel}</td>'
    '<td data-label="{l_customer}">{customer}</td>'
    '<td data-label="{l_phone}" class="cell-phone" data-test-id="ticket-phone">{phone}</td>'
    '<td data-label="{l_assignee}">{assignee}</td>'
    '<td data-label="{l_created}">{created}</td>'
    '<td data-label="{l_due}" class="cell-due">{due}</td>'
    "</tr>\n"
)


@dataclass(frozen=True)
class _Markup:
    """The per-language pieces of the rows, escaped: built once per language and process."""

    row_format: str
    selectable_row_format: str
    statuses: dict[str, str]
    priorities: dict[int, str]
    channels: dict[str, str]
    unassigned: str
    hazard: str
    breached: str
    warning: str
    escalation: str
    overdue: str


@lru_cache(maxsize=8)
def _markup(language: str) -> _Markup:
    with override(language):
        # The column labels go into the row's format once, escaped once (not per row).
        row_format = _ROW
        for name, value in column_labels().__dict__.items():
            row_format = row_format.replace("{l_" + name + "}", _e(value).replace("{", "{{").replace("}", "}}"))
        select_cell = _SELECT_CELL.replace("{l_select}", _e(gettext("Select")).replace("{", "{{").replace("}", "}}"))
        return _Markup(
            row_format=row_format,
            selectable_row_format=row_format.replace(_ROW_OPEN, _ROW_OPEN + select_cell, 1),
            statuses={value: _e(str(label)) for value, label in TicketStatus.choices},
            priorities={value: _e(str(label)) for value, label in Priority.choices},
            channels={value: _e(str(label)) for value, label in Channel.choices},
            unassigned=_e(gettext("Unassigned")),
            hazard=f' <span class="badge hazard" title="{_e(gettext("Safety hazard"))}">⚠</span>',
            breached=f' <span class="badge overdue" data-test-id="row-sla-breached">{_e(gettext("SLA breached"))}</span>',
            warning=f' <span class="badge escalated" data-test-id="row-sla-warning">{_e(gettext("SLA warning"))}</span>',
            escalation=(
                f' <span class="badge escalated" title="{_e(gettext("Escalation level"))}" data-test-id="row-escalation">↑'
            ),
            overdue=f' <span class="badge overdue">{_e(gettext("Overdue"))}</span>',
        )


def render_rows(tickets: Iterable[TicketListRow], *, user: User, selectable: bool = False) -> SafeString:
    """The ``<tr>`` of each ticket, for ``user`` (phones masked unless their role needs them),
    in the active language; ``selectable``: with a checkbox per row for the bulk assignment.

    Every value that comes from data goes through ``html.escape`` (what Django's ``escape``
    does, without its lazy-string wrapper: ~500 calls per page); labels and badges are escaped
    once per language. ``str.format`` then only joins strings that are already markup."""
    if settings.ROW_RENDERING == "jinja2":
        return _render_rows_jinja2(tickets, user=user, selectable=selectable)
    now = clock.now()
    tz = timezone.get_current_timezone()
    m = _markup(get_language() or settings.LANGUAGE_CODE)
    url_pattern = reverse("tickets:detail", args=[_NUMBER_SLOT])
    row_format = m.selectable_row_format if selectable else m.row_format
    out = []
    for t in tickets:
        overdue = bool(t.due_at and t.due_at < now and t.status in OPEN_STATUSES)
        badges = ""
        if t.safety_hazard:
            badges += m.hazard
        if t.sla_state == "breached":
            badges += m.breached
        elif t.sla_state == "warning":
            badges += m.warning
        if t.escalation_level:
            badges += f"{m.escalation}{int(t.escalation_level)}</span>"
        number = _e(t.number)
        phone = display_phone(user, t.customer_phone)
        out.append(
            row_format.format(
                priority=int(t.priority),
                overdue_class=" is-overdue" if overdue else "",
                number=number,
                url=url_pattern.replace(_NUMBER_SLOT, number),
                title=_e(t.title),
                category=_e(t.category_label) if t.category_id else "—",
                status=_e(t.status),
                status_label=m.statuses.get(t.status) or _e(t.status),
                priority_label=m.priorities.get(t.priority) or int(t.priority),
                badges=badges,
                channel=m.channels.get(t.channel) or _e(t.channel),
                customer=_e(t.customer_name),
                phone=_e(phone) if phone else "—",
                assignee=_e(t.assignee_label) if t.assignee_id else m.unassigned,
                created=_time_cell(t.created_at, tz),
                due=_time_cell(t.due_at, tz) + (m.overdue if overdue else "") if t.due_at else "—",
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above escaped by html.escape


@lru_cache(maxsize=1)
def _rows_template() -> Jinja2Template:
    """The rows' Jinja2 template, read and compiled once per process."""
    template = engines["jinja2"].get_template("tickets/partials/ticket_rows.html")
    assert isinstance(template, Jinja2Template)
    return template


@lru_cache(maxsize=8)
def _choice_labels(language: str) -> tuple[dict[str, str], dict[int, str], dict[str, str]]:
    """The status, priority and channel labels in ``language`` (unescaped: the template escapes)."""
    with override(language):
        return (
            {value: str(label) for value, label in TicketStatus.choices},
            {value: str(label) for value, label in Priority.choices},
            {value: str(label) for value, label in Channel.choices},
        )


def _render_rows_jinja2(tickets: Iterable[TicketListRow], *, user: User, selectable: bool = False) -> SafeString:
    statuses, priorities, channels = _choice_labels(get_language() or settings.LANGUAGE_CODE)
    url_head, _slot, url_tail = reverse("tickets:detail", args=[_NUMBER_SLOT]).partition(_NUMBER_SLOT)
    html = _rows_template().render(
        {
            "tickets": tickets,
            "user": user,
            "selectable": selectable,
            "display_phone": display_phone,
            "now": clock.now(),
            "tz": timezone.get_current_timezone(),
            "open_statuses": OPEN_STATUSES,
            "statuses": statuses,
            "priorities": priorities,
            "channels": channels,
            # Not escaped, as in the Python rendering (a reversed URL, only the number is data).
            "url_head": Markup(url_head),  # noqa: S704
            "url_tail": Markup(url_tail),  # noqa: S704
        }
    )
    return mark_safe(html)  # noqa: S308 - the autoescaped output of our template


# --- The filter form -------------------------------------------------------------------------

# The form's fields in its order (``saved_view_filters.FILTER_KEYS`` is checked against the same).
FILTER_FIELDS = tuple(TicketListFilterForm.base_fields)


def filter_form_html(params: QueryDict) -> SafeString:
    """The list's filter form for these query parameters, in the active language.

    Its widgets render through Django's form templates (an include per ``<option>``: ~90 per
    page), yet the markup depends only on the language and the parameters, so it is rendered
    once per combination and process and reused (bounded LRU)."""
    key = tuple(params.get(name, "") for name in FILTER_FIELDS)
    return _filter_form_html(get_language() or settings.LANGUAGE_CODE, key)


@lru_cache(maxsize=512)
def _filter_form_html(language: str, values: tuple[str, ...]) -> SafeString:
    data = {name: value for name, value in zip(FILTER_FIELDS, values, strict=True) if value}
    with override(language):
        html = render_to_string("tickets/partials/ticket_filters.html", {"form": TicketListFilterForm(data)})
    return mark_safe(html)  # noqa: S308 - our template's autoescaped output
