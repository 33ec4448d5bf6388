"""The case file download: the ticket's printable PDF, for whoever may see the ticket."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound
from aftersales.core.web import private_no_store
from aftersales.tickets.selectors import ticket_get_for_user

from .pdf import case_file_pdf
from .selectors import case_file_for
from .services import case_file_record_view


def case_file_response(pdf: bytes, number: str) -> HttpResponse:
    """The PDF shown in the browser (to print or save as ``<number>.pdf``), never cached."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return private_no_store(response)


@login_required
@require_GET
def ticket_case_file(request: HttpRequest, number: str) -> HttpResponse:
    """Staff within their data scope, a customer for their own ticket; 404 for everybody else."""
    user: User = request.user  # type: ignore[assignment]
    try:
        ticket = ticket_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None
    case = case_file_for(ticket=ticket, viewer=user)
    pdf = case_file_pdf(case)
    case_file_record_view(case=case, via="page")
    return case_file_response(pdf, ticket.number)
