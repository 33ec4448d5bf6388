"""Pages of personal data requests: the handlers' list and request page (administrators and
supervisors), and the customer's "My personal data" page on the portal."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core import clock
from aftersales.core.errors import DomainError, NotFound
from aftersales.core.view_errors import add_service_errors, message_service_errors
from aftersales.core.web import posted_version
from aftersales.portal.selectors import portal_customer_for

from . import reveals, selectors, services
from .deadlines import answer_days
from .downloads import export_response
from .forms import ConsentForm, CorrectionRequestForm, ErasureRequestForm, RefuseForm, RevealForm, StaffRequestForm
from .models import CorrectableField, PrivacyRequest, RequestChannel, RequestKind, RequestStatus

# The service names a correction's field ``corrections.<key>``; the forms ``correct_<key>``.
CORRECTION_FIELDS = {f"corrections.{key}": f"correct_{key}" for key in CorrectableField.values}


def _handler(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    if not selectors.privacy_can_handle(user=user):
        raise PermissionDenied
    return user


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def request_list(request: HttpRequest) -> HttpResponse:
    user = _handler(request)
    form = StaffRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.privacy_request_create(
                customer=form.cleaned_data["customer"],
                kind=form.cleaned_data["kind"],
                channel=RequestChannel.STAFF,
                actor=user,
                note=form.cleaned_data["note"],
                corrections=form.corrections(),
            )
        except DomainError as exc:
            add_service_errors(form, exc, field_map=CORRECTION_FIELDS)
        else:
            return redirect("privacy:detail", pk=created.pk)
    status = request.GET.get("status", RequestStatus.RECEIVED)
    status = status if status in RequestStatus.values or status == "all" else RequestStatus.RECEIVED
    rows = selectors.privacy_requests_for_handler(user=user, status="" if status == "all" else status)[:200]
    return render(
        request,
        "privacy/request_list.html",
        {"form": form, "rows": rows, "status": status, "statuses": RequestStatus.choices, "now": clock.now()},
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _handler(request)
    item = selectors.privacy_request_for_user(user=user, pk=pk)
    if item is None:
        raise Http404
    refuse_form = RefuseForm(request.POST if request.POST.get("do") == "refuse" else None)
    if request.method == "POST":
        action = request.POST.get("do")
        try:
            if action == "export":
                services.privacy_export_queue(request=item, actor=user, version=posted_version(request, field="version"))
                messages.success(request, _("The copy is being prepared; you will be told in your inbox when it is ready."))
            elif action == "corrected":
                services.privacy_correction_done(request=item, actor=user, version=posted_version(request, field="version"))
                messages.success(request, _("The request is answered: the record was corrected."))
            elif action == "erase":
                services.privacy_erase(request=item, actor=user, version=posted_version(request, field="version"))
                messages.success(request, _("The customer's personal data was erased."))
            elif action == "refuse" and refuse_form.is_valid():
                services.privacy_refuse(
                    request=item,
                    actor=user,
                    reason=refuse_form.cleaned_data["reason"],
                    version=posted_version(request, field="version"),
                )
                messages.success(request, _("The request was refused."))
            else:
                return _detail(request, item, refuse_form)
        except DomainError as exc:
            message_service_errors(request, exc)
        return redirect("privacy:detail", pk=item.pk)
    return _detail(request, item, refuse_form)


def _detail(request: HttpRequest, item: PrivacyRequest, refuse_form: RefuseForm) -> HttpResponse:
    item.refresh_from_db()
    return render(
        request,
        "privacy/request_detail.html",
        {
            "item": item,
            "refuse_form": refuse_form,
            "received": item.status == RequestStatus.RECEIVED,
            "kinds": RequestKind,
            "corrections": _corrections(item),
        },
    )


def _corrections(item: PrivacyRequest) -> list[tuple[str, str]]:
    """A correction request's fields as (label, the right value), in the fields' order."""
    labels = dict(CorrectableField.choices)
    return [(str(labels[key]), item.corrections[key]) for key in CorrectableField.values if item.corrections.get(key)]


@never_cache
@login_required
def download(request: HttpRequest, pk: int) -> FileResponse:
    user: User = request.user  # type: ignore[assignment]
    customer = portal_customer_for(user=user) if user.is_customer else None
    item = selectors.privacy_request_for_user(user=user, pk=pk, customer=customer)
    response = export_response(item=item, user=user) if item is not None else None
    if response is None:
        raise Http404
    return response


@never_cache
@login_required
@require_http_methods(["GET"])
def my_data(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    customer = portal_customer_for(user=user) if user.is_customer else None
    if customer is None:
        raise PermissionDenied
    return render(
        request,
        "privacy/my_data.html",
        {
            "requests": selectors.privacy_requests_of_customer(customer=customer)[:50],
            "erasure_form": ErasureRequestForm(),
            "correction_form": CorrectionRequestForm(),
            "consent_form": ConsentForm(initial={"contact": customer.consent_contact, "marketing": customer.consent_marketing}),
            "consents": customer.consents.all()[:20],
            "now": clock.now(),
        },
    )


@login_required
@require_POST
def my_data_request(request: HttpRequest, kind: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    customer = portal_customer_for(user=user) if user.is_customer else None
    if customer is None:
        raise PermissionDenied
    if kind not in RequestKind.values:
        raise Http404
    form: ErasureRequestForm | CorrectionRequestForm
    form = CorrectionRequestForm(request.POST) if kind == RequestKind.CORRECTION else ErasureRequestForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    corrections = form.corrections() if isinstance(form, CorrectionRequestForm) else None
    try:
        services.privacy_request_create(
            customer=customer, kind=kind, channel=RequestChannel.PORTAL, actor=user, note=note, corrections=corrections
        )
    except DomainError as exc:
        message_service_errors(request, exc)
    else:
        if kind == RequestKind.EXPORT:
            messages.success(request, _("Your copy is being prepared; we will tell you when it is ready to download."))
        else:
            messages.success(
                request, _("We received your request and will answer it within %(days)d working days.") % {"days": answer_days()}
            )
    return redirect("privacy:mine")


@login_required
@require_POST
def my_data_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """The customer withdraws a request of theirs that waits for an answer."""
    user: User = request.user  # type: ignore[assignment]
    customer = portal_customer_for(user=user) if user.is_customer else None
    if customer is None:
        raise PermissionDenied
    item = selectors.privacy_request_of_customer(customer=customer, pk=pk)
    if item is None:
        raise Http404
    try:
        services.privacy_request_cancel(request=item, customer=customer, actor=user)
    except DomainError as exc:
        message_service_errors(request, exc)
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("privacy:mine")


@login_required
@require_POST
def my_consents(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    customer = portal_customer_for(user=user) if user.is_customer else None
    if customer is None:
        raise PermissionDenied
    form = ConsentForm(request.POST)
    if form.is_valid():
        services.privacy_set_consents(
            customer=customer, contact=form.cleaned_data["contact"], marketing=form.cleaned_data["marketing"], actor=user
        )
        messages.success(request, _("Your choices were saved."))
    return redirect("privacy:mine")


def _refused_status(request: HttpRequest, status: int) -> int:
    """htmx swaps only 2xx answers: the form with its errors comes back as 200 to htmx."""
    return 200 if getattr(request, "htmx", False) else status


def _reveal_context(action: str, field: str, form: RevealForm, **extra: object) -> dict[str, object]:
    return {"action": action, "field": field, "form": form, "target": f"reveal-{field}", **extra}


def _reveal_answer(
    request: HttpRequest,
    action: str,
    field: str,
    check: Callable[[], object],
    show: Callable[[str, str], reveals.Revealed],
) -> HttpResponse:
    """The "Show" of a masked value (htmx): GET the reason form, POST it to see the value once.
    ``check`` raises when the user may not ask; ``show(reason, detail)`` is the audited reveal."""
    try:
        check()
    except NotFound:
        raise Http404 from None
    except DomainError:
        raise PermissionDenied from None
    if request.method == "GET":
        return render(request, "privacy/partials/reveal_form.html", _reveal_context(action, field, RevealForm()))
    form = RevealForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "privacy/partials/reveal_form.html",
            _reveal_context(action, field, form),
            status=_refused_status(request, 422),
        )
    try:
        shown = show(form.cleaned_data["reason"], form.cleaned_data["detail"])
    except reveals.RevealLimitReached as exc:
        context = _reveal_context(action, field, form, refused=str(exc.message))
        return render(request, "privacy/partials/reveal_form.html", context, status=_refused_status(request, 429))
    except DomainError as exc:
        add_service_errors(form, exc)
        return render(
            request,
            "privacy/partials/reveal_form.html",
            _reveal_context(action, field, form),
            status=_refused_status(request, 422),
        )
    return render(request, "privacy/partials/revealed.html", {"shown": shown, "target": f"reveal-{field}"})


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def reveal(request: HttpRequest, number: str, field: str) -> HttpResponse:
    """A masked value of a ticket's customer card (the ticket page)."""
    user: User = request.user  # type: ignore[assignment]
    return _reveal_answer(
        request,
        reverse("privacy:reveal", args=[number, field]),
        field,
        lambda: reveals.privacy_reveal_check(user=user, number=number, field=field),
        lambda reason, detail: reveals.privacy_reveal(user=user, number=number, field=field, reason=reason, detail=detail),
    )


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def reveal_work_order(request: HttpRequest, number: str, field: str) -> HttpResponse:
    """A masked part of a work order's site (the work-order page): address or contact."""
    user: User = request.user  # type: ignore[assignment]
    return _reveal_answer(
        request,
        reverse("privacy:reveal_work_order", args=[number, field]),
        field,
        lambda: reveals.privacy_reveal_work_order_check(user=user, number=number, field=field),
        lambda reason, detail: reveals.privacy_reveal_work_order(
            user=user, number=number, field=field, reason=reason, detail=detail
        ),
    )


@never_cache
@staff_required
def reveals_log(request: HttpRequest) -> HttpResponse:
    """The audit log of reveals (privacy handlers): filter by user name, customer, refusals."""
    user = _handler(request)
    actor = request.GET.get("actor", "").strip()[:150]
    customer_raw = request.GET.get("customer", "").strip()
    customer_id = int(customer_raw) if customer_raw.isdigit() and len(customer_raw) < 12 else None
    refused = request.GET.get("refused") == "1"
    events = reveals.privacy_reveals_log(user=user, actor=actor, customer_id=customer_id, refused_only=refused)[:200]
    rows = [
        {
            "event": event,
            "refused": event.action == reveals.PrivacyAudit.REVEAL_REFUSED,
            "field": reveals.reveal_field_label(event.changes.get("field")),
            "reason": reveals.label_of(reveals.RevealReason, event.changes.get("reason")),
        }
        for event in events
    ]
    return render(
        request,
        "privacy/reveals_log.html",
        {"rows": rows, "actor": actor, "customer": customer_raw if customer_id else "", "refused": refused},
    )
