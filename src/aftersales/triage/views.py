"""The ticket page's triage panel (loaded after the page, htmx) and its one-click forms.

Thin: read through the selectors, write through the services, render. The panel polls every two
seconds while the triage is still to come and stops once it is there."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.errors import DomainError
from aftersales.core.view_errors import domain_errors, service_error_messages
from aftersales.core.web import is_fragment_request, request_user
from aftersales.tickets.models import Ticket, TicketCategory
from aftersales.tickets.permissions import ticket_available_actions
from aftersales.tickets.selectors import ticket_get_for_user

from . import services
from .duplicates import REASON_LABELS
from .forms import FeedbackForm
from .models import TriageField
from .permissions import may_reverse_urgent
from .selectors import FIELDS, TriageView, triage_for_user
from .values import reason_display, value_choices, value_label


def panel_context(*, user: User, view: TriageView, error: str = "") -> dict[str, Any]:
    ticket: Ticket = view.ticket
    actions = set(ticket_available_actions(user=user, ticket=ticket)) if view.ready else set()
    by_code = {c.code: c for c in TicketCategory.objects.all()} if view.ready else {}
    categories = [c for c in by_code.values() if c.active] if "classify" in actions else []
    rows = []
    if view.ready and view.result is not None:
        for name in FIELDS:
            suggested = view.result.suggested(name)
            current = view.current(name)
            confidence = view.result.confidence(name)
            feedback = view.feedback.get(name)
            rows.append(
                {
                    "field": name,
                    "label": TriageField(name).label,
                    "suggested": suggested,
                    "suggested_label": value_label(name, suggested, by_code),
                    "confidence": round(confidence * 100) if confidence is not None else None,
                    "current_label": value_label(name, current, by_code),
                    "applied": suggested == current,
                    "feedback": feedback,
                    "choices": value_choices(name, categories) if categories else [],
                }
            )
    duplicates = [
        {**d, "percent": round(float(d["score"]) * 100), "reason_labels": [REASON_LABELS.get(r, r) for r in d["reasons"]]}
        for d in view.duplicates
    ]
    return {
        "ticket": ticket,
        "view": view,
        "result": view.result,
        "rows": rows,
        "duplicates": duplicates,
        "may_classify": "classify" in actions,
        "may_merge": "merge" in actions,
        "may_reverse": may_reverse_urgent(user),
        "reasons": [reason_display(r) for r in (view.result.reasons if view.ready and view.result is not None else [])],
        "safety_percent": round((view.result.safety_confidence or 0.0) * 100) if view.result is not None else None,
        "error": error,
    }


@staff_required
@domain_errors
def panel(request: HttpRequest, number: str) -> HttpResponse:
    """The triage panel of a ticket: the suggestions with their confidence and reasons, Accept and
    Correct per field, the likely duplicates."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    context = panel_context(user=user, view=triage_for_user(user=user, ticket=ticket))
    if is_fragment_request(request):
        return render(request, "triage/_panel.html", context)
    return render(request, "triage/panel_page.html", context)


@staff_required
@require_POST
@domain_errors
def feedback(request: HttpRequest, number: str) -> HttpResponse:
    """Accept or correct one field (one click); back to the ticket page with the outcome."""
    user = request_user(request)
    ticket = ticket_get_for_user(user=user, number=number)
    form = FeedbackForm(request.POST)
    back = f"{reverse('tickets:detail', args=[ticket.number])}#triage-panel"
    if not form.is_valid():
        messages.error(request, _("Choose a field of the triage."))
        return redirect(back)
    try:
        row = services.triage_feedback(
            ticket=ticket,
            actor=user,
            field=form.cleaned_data["field"],
            value=form.cleaned_data["value"] or "",
            expected_version=form.cleaned_data["expected_version"],
        )
    except DomainError as exc:
        for field_messages in service_error_messages(exc).values():
            for message in field_messages:
                messages.error(request, str(message))
        return redirect(back)
    label = TriageField(row.field).label
    if row.accepted:
        messages.success(request, _("Accepted: %(field)s.") % {"field": label})
    else:
        messages.success(request, _("Corrected: %(field)s.") % {"field": label})
    return redirect(back)
