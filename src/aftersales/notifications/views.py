from __future__ import annotations

from contextlib import nullcontext

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.i18n import set_language as django_set_language

from aftersales.accounts.decorators import staff_required
from aftersales.accounts.models import User
from aftersales.core.links import absolute_url

from .selectors import notifications_inbox, notifications_unread_count
from .services import notification_mark_read, recipient_set_language
from .short_links import short_link_open


@staff_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The staff member's in-app notifications, newest first."""
    user: User = request.user  # type: ignore[assignment]
    unread_only = request.GET.get("unread") == "1"
    context = {
        "notifications": notifications_inbox(user=user, unread_only=unread_only),
        "unread_only": unread_only,
        "unread_count": notifications_unread_count(user=user),
    }
    return render(request, "notifications/inbox.html", context)


@staff_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them as read; only the user's own."""
    user: User = request.user  # type: ignore[assignment]
    raw_id = request.POST.get("id", "")
    notification_mark_read(user=user, notification_id=int(raw_id) if raw_id.isdigit() else None)
    if getattr(request, "htmx", False):
        context = {"notifications": notifications_inbox(user=user), "unread_count": notifications_unread_count(user=user)}
        return render(request, "notifications/partials/inbox_list.html", context)
    return redirect("notifications:inbox")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch, and the messages follow: what the signed-in person receives
    from now on (in-app, e-mail, SMS) is in the language they chose for the pages."""
    response = django_set_language(request)
    if request.user.is_authenticated:
        recipient_set_language(user=request.user, language=request.POST.get("language", ""))  # type: ignore[arg-type]
    return response


@require_safe
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """``/s/<code>``: a message's short link, without signing in (the target checks its own
    link): to the page on this site, or — expired or unknown — a page that says so (404), in
    the recipient's language when the code is known and the visitor chose none (the language
    switch)."""
    opened = short_link_open(code=code)
    if opened.target is not None:
        return HttpResponseRedirect(absolute_url(opened.target))
    chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    known = opened.language in {language for language, _name in settings.LANGUAGES}
    with translation.override(opened.language) if known and not chosen else nullcontext():
        return render(request, "notifications/short_link_gone.html", status=404)
