"""The customer's appraisal result page (鉴定结果): the signed report, its PDF, and the answer —
accept the result or ask for a re-appraisal (recorded once). Opened from the signed link in the
result notice without signing in, or by the signed-in customer from their ticket."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aftersales.accounts.models import User
from aftersales.appraisal.forms import AnswerForm
from aftersales.appraisal.links import appraisal_ids
from aftersales.appraisal.models import Appraisal, AppraisalStatus
from aftersales.appraisal.pdf import appraisal_pdf
from aftersales.appraisal.selectors import appraisal_get_for_user
from aftersales.appraisal.services import appraisal_answer
from aftersales.core.errors import NotFound
from aftersales.core.link_language import in_link_owner_language
from aftersales.core.view_errors import message_service_errors, refusals
from aftersales.core.web import private_no_store


def _from_token(token: str) -> Appraisal:
    try:
        appraisal_id, customer_id = appraisal_ids(token)
    except NotFound:
        raise Http404 from None
    found = (
        Appraisal.objects.select_related("ticket__customer", "product_model", "product_unit", "signed_by", "component")
        .filter(pk=appraisal_id, ticket__customer_id=customer_id, signed_at__isnull=False)
        .first()
    )
    if found is None:
        raise Http404
    return found


def _page(request: HttpRequest, appraisal: Appraisal, *, actor: User | None, post_url: str, pdf_url: str) -> HttpResponse:
    form = AnswerForm(request.POST or None, initial={"expected_version": appraisal.version})
    status = 200
    if request.method == "POST" and form.is_valid():
        with refusals(form=form) as refused:
            appraisal_answer(
                appraisal=appraisal,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                actor=actor,
                customer_id=appraisal.ticket.customer_id if actor is None else None,
                expected_version=form.cleaned_data["expected_version"],
            )
        if not refused:
            messages.success(request, _("Thank you: your answer was recorded."))
            return redirect(post_url)
        status = refused.status
        appraisal.refresh_from_db()
        if appraisal.customer_decision and refused.error is not None:
            message_service_errors(request, refused.error)  # the form is gone: say why on top
    context: dict[str, Any] = {
        "appraisal": appraisal,
        "ticket": appraisal.ticket,
        "form": form if appraisal.status == AppraisalStatus.SIGNED and not appraisal.customer_decision else None,
        "post_url": post_url,
        "pdf_url": pdf_url,
        "files": [f for f in appraisal.files.all() if f.kind == "external_report"],
        "reappraisals": list(appraisal.reappraisals.all()),
    }
    response = render(request, "portal/appraisal.html", context, status=status)
    private_no_store(response)
    response["Referrer-Policy"] = "same-origin"
    return response


def _link_actor(appraisal: Appraisal) -> User | None:
    user = appraisal.ticket.customer.user
    return user if user is not None and user.is_active and user.is_customer else None


@never_cache
@require_http_methods(["GET", "POST"])
@in_link_owner_language(_from_token)
def appraisal_by_link(request: HttpRequest, token: str) -> HttpResponse:
    appraisal = _from_token(token)
    return _page(
        request,
        appraisal,
        actor=_link_actor(appraisal),
        post_url=reverse("portal:appraisal_by_link", kwargs={"token": token}),
        pdf_url=reverse("portal:appraisal_pdf_by_link", kwargs={"token": token}),
    )


@never_cache
@in_link_owner_language(_from_token)
def appraisal_pdf_by_link(request: HttpRequest, token: str) -> HttpResponse:
    return _pdf(_from_token(token))


def _own(request: HttpRequest, pk: int) -> Appraisal:
    user: User = request.user  # type: ignore[assignment]
    if not user.is_customer:
        raise Http404
    try:
        return appraisal_get_for_user(user=user, pk=pk)
    except NotFound:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = _own(request, pk)
    return _page(
        request,
        appraisal,
        actor=request.user,  # type: ignore[arg-type]
        post_url=reverse("portal:appraisal", args=[pk]),
        pdf_url=reverse("portal:appraisal_pdf", args=[pk]),
    )


@login_required
def appraisal_pdf_own(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(_own(request, pk))


def _pdf(appraisal: Appraisal) -> HttpResponse:
    response = HttpResponse(appraisal_pdf(appraisal), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{appraisal.number}.pdf"'
    return private_no_store(response)
