"""The customer's pages: their tickets, a new request, and each ticket's progress.

A signed-in customer submits a request (with photos) through the intake every channel uses and
gets its number at once. A ticket's page shows the customer's timeline (``timeline.py``: the
steps a customer understands, never the department's internals); where the ticket waits for the
customer it shows the plan — measures, what the customer pays for each and in all — to accept
and sign on the screen or to decline with a reason, through the agreement service (the drawn
signature is stored on the agreement). Once resolved, it links to the satisfaction survey. A
ticket's page and the plan answer also work from the signed link, without signing in.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from aftersales.accounts.models import User
from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.links import appraisal_result_path
from aftersales.appraisal.models import Appraisal
from aftersales.appraisal.selectors import ticket_appraisal_conclusion
from aftersales.core.errors import Conflict, DomainError, NotFound
from aftersales.core.link_language import in_link_owner_language
from aftersales.core.view_errors import add_service_errors
from aftersales.feedback.selectors import survey_pending_for_ticket
from aftersales.feedback.services import survey_link
from aftersales.tickets.downloads import agreement_document_response
from aftersales.tickets.models import MeasureKind, PlanMeasure, PlanStatus, Ticket, TicketPlan
from aftersales.tickets.process import ticket_current_plan, ticket_record_agreement
from aftersales.tickets.selectors import ticket_get_for_user, tickets_newest_for_user
from aftersales.tickets.selectors.agreements import agreement_document_get_for_user
from aftersales.tickets.services.agreements import agreement_document_record_view
from aftersales.tickets.states import SOLVED_FOR_CUSTOMER, TicketStatus

from .forms import PlanAnswerForm, RequestForm
from .links import ticket_from_token
from .selectors import (
    portal_accepted_plan,
    portal_customer_for,
    portal_default_address,
    portal_units_of,
    portal_unread_messages,
)
from .services import portal_submit_request
from .ticket_page import ticket_page_context

HOME_TICKETS = 100  # the customer's newest tickets on their home page
TO_CUSTOMER = frozenset({MeasureKind.REFUND, MeasureKind.COMPENSATION})  # amounts paid to the customer


def _customer(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_customer:
        raise PermissionDenied
    return user


def _link_actor(ticket: Ticket) -> User | None:
    """Who answers through a signed link: the customer's own portal account, when there is one;
    otherwise ``None`` — the customer, proven by the link signed for them (the agreement
    service records it as answered through the portal link)."""
    user = ticket.customer.user
    if user is None or not user.is_active or not user.is_customer:
        return None
    return user


def _offered_plan(ticket: Ticket) -> TicketPlan | None:
    if ticket.status != TicketStatus.AWAITING_CUSTOMER:
        return None
    plan = ticket_current_plan(ticket=ticket)
    return plan if plan is not None and plan.status == PlanStatus.AWAITING_CUSTOMER else None


def _answer_form(ticket: Ticket, request: HttpRequest | None = None) -> PlanAnswerForm:
    return PlanAnswerForm(request.POST if request is not None else None, version=ticket.version)


def _plan_totals(measures: list[PlanMeasure]) -> dict[str, Decimal]:
    """What the customer pays in all, and what comes to them (refunds, compensation)."""
    pays = sum((m.customer_charge or Decimal(0) for m in measures if m.kind not in TO_CUSTOMER), Decimal(0))
    receives = sum((m.amount or Decimal(0) for m in measures if m.kind in TO_CUSTOMER), Decimal(0))
    return {"pays": pays, "receives": receives}


def _appraisal(ticket: Ticket, *, owner: bool) -> dict[str, Any] | None:
    """The ticket's latest signed appraisal, in short, with the link to its result page (where
    the customer reads the report, downloads the PDF and accepts it or asks for a re-appraisal):
    the signed-in customer's own page, otherwise the appraisal's own signed link."""
    conclusion = ticket_appraisal_conclusion(ticket=ticket)  # the caller holds the ticket
    if conclusion is None:
        return None
    if owner:
        url = reverse("portal:appraisal", args=[conclusion.appraisal_id])
    else:
        url = appraisal_result_path(Appraisal(pk=conclusion.appraisal_id, ticket=ticket))
    fault = FaultType(conclusion.fault_type).label if conclusion.fault_type in FaultType.values else ""
    return {"conclusion": conclusion, "fault": fault, "url": url}


def _render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    actor: User | None,
    answer_url: str,
    via_link: bool,
    form: PlanAnswerForm | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The ticket page; ``extra``: the message or cancel form with its errors (``message_views``)."""
    plan = _offered_plan(ticket)
    survey = survey_pending_for_ticket(ticket=ticket) if ticket.status in SOLVED_FOR_CUSTOMER else None
    survey_url = survey_link(survey=survey) if survey is not None else ""
    measures = list(plan.measures.all()) if plan is not None else []
    accepted = portal_accepted_plan(ticket=ticket) if plan is None else None
    accepted_measures = list(accepted[0].measures.all()) if accepted is not None else []
    # The case file and the signed agreement are for the customer signed in to their account
    # (docs/portal.md): a signed link forwarded by SMS or e-mail opens the progress, not the file
    # with their address and phone.
    owner = request.user.is_authenticated and ticket.customer.user_id == request.user.pk
    context: dict[str, Any] = {
        "ticket": ticket,
        "via_link": via_link,
        "plan": plan,
        "measures": measures,
        "totals": _plan_totals(measures),
        "answer_form": (form or _answer_form(ticket)) if plan is not None and (actor is not None or via_link) else None,
        "answer_url": answer_url,
        "survey_url": survey_url,
        "accepted_plan": accepted[0] if accepted is not None else None,
        "acceptance": accepted[1] if accepted is not None else None,
        "accepted_measures": accepted_measures,
        "accepted_totals": _plan_totals(accepted_measures),
        "owner_signed_in": owner,
        "appraisal": _appraisal(ticket, owner=owner),
        "sign_in_url": "" if owner or _link_actor(ticket) is None else _sign_in_url(ticket),
    }
    # The timeline, quotes and charges, the message and cancel forms, whom to call (ticket_page.py).
    context.update(ticket_page_context(request, ticket, actor=actor, accepted_measures=accepted_measures, **(extra or {})))
    return render(request, "portal/ticket.html", context)


