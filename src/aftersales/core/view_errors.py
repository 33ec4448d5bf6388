"""How a page shows a service's refusal: written once for every app's views.

Services raise ``DomainError`` and its kinds (``core.errors``); pages never show them as a 500:

* ``@domain_errors`` (a view decorator): ``NotFound`` becomes the 404 page and ``PermissionDenied``
  the 403 page (``403.html``, through Django's ``PermissionDenied``), wherever the view lets them
  through — typically the read of the object the page is about.
* ``with refusals(form=…) as refused:`` around the service call: a ``DomainError`` raised inside is
  shown — on ``form`` (each message next to its field, the rest on top: ``add_service_errors``)
  or, without a form, as messages on the next page (``message_service_errors``) — and kept on
  ``refused``, so the view re-renders the form (``refused.status`` is 403 for ``PermissionDenied``,
  else 200) or redirects. The kinds named in ``propagate`` are not caught: with ``@domain_errors``
  they become the 404/403 pages.

Example::

    @staff_required
    @domain_errors
    def subscription_list(request):
        subscriptions = subscriptions_for_admin(user=request.user)  # PermissionDenied → 403
        form = SubscriptionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            with refusals(form=form) as refused:
                subscription = webhook_subscription_create(actor=request.user, **form.cleaned_data)
            if not refused:
                return redirect("webhooks:detail", subscription.pk)
        return render(request, "webhooks/subscription_list.html", {"form": form, ...})
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest

from .errors import DomainError, NotFound, PermissionDenied, ValidationFailed

P = ParamSpec("P")
R = TypeVar("R")


def domain_errors(view: Callable[P, R]) -> Callable[P, R]:
    """A view decorator: a ``NotFound`` it lets through is the 404 page, a ``PermissionDenied``
    the 403 page; every other exception passes unchanged."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return view(*args, **kwargs)
        except NotFound:
            raise Http404 from None
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc.message)) from None

    return wrapper


def service_error_messages(exc: DomainError) -> dict[str, list[Any]]:
    """A refusal's messages by field ("" for none): all of a ``ValidationFailed``, else its one."""
    if isinstance(exc, ValidationFailed):
        return exc.errors
    return {exc.field or "": [exc.message]}


def add_service_errors(form: forms.BaseForm, exc: DomainError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's refusal on ``form``: each message next to its field (``field_map`` renames
    a service's field to the form's), the rest on top of the form."""
    field_map = field_map or {}
    if form.is_bound and not hasattr(form, "cleaned_data"):
        form.full_clean()
    for name, texts in service_error_messages(exc).items():
        target = field_map.get(name, name)
        for text in texts:
            form.add_error(target if target in form.fields else None, text)


def message_service_errors(request: HttpRequest, exc: DomainError) -> None:
    """Show a service's refusal as error messages on the next page (every message, in order)."""
    for texts in service_error_messages(exc).values():
        for text in texts:
            messages.error(request, str(text))


@dataclass
class Refusal:
    """What ``refusals`` caught: nothing (false) or the service's ``DomainError``."""

    error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None

    @property
    def forbidden(self) -> bool:
        return isinstance(self.error, PermissionDenied)

    @property
    def status(self) -> int:
        """The status of a page that shows the refusal: 403 for ``PermissionDenied``, else 200."""
        return 403 if self.forbidden else 200


@contextmanager
def refusals(
    *,
    form: forms.BaseForm | None = None,
    request: HttpRequest | None = None,
    field_map: dict[str, str] | None = None,
    propagate: tuple[type[DomainError], ...] = (),
) -> Iterator[Refusal]:
    """Catch a ``DomainError`` raised inside (except the kinds in ``propagate``), show it on
    ``form`` or, without one, as messages on ``request``, and keep it on the ``Refusal`` yielded."""
    if form is None and request is None:
        raise TypeError("refusals() needs a form or a request to show the refusal on")
    refusal = Refusal()
    try:
        yield refusal
    except DomainError as exc:
        if propagate and isinstance(exc, propagate):
            raise
        refusal.error = exc
        if form is not None:
            add_service_errors(form, exc, field_map)
        else:
            assert request is not None
            message_service_errors(request, exc)
