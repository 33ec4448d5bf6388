"""The ticket list's table rows, rendered in Python.

Agents live in this list, and a page of 25 rows through the template engine cost ~15 ms of CPU
(about 1,000 variable lookups, 150 date filters and 75 ``get_FOO_display`` calls, each of which
rebuilds and hashes the choices). Here every per-request value (column labels, choice labels,
the detail URL's prefix) is computed once, and each row is one ``format_html`` call over plain
strings: the same markup, escaped the same way, at a fraction of the cost — the technique of
Django admin's change list (``admin_list.items_for_result``).

The markup is mirrored, for reading, in ``tickets/partials/ticket_results.html``'s comment; the
tests in ``tests/web/test_ticket_list.py`` pin its data-test-ids and labels.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, override

from aftersales.accounts.models import User
from aftersales.core import clock

from .models import Channel, Priority, Ticket
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


def _time_cell(value: dt.datetime) -> SafeString:
    local = timezone.localtime(value)
    # Digits, dashes, colons, "T" and "+" only: nothing to escape.
    return mark_safe(  # noqa: S308
        f'<time datetime="{local.isoformat()}"><span>{local:%Y-%m-%d}</span> <span>{local:%H:%M}</span></time>'
    )


_ROW = (
    '<tr class="ticket-row prio-{priority}{overdue_class}" data-test-id="ticket-row" data-number="{number}">'
    '<td data-label="{l_number}" class="cell-number"><a href="{url}" data-test-id="ticket-link">{number}</a></td>'
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


def render_rows(tickets: Iterable[Ticket], *, user: User, labels: ColumnLabels) -> SafeString:
    """The ``<tr>`` of each ticket, for ``user`` (phones masked unless their role needs them)."""
    now = clock.now()
    statuses = {value: str(label) for value, label in TicketStatus.choices}
    priorities = {value: str(label) for value, label in Priority.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    url_pattern = reverse("tickets:detail", args=[_NUMBER_SLOT])
    l_unassigned = gettext("Unassigned")
    hazard = format_html(' <span class="badge hazard" title="{}">⚠</span>', gettext("Safety hazard"))
    breached = format_html(' <span class="badge overdue" data-test-id="row-sla-breached">{}</span>', gettext("SLA breached"))
    warning = format_html(' <span class="badge escalated" data-test-id="row-sla-warning">{}</span>', gettext("SLA warning"))
    escalation_title = gettext("Escalation level")
    overdue_badge = format_html(' <span class="badge overdue">{}</span>', gettext("Overdue"))
    # The column labels go into the row's format once per page, escaped once (not per row).
    row_format = _ROW
    for name, value in labels.__dict__.items():
        row_format = row_format.replace("{l_" + name + "}", escape(value).replace("{", "{{").replace("}", "}}"))
    out = []
    for t in tickets:
        overdue = bool(t.due_at and t.due_at < now and t.status in OPEN_STATUSES)
        badges = []
        if t.safety_hazard:
            badges.append(hazard)
        if t.sla_state == "breached":
            badges.append(breached)
        elif t.sla_state == "warning":
            badges.append(warning)
        if t.escalation_level:
            badges.append(
                format_html(
                    ' <span class="badge escalated" title="{}" data-test-id="row-escalation">↑{}</span>',
                    escalation_title,
                    t.escalation_level,
                )
            )
        phone = display_phone(user, t.customer.phone)
        due = format_html("{}{}", _time_cell(t.due_at), overdue_badge if overdue else "") if t.due_at else "—"
        out.append(
            format_html(
                row_format,
                priority=t.priority,
                overdue_class=" is-overdue" if overdue else "",
                number=t.number,
                url=url_pattern.replace(_NUMBER_SLOT, t.number),
                title=t.title,
                category=str(t.category) if t.category_id else "—",
                status=t.status,
                status_label=statuses.get(t.status, t.status),
                priority_label=priorities.get(t.priority, t.priority),
                badges=mark_safe("".join(badges)),  # noqa: S308 - each piece built by format_html
                channel=channels.get(t.channel, t.channel),
                customer=t.customer.name,
                phone=phone or "—",
                assignee=str(t.assignee) if t.assignee_id else l_unassigned,
                created=_time_cell(t.created_at),
                due=due,
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - every row built by format_html


# --- The filter form -------------------------------------------------------------------------

FILTER_FIELDS = ("queue", "status", "priority", "channel", "q", "sort")


def filter_form_html(params: QueryDict) -> SafeString:
    """The list's filter form for these query parameters, in the active language.

    Its widgets render through Django's form templates (an include per ``<option>``: ~90 per
    page), yet the markup depends only on the language and the six parameters, so it is rendered
    once per combination and process and reused (bounded LRU)."""
    key = tuple(params.get(name, "") for name in FILTER_FIELDS)
    return _filter_form_html(get_language() or settings.LANGUAGE_CODE, key)


@lru_cache(maxsize=512)
def _filter_form_html(language: str, values: tuple[str, ...]) -> SafeString:
    from .forms import TicketListFilterForm

    data = {name: value for name, value in zip(FILTER_FIELDS, values, strict=True) if value}
    with override(language):
        html = render_to_string("tickets/partials/ticket_filters.html", {"form": TicketListFilterForm(data)})
    return mark_safe(html)  # noqa: S308 - our template's autoescaped output
