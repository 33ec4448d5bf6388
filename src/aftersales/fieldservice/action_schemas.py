"""Request bodies of the work-order actions in API v1 (``POST …/work-orders/{number}/actions/
<name>``, declared with each action in ``actions``), and the functions that turn a body into the
service's arguments. Inputs refuse unknown fields (the API's shared ``Input``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field

from aftersales.tickets.action_schemas import Input, IsoDateTime, ShortText

from .models import AcceptanceMethod
from .selectors import technician_by_username

Username = Annotated[str, Field(min_length=1, max_length=150)]
Hours = Annotated[Decimal, Field(ge=0, le=24, decimal_places=2)]
Kilometres = Annotated[Decimal, Field(ge=0, le=5000, decimal_places=1)]
Latitude = Annotated[Decimal, Field(ge=-90, le=90, decimal_places=6)]
Longitude = Annotated[Decimal, Field(ge=-180, le=180, decimal_places=6)]
Money = Annotated[Decimal, Field(ge=0, le=1_000_000, decimal_places=2)]


class DispatchInput(Input):
    technician: Username = Field(description="Username of an active technician.")
    appointment_start: IsoDateTime | None = Field(None, description="Required unless the work order has a window already.")
    appointment_end: IsoDateTime | None = None


class RescheduleInput(Input):
    appointment_start: IsoDateTime
    appointment_end: IsoDateTime
    reason: Annotated[str, Field(min_length=1, max_length=20000)]


class WorkOrderReasonInput(Input):
    reason: Annotated[str, Field(min_length=1, max_length=20000)]


class WorkOrderNoInput(Input):
    pass


class LocationInput(Input):
    share_location: bool = Field(False, description="Your consent: the position is stored only when true.")
    lat: Latitude | None = None
    lng: Longitude | None = None


class RecordWorkInput(Input):
    diagnosis: ShortText
    work_done: ShortText
    labour_hours: Hours
    travel_km: Kilometres = Decimal("0")
    serial_number: Annotated[str, Field(max_length=64)] = Field(
        "", description="The serial number on the unit's nameplate, when the ticket's is missing or wrong (empty: as it is)."
    )


class CompleteInput(RecordWorkInput):
    """Record the work and check out in one step (photos before and after must be uploaded)."""

    share_location: bool = False
    lat: Latitude | None = None
    lng: Longitude | None = None


class CustomerAcceptInput(Input):
    method: AcceptanceMethod
    signer_name: Annotated[str, Field(max_length=128)] = ""
    signature: Annotated[
        str, Field(max_length=700_000, description="data:image/png;base64,… (method signature; at most 512 KiB).")
    ] = ""
    code: Annotated[str, Field(max_length=12, description="The one-time code the customer received (method code).")] = ""
    comment: Annotated[str, Field(max_length=2000)] = ""


class QuoteInput(Input):
    """The estimate of a chargeable job, sent to the customer (who confirms it on site or in the portal)."""

    estimated_hours: Annotated[Decimal, Field(gt=0, le=24, decimal_places=2)]
    parts_estimate: Money = Decimal("0")
    estimated_km: Kilometres = Decimal("0")


# --- bodies → the service's keyword arguments --------------------------------------------------


def body_fields(payload: BaseModel) -> dict[str, Any]:
    """The body as the service's arguments, field for field."""
    return dict(payload.model_dump())


def dispatch_arguments(payload: DispatchInput) -> dict[str, Any]:
    return {
        "technician": technician_by_username(payload.technician),
        "appointment_start": payload.appointment_start,
        "appointment_end": payload.appointment_end,
    }


def customer_accept_arguments(payload: CustomerAcceptInput) -> dict[str, Any]:
    data = payload.model_dump()
    data["method"] = payload.method.value
    return data
