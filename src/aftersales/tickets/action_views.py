"""One POST endpoint per process step: parse the action's form, call its service, show the result.

No business rule lives here: the services check the version, who may act and the status. A
refusal (``DomainError`` and its kinds) is shown on the action's form, never as a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, PermissionDenied

from . import process
from .action_forms import ActionForm, action_form
from .models import Ticket
from .view_helpers import get_ticket_or_404, is_fragment_request, render_detail, render_htmx


def _update_measure(*, ticket: Ticket, **kwargs: Any) -> object:
    # The form only offers this ticket's current measures; the service finds the ticket from it.
    return process.ticket_update_measure(**kwargs)


# Action name → the service that performs it, called with ticket, actor, expected_version and
# the form's ``service_kwargs()``.
SERVICES: dict[str, Callable[..., object]] = {
    "start_verification": process.ticket_start_verification,
    "request_information": process.ticket_request_information,
    "receive_information": process.ticket_receive_information,
    "record_verification": process.ticket_record_verification,
    "classify": process.ticket_classify,
    "set_responsibility": process.ticket_set_responsibility,
    "propose_plan": process.ticket_propose_plan,
    "submit_plan": process.ticket_submit_plan,
    "decide_approval": process.ticket_decide_approval,
    "record_agreement": process.ticket_record_agreement,
    "update_measure": _update_measure,
    "hold": process.ticket_hold,
    "resume": process.ticket_resume,
    "resolve": process.ticket_resolve,
    "confirm_result": process.ticket_confirm_result,
    "close": process.ticket_close,
    "reopen": process.ticket_reopen,
    "restart_analysis": process.ticket_restart_analysis,
    "resume_plan": process.ticket_resume_plan,
    "reject": process.ticket_reject,
    "cancel": process.ticket_cancel,
    "merge": process.ticket_merge,
}


def _refused(request: HttpRequest, ticket: Ticket, form: ActionForm, *, status: int) -> HttpResponse:
    if is_fragment_request(request):
        # htmx swaps only 2xx answers: the form comes back in place with the message on it.
        return render_htmx(request, "tickets/partials/action_form.html", {"ticket": ticket, "form": form})
    return render_detail(request, ticket, bound_action=form, status=status)


@staff_required
@require_POST
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    if action not in SERVICES:
        raise Http404
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_or_404(user, number)
    form = action_form(action, ticket=ticket, user=user, data=request.POST, files=request.FILES)
    if not form.is_valid():
        return _refused(request, ticket, form, status=200)
    try:
        SERVICES[action](
            ticket=ticket, actor=user, expected_version=form.cleaned_data["expected_version"], **form.service_kwargs()
        )
    except PermissionDenied as exc:
        form.show_service_error(exc)
        return _refused(request, ticket, form, status=403)
    except DomainError as exc:  # ValidationFailed, Conflict (stale version), a status that does not allow it
        form.show_service_error(exc)
        return _refused(request, ticket, form, status=200)
    text = _("Done: %(action)s.") % {"action": form.title}
    if not is_fragment_request(request):
        messages.success(request, text)
        return redirect(f"{reverse('tickets:detail', args=[ticket.number])}#actions")
    fresh = get_ticket_or_404(user, number)
    response = render_detail(request, fresh, fragment=True, flash=text)
    # The whole ticket changed (status, plan, timeline, the actions on offer): replace it.
    response["HX-Retarget"] = "#ticket-detail"
    response["HX-Reswap"] = "outerHTML"
    return response
