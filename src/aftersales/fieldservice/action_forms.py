"""The work-order page's forms: each reads the fields its form posts into the keyword arguments
of the action's service (declared with each action in ``actions``). A missing or unreadable
value is a ``ValidationFailed`` naming the field, shown on the page like the services' own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User
from aftersales.core.errors import NotFound, ValidationFailed

from .models import AcceptanceMethod, ExpenseClaim, WorkOrder


def aware(value: str | None, field: str = "appointment_start") -> dt.datetime | None:
    """A ``datetime-local`` value in the business time zone; a value that is no date and time (or
    no such date: 30 February) is an error on ``field``."""
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationFailed({field: [_("Enter a date and time.")]}, code="datetime_invalid")
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_default_timezone())
    return parsed


def expected_version(request: HttpRequest) -> int | None:
    """The version of the work order the page showed (a hidden field of the form)."""
    value = request.POST.get("expected_version", "")
    return int(value) if value.isdigit() else None


def no_fields(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {}


def reason(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {"reason": request.POST.get("reason", "")}


def location(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {
        "share_location": request.POST.get("share_location") == "yes",
        "lat": request.POST.get("lat") or None,
        "lng": request.POST.get("lng") or None,
    }


def dispatch(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    value = request.POST.get("technician", "")
    technician = User.objects.filter(pk=value).first() if value.isdigit() else None
    if technician is None:
        raise ValidationFailed({"technician": [_("Choose a technician.")]}, code="technician_required")
    return {
        "technician": technician,
        "appointment_start": aware(request.POST.get("appointment_start")),
        "appointment_end": aware(request.POST.get("appointment_end"), "appointment_end"),
    }


def reschedule(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {
        "appointment_start": aware(request.POST.get("appointment_start")),
        "appointment_end": aware(request.POST.get("appointment_end"), "appointment_end"),
        "reason": request.POST.get("reason", ""),
    }


def record_work(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {
        "diagnosis": request.POST.get("diagnosis", ""),
        "work_done": request.POST.get("work_done", ""),
        "labour_hours": request.POST.get("labour_hours", "0"),
        "travel_km": request.POST.get("travel_km", "0"),
        "serial_number": request.POST.get("serial_number", ""),
    }


def complete(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {**record_work(request, work_order), **location(request, work_order)}


def photo(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    upload = request.FILES.get("photo")
    if upload is None:
        raise ValidationFailed({"photo": [_("Choose a photo.")]}, code="photo_required")
    return {"kind": request.POST.get("kind", ""), "file": upload}


def permit(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    upload = request.FILES.get("permit")
    if upload is None:
        raise ValidationFailed({"permits": [_("Choose a file.")]}, code="permit_required")
    return {"file": upload}


def quote(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {
        "estimated_hours": request.POST.get("estimated_hours", ""),
        "parts_estimate": request.POST.get("parts_estimate", "0"),
        "estimated_km": request.POST.get("estimated_km", "0"),
    }


def customer_accept(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {
        "method": request.POST.get("method", AcceptanceMethod.SIGNATURE),
        "signer_name": request.POST.get("signer_name", ""),
        "signature": request.POST.get("signature", ""),
        "code": request.POST.get("code", ""),
        "comment": request.POST.get("comment", ""),
    }


def expense(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    return {
        "kind": request.POST.get("kind", ""),
        "amount": request.POST.get("amount", ""),
        "note": request.POST.get("note", ""),
        "receipt": request.FILES.get("receipt"),
    }


def decide_expense(request: HttpRequest, work_order: WorkOrder) -> dict[str, Any]:
    claim = ExpenseClaim.objects.filter(pk=request.POST.get("claim") or 0, work_order=work_order).first()
    if claim is None:
        raise NotFound("claim not found")
    return {"claim": claim, "approve": request.POST.get("decision") == "approve"}
