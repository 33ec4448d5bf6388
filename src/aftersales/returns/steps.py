"""The steps of an RMA a user may take now: one declaration each (the form, the service, who and
from which statuses), read by the detail page and the step endpoint alike."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User

from . import services
from .forms import AcceptForm, CancelForm, HandoverForm, InspectForm, ReceiveForm, ShipForm, StepForm
from .models import ReturnAuthorization, RmaKind, RmaStatus
from .permissions import can_handle, is_keeper_of
from .states import sources

R = RmaStatus


@dataclass(frozen=True)
class Step:
    name: str
    label: Promise
    form: type[forms.Form]
    statuses: frozenset[str]
    who: str  # "handler", "keeper" or "either"
    perform: Callable[..., ReturnAuthorization]
    kinds: frozenset[str] = frozenset(RmaKind.values)
    files: bool = False
    primary: bool = True

    def allowed(self, user: User, rma: ReturnAuthorization) -> bool:
        if rma.status not in self.statuses or rma.kind not in self.kinds:
            return False
        if self.who == "keeper":
            return is_keeper_of(user, rma)
        if self.who == "handler":
            return can_handle(user, rma)
        return is_keeper_of(user, rma) or can_handle(user, rma)


def _handover(rma: ReturnAuthorization, actor: User, data: dict[str, Any], files: list[Any], version: int | None) -> Any:
    return services.rma_handover(rma=rma, actor=actor, expected_version=version, **data)


def _receive(rma: ReturnAuthorization, actor: User, data: dict[str, Any], files: list[Any], version: int | None) -> Any:
    return services.rma_receive(rma=rma, actor=actor, expected_version=version, **data)


def _inspect(rma: ReturnAuthorization, actor: User, data: dict[str, Any], files: list[Any], version: int | None) -> Any:
    return services.rma_inspect(rma=rma, actor=actor, expected_version=version, photos=files, **data)


def _accept(rma: ReturnAuthorization, actor: User, data: dict[str, Any], files: list[Any], version: int | None) -> Any:
    return services.rma_accept_inspection(rma=rma, actor=actor, expected_version=version, **data)


def _ship(rma: ReturnAuthorization, actor: User, data: dict[str, Any], files: list[Any], version: int | None) -> Any:
    return services.rma_ship_replacement(rma=rma, actor=actor, expected_version=version, **data)


def _deliver(rma: ReturnAuthorization, actor: User, data: dict[str, Any], files: list[Any], version: int | None) -> Any:
    return services.rma_confirm_delivery(rma=rma, actor=actor, expected_version=version)


def _cancel(rma: ReturnAuthorization, actor: User, data: dict[str, Any], files: list[Any], version: int | None) -> Any:
    return services.rma_cancel(rma=rma, actor=actor, expected_version=version, **data)


STEPS: dict[str, Step] = {
    step.name: step
    for step in (
        Step(
            "handover",
            _("Record pickup or drop-off"),
            HandoverForm,
            frozenset({R.AUTHORISED, R.AWAITING_PICKUP}),
            "either",
            _handover,
        ),
        Step(
            "receive",
            _("Goods received"),
            ReceiveForm,
            frozenset({R.AUTHORISED, R.AWAITING_PICKUP, R.IN_TRANSIT}),
            "keeper",
            _receive,
        ),
        Step("inspect", _("Record the inspection"), InspectForm, frozenset({R.RECEIVED}), "keeper", _inspect, files=True),
        Step("accept", _("Accept the goods all the same"), AcceptForm, frozenset({R.INSPECTION_FAILED}), "handler", _accept),
        Step(
            "ship",
            _("Ship the replacement"),
            ShipForm,
            frozenset({R.INSPECTED}),
            "keeper",
            _ship,
            kinds=frozenset({RmaKind.EXCHANGE}),
        ),
        Step("deliver", _("Replacement delivered"), StepForm, frozenset({R.REPLACEMENT_SHIPPED}), "either", _deliver),
        Step("cancel", _("Cancel the return"), CancelForm, sources(R.CANCELLED), "handler", _cancel, primary=False),
    )
}


def available_steps(*, user: User, rma: ReturnAuthorization) -> list[Step]:
    return [step for step in STEPS.values() if step.allowed(user, rma)]
