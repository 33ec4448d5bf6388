"""The page layout's parts that depend only on who is signed in and the language.

The header (navigation links, language buttons, sign-out form) is the same for every page a user
opens; it is rendered from ``includes/site_header.html`` (with ``includes/site_nav.html`` and
``includes/language_buttons.html``) once per process for each combination of language, audience
and navigation flags and then reused, so a page pays for a dictionary lookup and four string
replacements instead of ~20 URL reversals, ~25 translations and three CSRF tags. What varies per
request (the CSRF token, the user's name, the current path, the unread count) goes into
placeholders, escaped.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Protocol

from django import forms, template
from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, override

register = template.Library()


class NavUser(Protocol):
    """What the navigation reads from the signed-in user (``accounts.User``; core sits below
    accounts, so it names what it needs instead of importing the model)."""

    pk: int
    role: str
    is_superuser: bool

    @property
    def dispatches_by_role(self) -> bool | None: ...

    def has_perm(self, perm: str) -> bool: ...


# An agent's dispatch permission (two permission queries) is remembered in the session for this
# long: a grant or a revocation shows in the navigation within five minutes. It only decides
# whether the link is shown; the dispatch board and every dispatch action check the permission
# themselves on each request.
NAV_PERMISSION_TTL_SECONDS = 300
_SESSION_KEY = "_nav_dispatch"


def _agent_may_dispatch(request: HttpRequest | None, user: NavUser) -> bool:
    session = getattr(request, "session", None)
    now = time.time()
    if session is not None:
        remembered = session.get(_SESSION_KEY)
        if (
            isinstance(remembered, list)
            and len(remembered) == 3
            and remembered[0] == user.pk
            and 0 <= now - remembered[1] < NAV_PERMISSION_TTL_SECONDS
        ):
            return bool(remembered[2])
    allowed = user.has_perm("fieldservice.dispatch_workorder")
    if session is not None:
        session[_SESSION_KEY] = [user.pk, now, allowed]
    return allowed


def nav_flags(user: NavUser, request: HttpRequest | None = None) -> tuple[str, bool, bool]:
    """(role, superuser, may dispatch): everything the navigation depends on besides the language.

    The dispatch permission matters only for agents, the one role where a grant changes the
    links; it is remembered in the session (see ``NAV_PERMISSION_TTL_SECONDS``)."""
    role = str(user.role)
    superuser = bool(user.is_superuser)
    by_role = user.dispatches_by_role
    dispatch = _agent_may_dispatch(request, user) if by_role is None else by_role
    return role, superuser, dispatch


@lru_cache(maxsize=256)
def _render_nav(language: str, role: str, superuser: bool, dispatch: bool) -> SafeString:
    with override(language):
        html = render_to_string("includes/site_nav.html", {"role": role, "superuser": superuser, "dispatch": dispatch})
    return mark_safe(html.strip())  # noqa: S308 - our own template's output, autoescaped


@lru_cache(maxsize=16)
def _render_language_buttons(language: str) -> SafeString:
    with override(language):
        html = render_to_string("includes/language_buttons.html", {"current": language, "languages": settings.LANGUAGES})
    return mark_safe(html.strip())  # noqa: S308 - our own template's output, autoescaped


@register.simple_tag(takes_context=True)
def site_nav_links(context: template.Context) -> SafeString:
    """The staff navigation's links (all but the notifications link with its badge)."""
    request = context.get("request")
    user = request.user if request is not None else context.get("user")
    if user is None:
        return mark_safe("")
    return _render_nav(get_language() or settings.LANGUAGE_CODE, *nav_flags(user, request))


@register.simple_tag
def language_buttons() -> SafeString:
    return _render_language_buttons(get_language() or settings.LANGUAGE_CODE)


# Placeholders for the request's values in the cached header: private-use characters, which
# neither a translation nor a URL contains and autoescaping leaves as they are.
_CSRF = "\ue000csrf\ue000"
_USER_NAME = "\ue000user\ue000"
_NEXT_PATH = "\ue000next\ue000"
_UNREAD = "\ue000unread\ue000"


@lru_cache(maxsize=512)
def _render_header(language: str, audience: str, nav: tuple[str, bool, bool] | None, has_unread: bool) -> str:
    with override(language):
        return render_to_string(
            "includes/site_header.html",
            {
                "audience": audience,
                "nav_links": _render_nav(language, *nav) if nav else "",
                "has_unread": has_unread,
                "csrf": _CSRF,
                "user_name": _USER_NAME,
                "next_path": _NEXT_PATH,
                "unread": _UNREAD,
            },
        ).strip()


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    """The page header for the signed-in user (or a visitor) in the active language."""
    request = context.get("request")
    user = context.get("user") or getattr(request, "user", None)
    nav = None
    unread = 0
    if user is None or not user.is_authenticated:
        audience = "anonymous"
    elif user.is_customer:
        audience = "customer"
    else:
        audience = "staff"
        nav = nav_flags(user, request)
        count = context.get("unread_notifications")
        unread = int(str(count)) if count else 0  # a lazy count: evaluated here, once
    html = _render_header(get_language() or settings.LANGUAGE_CODE, audience, nav, unread > 0)
    return mark_safe(  # noqa: S308 - our template's autoescaped output; the values below escaped
        html.replace(_CSRF, escape(str(context.get("csrf_token") or "")))
        .replace(_NEXT_PATH, escape(request.get_full_path() if request is not None else ""))
        .replace(_USER_NAME, escape(str(user) if user is not None else ""))
        .replace(_UNREAD, str(unread))
    )


@lru_cache(maxsize=8)
def _render_head_assets(static_url: str) -> SafeString:
    return mark_safe(render_to_string("includes/head_assets.html").strip())  # noqa: S308 - our template


@register.simple_tag
def head_assets() -> SafeString:
    """The stylesheet and scripts with their static (hashed, in production) URLs: once per process."""
    return _render_head_assets(str(settings.STATIC_URL))


@lru_cache(maxsize=64)
def _unbound_fields_html(form_class: type[forms.Form], names: tuple[str, ...], language: str) -> SafeString:
    form = form_class()
    with override(language):
        html = "".join(render_to_string("includes/field.html", {"field": form[name]}) for name in names)
    return mark_safe(html)  # noqa: S308 - our template's autoescaped output


@register.simple_tag
def form_fields(form: forms.Form, *names: str) -> SafeString:
    """The named fields of ``form``, each through ``includes/field.html``.

    A form class that sets ``STATIC_MARKUP = True`` (its unbound markup depends on nothing but
    the language: fixed choices, fixed initial values) is rendered once per language and process
    while unbound; a bound form (a refused submission, with its values and errors) is rendered
    every time. Widgets render through Django's form templates, ~1 ms per field."""
    if not form.is_bound and getattr(form, "STATIC_MARKUP", False) and not form.initial and form.prefix is None:
        return _unbound_fields_html(type(form), names, get_language() or settings.LANGUAGE_CODE)
    return mark_safe(  # noqa: S308 - our template's autoescaped output
        "".join(render_to_string("includes/field.html", {"field": form[name]}) for name in names)
    )
