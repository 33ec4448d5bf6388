"""The steps of a trip log, one declaration each, in the travel registry (``actions``): the
trip's page's buttons, the web endpoint ``POST /travel/trips/<number>/<name>/`` and the API
endpoint ``POST /api/v1/trips/{number}/<name>`` read them; who may take a step now is
``trip_permissions.trip_actions`` (the services check it again)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from . import schemas, services, trip_schemas
from .actions import TravelAction, declared, register
from .forms import OptionalReasonForm, ReasonForm
from .trip_forms import NoteForm, TripSubmitForm

TRIP = "trip"

register(
    TravelAction(
        TRIP, "submit", _("Submit the log"), TripSubmitForm, trip_schemas.SubmitBody, services.trip_submit,
        _("The trip log was submitted."), primary=True,
    )
)  # fmt: skip
register(
    TravelAction(
        TRIP, "approve", _("Approve the log"), NoteForm, trip_schemas.NoteBody, services.trip_approve,
        _("The trip log was approved."), primary=True,
    )
)  # fmt: skip
register(
    TravelAction(
        TRIP, "return", _("Return for correction"), ReasonForm, schemas.ReasonBody, services.trip_return,
        _("The trip log was returned."),
    )
)  # fmt: skip
register(
    TravelAction(
        TRIP, "cancel", _("Cancel the trip"), OptionalReasonForm, schemas.OptionalReasonBody, services.trip_cancel,
        _("The trip was cancelled."),
    )
)  # fmt: skip


def steps() -> list[TravelAction]:
    return declared(TRIP)
