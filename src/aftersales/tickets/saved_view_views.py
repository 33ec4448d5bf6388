"""The ticket list's saved views on pages: the bar above the list (a link per view, the one
showing marked, "Save this view"), and the manage page ``/tickets/views/`` (rename, sharing,
order, start view, delete). Thin: the services decide, the selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.errors import NotFound, PermissionDenied
from aftersales.core.view_errors import domain_errors, refusals
from aftersales.core.web import is_fragment_request, render_htmx

from .models import ViewSharing
from .saved_view_bar import list_bar, owner_label, render_bar, view_url
from .saved_view_forms import SavedViewForm
from .selectors import saved_view_get_for_user, saved_views_for_user
from .services import saved_view_create, saved_view_delete, saved_view_move, saved_view_set_start, saved_view_update
from .services.saved_views import is_view_administrator, sharing_choices

# A view that is not the user's to change: the 403 page; one that is gone: the 404 page.
ALWAYS_PAGES = (PermissionDenied, NotFound)


# --- "Save this view" (the bar's form) -------------------------------------------------------


@staff_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    """Save the list's filters under a name. htmx: the bar comes back (the new view marked, or
    the form with the refusal next to its field); without htmx: the list with the saved view, or
    a page with the form when it was refused."""
    user: User = request.user  # type: ignore[assignment]
    form = SavedViewForm(request.POST, user=user)
    form.is_valid()
    data = form.cleaned_data
    filters = data.get("filters", "")
    with refusals(form=form) as refused:
        view = saved_view_create(actor=user, name=data.get("name", ""), filters=filters, sharing=data.get("sharing", ""))
    fragment = is_fragment_request(request)
    if refused:
        if fragment:
            return _bar_response(request, user, filters, form=form)
        return render_htmx(request, "tickets/saved_view_save.html", {"form": form}, status=refused.status)
    if fragment:
        return _bar_response(request, user, view.query_string, saved=view.name)
    messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    return redirect(view_url(view))


def _bar_response(
    request: HttpRequest, user: User, filters: str, *, form: SavedViewForm | None = None, saved: str = ""
) -> HttpResponse:
    bar = list_bar(QueryDict(filters), user)
    bar.form, bar.saved = form, saved
    return render_htmx(request, "tickets/partials/saved_views_answer.html", {"bar_html": render_bar(request, bar)})


# --- The manage page -------------------------------------------------------------------------


@staff_required
@require_GET
def saved_views_manage(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    return _manage_page(request, user)


def _manage_page(request: HttpRequest, user: User, *, refused: SavedViewForm | None = None, status: int = 200) -> HttpResponse:
    """The manage page; ``refused``: the form of one view as it came back refused (its errors
    next to its fields)."""
    visible = saved_views_for_user(user=user)
    sharing = sharing_choices(user)
    own = []
    for view in visible.own:
        form = refused if refused is not None and refused.prefix == f"v{view.pk}" else None
        if form is None:
            form = SavedViewForm(initial={"name": view.name, "sharing": view.sharing}, user=user, prefix=f"v{view.pk}")
        if view.sharing not in dict(sharing):  # e.g. shared with a team its owner has since left: kept as it is
            form.set_sharing_choices([*sharing, (view.sharing, ViewSharing(view.sharing).label)])
        own.append((view, form))
    context = {
        "own": own,
        "shared": [(view, owner_label(view)) for view in visible.shared],
        "may_delete_shared": is_view_administrator(user),
        "sharing_labels": dict(ViewSharing.choices),
    }
    return render_htmx(request, "tickets/saved_views.html", context, status=status)


def _back() -> HttpResponse:
    return redirect("tickets:saved_views")


@staff_required
@require_POST
@domain_errors
def saved_view_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename a view or share it otherwise (the manage page's form of one view); refused: the page
    again with the refusal next to the field."""
    user: User = request.user  # type: ignore[assignment]
    view = saved_view_get_for_user(user=user, view_id=pk)
    form = SavedViewForm(request.POST, user=user, prefix=f"v{pk}")
    form.is_valid()
    version = request.POST.get("version")
    with refusals(form=form, propagate=ALWAYS_PAGES) as refused:
        saved_view_update(
            actor=user,
            view=view,
            name=form.cleaned_data.get("name", ""),
            sharing=form.cleaned_data.get("sharing", ""),
            expected_version=int(version) if version and version.isdigit() else None,
        )
    if refused:
        return _manage_page(request, user, refused=form, status=refused.status)
    messages.success(request, _("The view is saved."))
    return _back()


@staff_required
@require_POST
@domain_errors
def saved_view_reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a view up or down in the bar."""
    user: User = request.user  # type: ignore[assignment]
    view = saved_view_get_for_user(user=user, view_id=pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    with refusals(request=request, propagate=ALWAYS_PAGES):
        saved_view_move(actor=user, view=view, offset=offset)
    return _back()


@staff_required
@require_POST
@domain_errors
def saved_view_start(request: HttpRequest, pk: int) -> HttpResponse:
    """Make a view the one the plain ticket list opens, or (``clear``) no longer."""
    user: User = request.user  # type: ignore[assignment]
    view = saved_view_get_for_user(user=user, view_id=pk)
    with refusals(request=request, propagate=ALWAYS_PAGES) as refused:
        saved_view_set_start(actor=user, view=None if request.POST.get("clear") else view)
    if not refused:
        messages.success(request, _("The start view is saved."))
    return _back()


@staff_required
@require_POST
@domain_errors
def saved_view_remove(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    view = saved_view_get_for_user(user=user, view_id=pk)
    with refusals(request=request, propagate=ALWAYS_PAGES) as refused:
        saved_view_delete(actor=user, view=view)
    if not refused:
        messages.success(request, _("The view “%(name)s” is deleted.") % {"name": view.name})
    return _back()
