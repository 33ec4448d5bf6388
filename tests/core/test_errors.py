"""Domain errors carry a stable code and the field a person must fix."""

from __future__ import annotations

from aftersales.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed


def test_domain_error_has_a_default_code_that_a_raise_can_override():
    assert DomainError("no").code == "domain_error"
    error = DomainError("no", code="illegal_transition", field="status")
    assert (error.code, error.field, str(error)) == ("illegal_transition", "status", "no")


def test_validation_failed_names_the_first_field_and_keeps_every_error():
    error = ValidationFailed({"phone": ["bad phone"], "email": ["bad email"]}, code="intake_invalid")
    assert error.code == "intake_invalid"
    assert error.field == "phone"
    assert str(error) == "bad phone"
    assert error.errors == {"phone": ["bad phone"], "email": ["bad email"]}
    assert error.status == 422


def test_each_error_kind_maps_to_its_http_status():
    assert (NotFound("x").status, NotFound("x").code) == (404, "not_found")
    assert (PermissionDenied("x").status, PermissionDenied("x").code) == (403, "permission_denied")
    assert (Conflict("x").status, Conflict("x").code) == (409, "conflict")
    assert isinstance(ValidationFailed({"a": ["b"]}), DomainError)
