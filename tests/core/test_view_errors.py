"""How pages show a service's refusal (core/view_errors.py): the 404/403 pages, messages next to
the form's fields, messages on the next page."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.test import RequestFactory

from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from aftersales.core.view_errors import add_service_errors, domain_errors, message_service_errors, refusals


class NoteForm(forms.Form):
    body = forms.CharField(required=False)
    due = forms.CharField(required=False)


def _request() -> HttpRequest:
    request = RequestFactory().post("/x/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def _texts(request: HttpRequest) -> list[str]:
    return [str(m) for m in get_messages(request)]


def _raise(exc: Exception):  # type: ignore[no-untyped-def]
    def view(request: HttpRequest) -> HttpResponse:
        raise exc

    return domain_errors(view)


def test_not_found_is_the_404_page_and_permission_denied_the_403_page():
    with pytest.raises(Http404):
        _raise(NotFound("gone"))(_request())
    with pytest.raises(DjangoPermissionDenied):
        _raise(PermissionDenied("not yours"))(_request())
    # Everything else passes unchanged; a view that returns is untouched.
    with pytest.raises(Conflict):
        _raise(Conflict("stale"))(_request())
    assert domain_errors(lambda request: HttpResponse("ok"))(_request()).content == b"ok"


def test_a_validation_refusal_lands_next_to_each_field_and_the_rest_on_top():
    form = NoteForm(data={"body": "x"})
    with refusals(form=form) as refused:
        raise ValidationFailed({"body": ["Too short."], "due": ["Pick a day."], "elsewhere": ["Not a form field."]})
    assert refused and not refused.forbidden and refused.status == 200
    assert form.errors["body"] == ["Too short."]
    assert form.errors["due"] == ["Pick a day."]
    assert form.non_field_errors() == ["Not a form field."]


def test_a_refusal_with_a_field_names_it_and_the_field_map_renames_it():
    form = NoteForm(data={})
    with refusals(form=form, field_map={"note": "body"}):
        raise DomainError("Say what happened.", field="note")
    assert form.errors["body"] == ["Say what happened."]


def test_permission_denied_on_a_form_is_shown_with_status_403():
    form = NoteForm(data={})
    with refusals(form=form) as refused:
        raise PermissionDenied("Only the owner may do this.")
    assert refused.forbidden and refused.status == 403
    assert form.non_field_errors() == ["Only the owner may do this."]


def test_without_a_form_every_message_goes_to_the_next_page():
    request = _request()
    with refusals(request=request) as refused:
        raise ValidationFailed({"a": ["First."], "b": ["Second."]})
    assert isinstance(refused.error, ValidationFailed)
    assert _texts(request) == ["First.", "Second."]
    other = _request()
    message_service_errors(other, Conflict("Changed meanwhile."))
    assert _texts(other) == ["Changed meanwhile."]


def test_nothing_raised_is_no_refusal():
    form = NoteForm(data={"body": "ok"})
    with refusals(form=form) as refused:
        pass
    assert not refused and refused.error is None and refused.status == 200
    assert form.is_valid()


def test_the_kinds_to_propagate_and_other_exceptions_pass_through():
    request = _request()
    with pytest.raises(NotFound), refusals(request=request, propagate=(NotFound, PermissionDenied)):
        raise NotFound("gone")
    with pytest.raises(KeyError), refusals(request=request):
        raise KeyError("not a refusal")
    assert _texts(request) == []
    with pytest.raises(TypeError), refusals():
        pass


def test_add_service_errors_on_an_unvalidated_bound_form():
    form = NoteForm(data={"body": "x"})
    add_service_errors(form, Conflict("Reload the page.", field="body"))
    assert form.errors["body"] == ["Reload the page."]
