"""One POST endpoint per process step: parse the action's form, call its service, show the result
(both named by the action's declaration in ``tickets.actions``).

No business rule lives here: the services check the version, who may act and the status. A
refusal (``DomainError`` and its kinds) is shown on the action's form, never as a 500.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, PermissionDenied
from aftersales.core.web import is_fragment_request, render_htmx

from .action_forms import ActionForm, action_form
from .models import Ticket
from .registry import ACTIONS
from .view_helpers import get_ticket_or_404, render_detail


def _refused(request: HttpRequest, ticket: Ticket, form: ActionForm, *, status: int) -> HttpResponse:
    if is_fragment_request(request):
        # htmx swaps only 2xx answers: the form comes back in place with the message on it.
        return render_htmx(request, "tickets/partials/action_form.html", {"ticket": ticket, "form": form})
    return render_detail(request, ticket, bound_action=form, status=status)


@staff_required
@require_POST
def ticket_action(request: HttpRequest, number: str, action: str) -> HttpResponse:
    declared = ACTIONS.get(action)
    if declared is None or declared.form is None or declared.service is None:
        raise Http404
    user: User = request.user  # type: ignore[assignment]
    ticket = get_ticket_or_404(user, number)
    form = action_form(action, ticket=ticket, user=user, data=request.POST, files=request.FILES)
    if not form.is_valid():
        return _refused(request, ticket, form, status=200)
    try:
        declared.perform(
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
