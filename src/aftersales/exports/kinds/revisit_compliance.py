"""The customers behind the revisit compliance figures (回访合规): the compliance page's query
string (``by`` tier/region/agent with its ``key``, ``state`` revisited/missed/all; without one,
as the page: the customers not reached in time) and the reader's scope."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.revisits import selectors
from aftersales.revisits.permissions import oversees

from ..registry import CellType, Column, ExportKind, Rows, list_rows, register


def compliance_rows(user: User, params: Mapping[str, str]) -> Rows:
    """As ``revisits.views.compliance`` lists them."""
    by, key, state = selectors.compliance_choice(params)
    customers = selectors.compliance_customers(user=user, on=clock.local_today())
    return list_rows(selectors.compliance_filter(customers, by=by, key=key, state=state))


def _yes_no(value: bool) -> str:
    return str(_("yes") if value else _("no"))


REVISIT_COMPLIANCE = register(
    ExportKind(
        key="revisit_compliance",
        title=_("Revisit compliance"),
        columns=(
            Column(_("Customer"), lambda c, u: c.name, width=18),
            Column(_("Customer tier"), lambda c, u: c.tier_label, width=12),
            Column(_("Region"), lambda c, u: c.region_label, width=12),
            Column(_("Agent"), lambda c, u: c.agent_label, width=14),
            Column(_("Last reached"), lambda c, u: c.last_reached, CellType.DATE, width=12),
            Column(_("Next call due by"), lambda c, u: c.due_by, CellType.DATE, width=12),
            Column(_("In time"), lambda c, u: _yes_no(c.revisited), width=8),
        ),
        may_use=oversees,
        rows=compliance_rows,
        page="revisits:compliance",
    )
)
