"""The ticket list (and its work queues): the list page's filters, scope, columns and masking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.customers.phones import display_phone
from aftersales.tickets.forms import TicketListFilterForm
from aftersales.tickets.models import Channel, Priority
from aftersales.tickets.selectors import TicketFilters, TicketListRow
from aftersales.tickets.selectors.listing import ticket_list_rows_for_user
from aftersales.tickets.states import TicketStatus

from ..registry import CellType, Column, ExportKind, Rows, queryset_rows, register


def ticket_filters(params: Mapping[str, str]) -> tuple[TicketFilters, str]:
    """The list page's filters and sort from its query string (``tickets.views.ticket_list``)."""
    values = TicketListFilterForm.values_from(params)
    return TicketListFilterForm.filters_from(values), values["sort"]


class _Labels:
    """The choice and category labels of one export in the active language, each turned into
    text once (a lazy label costs a translation lookup each time it is read: ~30 µs a row)."""

    def __init__(self) -> None:
        self.status = {value: str(label) for value, label in TicketStatus.choices}
        self.priority = {value: str(label) for value, label in Priority.choices}
        self.channel = {value: str(label) for value, label in Channel.choices}
        self.categories: dict[tuple[str, str], str] = {}

    def category(self, row: TicketListRow) -> str:
        key = (row.category_name, row.category_name_en)
        label = self.categories.get(key)
        if label is None:
            label = self.categories[key] = row.category_label
        return label


class _Row(NamedTuple):
    row: TicketListRow
    labels: _Labels


def ticket_rows(user: User, params: Mapping[str, str]) -> Rows:
    """Every ticket the list shows for ``params``, in its order, as the list's row values."""
    filters, sort = ticket_filters(params)
    labels = _Labels()
    return queryset_rows(
        ticket_list_rows_for_user(user=user, filters=filters, sort=sort),
        wrap=lambda values: _Row(TicketListRow._make(values), labels),
    )


def _choice(labels: Mapping[Any, str], value: Any) -> str:
    return labels.get(value) or str(value)


def _phone(r: _Row, user: User) -> str:
    # As the list shows it: masked (138 **** 5678) for roles that do not need it.
    return display_phone(r.row.customer_phone, masked=not user.sees_personal_data)


TICKET_COLUMNS = (
    Column(_("Number"), lambda r, u: r.row.number, width=18),
    Column(_("Title"), lambda r, u: r.row.title, width=40),
    Column(_("Category"), lambda r, u: r.labels.category(r.row), width=16),
    Column(_("Status"), lambda r, u: _choice(r.labels.status, r.row.status), width=14),
    Column(_("Priority"), lambda r, u: _choice(r.labels.priority, r.row.priority), width=10),
    Column(_("Channel"), lambda r, u: _choice(r.labels.channel, r.row.channel), width=12),
    Column(_("Customer"), lambda r, u: r.row.customer_name, width=16),
    Column(_("Phone"), _phone, width=16),
    Column(_("Assignee"), lambda r, u: r.row.assignee_label, width=14),
    Column(_("Escalation level"), lambda r, u: r.row.escalation_level or None, CellType.NUMBER, width=10),
    Column(_("Created"), lambda r, u: r.row.created_at, CellType.DATETIME, width=17),
    Column(_("Due"), lambda r, u: r.row.due_at, CellType.DATETIME, width=17),
)


def _staff(user: User) -> bool:
    return not user.is_customer


TICKETS = register(
    ExportKind(
        key="tickets",
        title=_("Tickets"),
        columns=TICKET_COLUMNS,
        may_use=_staff,
        rows=ticket_rows,
        page="tickets:list",
    )
)
