"""The steps of a cash advance and of a reimbursement, one declaration each: its name, the page's
form, the API's body, the service it runs and what the page says once done. The detail pages'
buttons, the web endpoint ``POST /travel/<document>/<number>/<name>/`` and the API endpoint
``POST /api/v1/<documents>/{number}/<name>`` all read this registry; who may take a step now is
``permissions.advance_actions`` / ``reimbursement_actions`` (the services check it again)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import schemas, services
from .forms import EmptyForm, OptionalReasonForm, PaymentForm, ReasonForm

ADVANCE = "advance"
REIMBURSEMENT = "reimbursement"


@dataclass(frozen=True)
class TravelAction:
    document: str  # ADVANCE or REIMBURSEMENT: the service's keyword for the document
    name: str
    label: Promise
    form: type[forms.Form]
    schema: type[schemas.Input]
    service: Callable[..., Any]
    done: Promise
    primary: bool = False

    def perform(self, *, document: Any, actor: Any, expected_version: int | None, **arguments: Any) -> Any:
        return self.service(**{self.document: document}, actor=actor, expected_version=expected_version, **arguments)


REGISTRY: dict[tuple[str, str], TravelAction] = {}


def register(action: TravelAction) -> TravelAction:
    REGISTRY[(action.document, action.name)] = action
    return action


def declared(document: str) -> list[TravelAction]:
    return [a for (doc, _name), a in REGISTRY.items() if doc == document]


def find(document: str, name: str) -> TravelAction | None:
    return REGISTRY.get((document, name))


register(
    TravelAction(
        ADVANCE, "approve", _("Approve"), EmptyForm, schemas.EmptyBody, services.advance_approve,
        _("The advance was approved."), primary=True,
    )
)  # fmt: skip
register(
    TravelAction(
        ADVANCE, "reject", _("Reject"), ReasonForm, schemas.ReasonBody, services.advance_reject, _("The advance was rejected.")
    )
)
register(
    TravelAction(
        ADVANCE, "pay", _("Record the payment"), PaymentForm, schemas.PaymentBody, services.advance_pay,
        _("The payment was recorded."), primary=True,
    )
)  # fmt: skip
register(
    TravelAction(
        ADVANCE, "cancel", _("Cancel the request"), OptionalReasonForm, schemas.OptionalReasonBody, services.advance_cancel,
        _("The request was cancelled."),
    )
)  # fmt: skip
register(
    TravelAction(
        REIMBURSEMENT, "post", _("Post (offset the advances)"), EmptyForm, schemas.EmptyBody, services.reimbursement_post,
        _("The reimbursement was posted."), primary=True,
    )
)  # fmt: skip
register(
    TravelAction(
        REIMBURSEMENT, "close", _("Record the payout or the cash returned"), PaymentForm, schemas.PaymentBody,
        services.reimbursement_close, _("The reimbursement was closed."), primary=True,
    )
)  # fmt: skip
register(
    TravelAction(
        REIMBURSEMENT, "cancel", _("Cancel the draft"), ReasonForm, schemas.ReasonBody, services.reimbursement_cancel,
        _("The reimbursement was cancelled."),
    )
)  # fmt: skip
