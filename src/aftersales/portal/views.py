"""The customer's pages: their tickets and each ticket's progress (public timeline only).

Where the ticket waits for the customer, the page shows the plan with Accept / Decline, which
call the agreement service as the customer; once resolved, it links to the satisfaction survey.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.models import User
from aftersales.core.errors import DomainError, NotFound
from aftersales.core.view_errors import add_service_errors
from aftersales.feedback.selectors import survey_pending_for_ticket
from aftersales.feedback.services import survey_link
from aftersales.tickets.models import PlanStatus, Ticket, TicketPlan
from aftersales.tickets.process import ticket_current_plan, ticket_record_agreement
from aftersales.tickets.selectors import ticket_get_for_user, ticket_public_timeline, tickets_newest_for_user
from aftersales.tickets.states import TicketStatus

from .forms import PlanAnswerForm
from .links import ticket_from_token

HOME_TICKETS = 100  # the customer's newest tickets on their home page


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


def _answer_form(ticket: Ticket, plan: TicketPlan, request: HttpRequest | None = None) -> PlanAnswerForm:
    data = (request.POST, request.FILES) if request is not None else (None, None)
    return PlanAnswerForm(*data, version=ticket.version, needs_document=plan.requires_signed_agreement)


def _render_ticket(
    request: HttpRequest,
    ticket: Ticket,
    *,
    actor: User | None,
    answer_url: str,
    via_link: bool,
    form: PlanAnswerForm | None = None,
) -> HttpResponse:
    plan = _offered_plan(ticket)
    survey = survey_pending_for_ticket(ticket=ticket) if ticket.status == TicketStatus.RESOLVED else None
    context: dict[str, Any] = {
        "ticket": ticket,
        "events": ticket_public_timeline(ticket=ticket),
        "via_link": via_link,
        "plan": plan,
        "measures": list(plan.measures.all()) if plan is not None else [],
        "answer_form": (form or _answer_form(ticket, plan)) if plan is not None and (actor is not None or via_link) else None,
        "answer_url": answer_url,
        "survey_url": survey_link(survey=survey) if survey is not None else "",
    }
    return render(request, "portal/ticket.html", context)


def _answer(
    request: HttpRequest, ticket: Ticket, *, actor: User | None, via_link: bool, page_url: str, answer_url: str
) -> HttpResponse:
    plan = _offered_plan(ticket)
    if actor is None and not via_link:
        raise PermissionDenied
    if plan is None:
        messages.info(request, _("This plan no longer waits for your answer."))
        return redirect(page_url)
    form = _answer_form(ticket, plan, request)
    if form.is_valid():
        accepted = form.cleaned_data["decision"] == "accept"
        try:
            ticket_record_agreement(
                ticket=ticket,
                actor=actor,
                accepted=accepted,
                note=form.cleaned_data["note"],
                document=form.cleaned_data.get("document"),
                expected_version=form.cleaned_data["expected_version"],
            )
        except DomainError as exc:  # a stale page, a missing signed agreement, not allowed
            add_service_errors(form, exc)
        else:
            if accepted:
                messages.success(request, _("Thank you: you accepted the plan. We will start right away."))
            else:
                messages.success(request, _("Thank you: you declined the plan. We will contact you with a new proposal."))
            return redirect(page_url)
    return _render_ticket(request, ticket, actor=actor, answer_url=answer_url, via_link=via_link, form=form)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = _customer(request)
    tickets = tickets_newest_for_user(user=user, limit=HOME_TICKETS)
    return render(request, "portal/home.html", {"tickets": tickets})


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


def _linked_ticket(token: str) -> Ticket:
    try:
        return ticket_from_token(token)
    except NotFound:
        raise Http404 from None


@never_cache
@require_GET
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
