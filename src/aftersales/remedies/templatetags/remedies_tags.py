"""``{% load remedies_tags %}``: the 三包 proposal and decision on the ticket page
(``{% ticket_remedies ticket %}``) and above the plan form's measures
(``{% plan_remedy_proposal ticket %}``).

``ticket_remedies`` costs the ticket page no query: it renders a placeholder that loads the panel
from ``remedies:ticket_panel`` (htmx, on load; a plain link without JavaScript), whose view
renders ``remedies/_panel.html`` with :func:`panel_context`."""

from __future__ import annotations

from typing import Any

from django import template

from aftersales.accounts.models import User
from aftersales.core.i18n import join_list, rendered
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import FINAL_STATUSES

from ..choices import Remedy, RuleCode
from ..engine import Proposal
from ..forms import RemedyChoiceForm
from ..models import RemedyDecision
from ..permissions import may_decide
from ..selectors import RemedyView, remedy_view

register = template.Library()


def proposal_display(proposal: Proposal) -> dict[str, Any]:
    return {
        "rule": proposal.rule,
        "rule_label": RuleCode(proposal.rule).label,
        "remedies": [(str(r), Remedy(r).label) for r in proposal.remedies],
        "reasons": [rendered(reason) for reason in proposal.reasons],
        "sale_date": proposal.sale_date,
        "day": proposal.day,
    }


def decision_display(decision: RemedyDecision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "decision": decision,
        "rule_label": RuleCode(decision.rule).label if decision.rule in RuleCode.values else decision.rule,
        "chosen_label": Remedy(decision.chosen).label if decision.chosen in Remedy.values else decision.chosen,
        "proposed_text": join_list(Remedy(r).label for r in decision.proposed if r in Remedy.values),
        "reasons": [rendered(reason) for reason in (decision.proposal or {}).get("reasons", [])],
    }


def _view(ticket: Ticket) -> RemedyView:
    """Computed once per page: the plan form and the panel show the same proposal."""
    cached = getattr(ticket, "_remedy_view", None)
    if cached is None:
        cached = remedy_view(ticket=ticket)
        ticket._remedy_view = cached  # type: ignore[attr-defined]
    return cached


def panel_context(*, user: User, ticket: Ticket, form: RemedyChoiceForm | None = None, saved: bool = False) -> dict[str, Any]:
    """What the panel shows; ``ticket`` was read for ``user`` through a scoped selector (the
    ticket page, the choice view), so no second scope check here."""
    view = _view(ticket)
    decide = may_decide(user) and ticket.status not in FINAL_STATUSES
    if decide and form is None:
        initial = {"version": view.decision.version if view.decision else None}
        if view.decision is not None and view.decision.price_paid is not None:
            initial["price_paid"] = view.decision.price_paid
        form = RemedyChoiceForm(initial=initial, proposal=view.proposal)
    return {
        "visible": True,
        "ticket": ticket,
        "proposal": proposal_display(view.proposal),
        "decision": decision_display(view.decision),
        "form": form if decide else None,
        "saved": saved,
    }


@register.inclusion_tag("remedies/_panel_placeholder.html", takes_context=True)
def ticket_remedies(context: template.Context, ticket: Ticket) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False}
    return {"visible": True, "number": ticket.number}


@register.inclusion_tag("remedies/_plan_proposal.html", takes_context=True)
def plan_remedy_proposal(context: template.Context, ticket: Ticket | None) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if ticket is None or user is None or not user.is_authenticated or user.is_customer:
        return {"visible": False}
    view = _view(ticket)  # the plan form's ticket was read through a scoped selector
    return {"visible": True, "proposal": proposal_display(view.proposal), "decision": decision_display(view.decision)}
