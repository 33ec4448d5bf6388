"""The administrators' staff pages (docs/staff-handover.md): the staff list (``/accounts/staff/``)
and a person's page (``/accounts/staff/<id>/``) with what they hold and "Hand over and
deactivate". Thin: the reads are ``selectors``, the change is ``offboarding.staff_offboard``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from aftersales.core.i18n import join_list
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import private_no_store, query_without_page, request_user

from .decorators import staff_required
from .forms import OffboardForm, StaffFilterForm
from .handover import Holding
from .models import User
from .offboarding import Offboarded, may_offboard, movable, staff_holdings, staff_offboard
from .selectors import staff_list

PAGE_SIZE = 50


def _check_administrator(user: User) -> None:
    if not may_offboard(user):
        raise DjangoPermissionDenied


@staff_required
def staff_list_page(request: HttpRequest) -> HttpResponse:
    """Every member of staff, with filters by role and active, and a search."""
    user = request_user(request)
    _check_administrator(user)
    form = StaffFilterForm(request.GET or None)
    page = Paginator(staff_list(filters=form.filters()), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "query": query_without_page(request)}
    return private_no_store(render(request, "accounts/staff_list.html", context))


def _counted(holdings: list[Holding]) -> str:
    return join_list(_("%(label)s (%(count)d)") % {"label": h.label, "count": h.count} for h in holdings)


def _done_message(request: HttpRequest, done: Offboarded) -> None:
    name = str(done.user)
    moved = _counted(done.moved)
    if not done.was_active:
        messages.success(
            request,
            _("The work of %(name)s (inactive already) was handed over: %(moved)s.") % {"name": name, "moved": moved or "—"},
        )
    elif moved:
        messages.success(
            request, _("%(name)s was deactivated and signed out. Handed over: %(moved)s.") % {"name": name, "moved": moved}
        )
    else:
        messages.success(request, _("%(name)s was deactivated and signed out. Nothing was to be handed over.") % {"name": name})
    if done.attention:
        messages.warning(request, _("Still to see to: %(items)s.") % {"items": _counted(done.attention)})


@staff_required
@domain_errors
def staff_detail_page(request: HttpRequest, user_id: int) -> HttpResponse:
    """A person: their details, what they hold, and (not oneself; active, or inactive and still
    holding work a handover moves) the handover's form."""
    user = request_user(request)
    _check_administrator(user)
    preview = staff_holdings(actor=user, user_id=user_id)
    person = preview.user
    form = OffboardForm(request.POST or None, person=person)
    if not person.is_active:
        form.fields["confirm"].label = _("I understand: the work is handed over at once; the account stays deactivated.")
    status = 200
    if request.method == "POST" and form.is_valid():
        successor = form.cleaned_data["successor"]
        with refusals(form=form) as refused:
            done = staff_offboard(
                actor=user,
                user_id=person.pk,
                successor_id=successor.pk if successor is not None else None,
                reason=form.cleaned_data["reason"],
            )
        if not refused:
            _done_message(request, done)
            return redirect("accounts:staff_detail", user_id=person.pk)
        status = refused.status
        preview = staff_holdings(actor=user, user_id=user_id)  # as it is now, the form's refusal shown
    context = {
        "person": preview.user,
        "holdings": preview.holdings,
        "total": preview.total,
        "form": form,
        "may_leave": preview.user.pk != user.pk and (preview.user.is_active or bool(movable(preview.holdings))),
    }
    return private_no_store(render(request, "accounts/staff_detail.html", context, status=status))