def _sign_in_url(ticket: Ticket) -> str:
    """The login page, back to the ticket's own page: what a link visitor does for the files."""
    return f"{reverse('accounts:login')}?{urlencode({'next': reverse('portal:ticket', args=[ticket.number])})}"


def _answer(
    request: HttpRequest, ticket: Ticket, *, actor: User | None, via_link: bool, page_url: str, answer_url: str
) -> HttpResponse:
    plan = _offered_plan(ticket)
    if actor is None and not via_link:
        raise PermissionDenied
    if plan is None:
        messages.info(request, _("This plan no longer waits for your answer."))
        return redirect(page_url)
    form = _answer_form(ticket, request)
    if form.is_valid():
        accepted = form.cleaned_data["decision"] == "accept"
        png: bytes = form.cleaned_data["signature_png"]
        try:
            ticket_record_agreement(
                ticket=ticket,
                actor=actor,
                accepted=accepted,
                note=form.cleaned_data["note"],
                document=ContentFile(png, name="signature.png") if accepted and png else None,
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as exc:  # a stale page, not allowed
            add_service_errors(form, exc, {"document": "signature"})
        else:
            if accepted:
                messages.success(request, _("Thank you: you accepted and signed the plan. We will start right away."))
            else:
                messages.success(request, _("Thank you: you declined the plan. We will contact you with a new proposal."))
            return redirect(page_url)
    return _render_ticket(request, ticket, actor=actor, answer_url=answer_url, via_link=via_link, form=form)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _customer(request)
    tickets = tickets_newest_for_user(user=user, limit=HOME_TICKETS)
    return render(request, "portal/home.html", {"tickets": tickets, "unread_messages": portal_unread_messages(user=user)})


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """A new request from a signed-in customer. A hidden per-form key makes a double submit
    create one ticket; every refusal is shown next to its field."""
    user = _customer(request)
    customer = portal_customer_for(user=user)
    if customer is None:  # an account not linked to a customer record: the hotline helps
        return render(request, "portal/request_form.html", {"form": None})
    units, address = portal_units_of(customer=customer), portal_default_address(customer=customer)
    if request.method != "POST":
        return render(request, "portal/request_form.html", {"form": RequestForm(customer=customer, units=units, address=address)})
    form = RequestForm(request.POST, request.FILES, customer=customer, units=units, address=address)
    if form.is_valid():
        try:
            result = portal_submit_request(
                actor=user,
                data=form.to_intake_input(),
                files=form.evidence(),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except Conflict as exc:
            # The key was used for other input (the form was sent again after editing): nothing
            # was stored; a fresh key lets the next submit register this request.
            form = RequestForm(form.with_new_key(), customer=customer, units=units, address=address)
            form.full_clean()
            form.add_error(None, exc.message)
        except DomainError as exc:
            add_service_errors(form, exc, {"customer_name": "", "email": "phone", "attachment": "photos"})
        else:
            return redirect("portal:request_received", number=result.ticket.number)
    context = {"form": form, "photos_dropped": bool(request.FILES.getlist("photos"))}
    return render(request, "portal/request_form.html", context)


@login_required
@require_GET
def request_received(request: HttpRequest, number: str) -> HttpResponse:
    """The confirmation of a new request: its number and what happens next."""
    _user, ticket = _own_ticket(request, number)
    return render(request, "portal/request_received.html", {"ticket": ticket})


def _own_ticket(request: HttpRequest, number: str) -> tuple[User, Ticket]:
    user = _customer(request)
    try:
        return user, ticket_get_for_user(user=user, number=number)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    user, ticket = _own_ticket(request, number)
    return _render_ticket(request, ticket, actor=user, answer_url=reverse("portal:answer_plan", args=[number]), via_link=False)


@login_required
@require_POST
def ticket_answer_plan(request: HttpRequest, number: str) -> HttpResponse:
    user, ticket = _own_ticket(request, number)
    return _answer(
        request,
        ticket,
        actor=user,
        via_link=False,
        page_url=reverse("portal:ticket", args=[number]),
        answer_url=reverse("portal:answer_plan", args=[number]),
    )


@login_required
@require_GET
def agreement_document(request: HttpRequest, number: str, pk: int) -> FileResponse:
    """The customer's own signed agreement (the signature they drew, or the scan on file);
    404 for anything that is not theirs. ``?inline=1``: the signature shown in the page."""
    user = _customer(request)
    try:
        document = agreement_document_get_for_user(user=user, number=number, agreement_id=pk)
    except NotFound:
        raise Http404 from None
    inline = request.GET.get("inline") == "1" and document.inline
    response = agreement_document_response(document, inline=inline)
    agreement_document_record_view(document=document, viewer=user, inline=inline)  # none for their own
    return response


def _linked_ticket(token: str) -> Ticket:
    try:
        return ticket_from_token(token)
    except NotFound:
        raise Http404 from None


@never_cache
@require_GET
@in_link_owner_language(ticket_from_token)
def ticket_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """A ticket opened from the signed link in a notification, without signing in."""
    ticket = _linked_ticket(token)
    answer_url = reverse("portal:answer_plan_by_link", kwargs={"token": token})
    response = _render_ticket(request, ticket, actor=_link_actor(ticket), answer_url=answer_url, via_link=True)
    # Keep the token out of other sites' logs; "no-referrer" would also make browsers send
    # "Origin: null" on the Accept/Decline POST, which Django's CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@require_POST
@in_link_owner_language(ticket_from_token)
def ticket_by_link_answer_plan(request: HttpRequest, token: str) -> HttpResponse:
    ticket = _linked_ticket(token)
    response = _answer(
        request,
        ticket,
        actor=_link_actor(ticket),
        via_link=True,
        page_url=reverse("portal:ticket_by_link", kwargs={"token": token}),
        answer_url=reverse("portal:answer_plan_by_link", kwargs={"token": token}),
    )
    response["Referrer-Policy"] = "same-origin"
    return response
