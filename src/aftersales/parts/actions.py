"""The requisition actions of the pages: one declaration per action.

A ``RequisitionAction`` says everything about one step in one place: its name (the URL segment
``/parts/requisitions/<pk>/<name>/`` and the button's ``data-test-id``), the statuses it is
offered in (derived from the transition table, ``states.REQUISITION``), who may take it, the form
that parses its input and the service it runs. The requisition page's actions, the work order's
parts panel and the endpoint that performs them (``views.requisition_action``) all read
``REQUISITION_ACTIONS``; the templates only loop over what they are given.

The services stay the authority: they lock, re-check the status and the person, and refuse with a
``DomainError``; "who" here decides only what is offered.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import User

from . import permissions as perms
from . import services
from .forms import DecisionForm, ServiceErrorsMixin
from .models import Requisition
from .selectors import WorkOrderParts
from .states import CANCEL, DECIDE, ISSUE, REQUISITION, SUBMIT

Who = Callable[[User, Requisition, Any], bool]


def _no_arguments(data: dict[str, Any]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class RequisitionAction:
    name: str
    label: str | Promise
    # The outcomes of the step (``states.SUBMIT`` …); offered where every outcome is a legal move.
    outcomes: tuple[str, ...]
    # Whether ``user`` may take it on ``requisition`` of ``work_order`` (what is offered).
    who: Who
    # Called as service(requisition=, actor=, **arguments(form.cleaned_data)).
    service: Callable[..., Requisition]
    arguments: Callable[[dict[str, Any]], dict[str, Any]] = _no_arguments
    form: type[ServiceErrorsMixin] = DecisionForm
    # The requisition page shows the form's comment with this action's button.
    with_comment: bool = False
    primary: bool = False
    # Offered on the work order's parts panel too, when this holds for the panel's data.
    in_panel: Callable[[WorkOrderParts], bool] | None = None

    @property
    def statuses(self) -> frozenset[str]:
        return REQUISITION.sources(*self.outcomes)

    def allowed(self, user: User, requisition: Requisition, work_order: Any) -> bool:
        return requisition.status in self.statuses and self.who(user, requisition, work_order)

    def perform(self, *, requisition: Requisition, actor: User, data: dict[str, Any]) -> Requisition:
        return self.service(requisition=requisition, actor=actor, **self.arguments(data))


def _may_work(user: User, requisition: Requisition, work_order: Any) -> bool:
    """The requester, the work order's technician, or stock staff covering the job."""
    return perms.can_work_on_parts_of(user, work_order) or user.pk == requisition.requested_by_id


def _may_decide(user: User, requisition: Requisition, work_order: Any) -> bool:
    return perms.can_decide_requisition(user, requisition)


def _may_issue(user: User, requisition: Requisition, work_order: Any) -> bool:
    return perms.is_stock_staff(user) and perms.can_access_warehouse(user, requisition.warehouse)


def _comment(data: dict[str, Any]) -> str:
    return str(data.get("comment") or "")


REQUISITION_ACTIONS: dict[str, RequisitionAction] = {
    action.name: action
    for action in (
        RequisitionAction(
            name="submit",
            label=_("Submit"),
            outcomes=SUBMIT,
            who=_may_work,
            service=services.requisition_submit,
            primary=True,
        ),
        RequisitionAction(
            name="approve",
            label=_("Approve"),
            outcomes=DECIDE,
            who=_may_decide,
            service=services.requisition_decide,
            arguments=lambda data: {"approve": True, "comment": _comment(data)},
            with_comment=True,
            primary=True,
        ),
        RequisitionAction(
            name="reject",
            label=_("Reject"),
            outcomes=DECIDE,
            who=_may_decide,
            service=services.requisition_decide,
            arguments=lambda data: {"approve": False, "comment": _comment(data)},
            with_comment=True,
        ),
        RequisitionAction(
            name="issue",
            label=_("Issue to the van"),
            outcomes=ISSUE,
            who=_may_issue,
            service=services.requisition_issue,
            primary=True,
            in_panel=lambda parts: parts.can_issue,
        ),
        RequisitionAction(
            name="cancel",
            label=_("Cancel requisition"),
            outcomes=CANCEL,
            who=_may_work,
            service=services.requisition_cancel,
            arguments=lambda data: {"reason": _comment(data)},
            in_panel=lambda parts: parts.can_request,
        ),
    )
}


def available_actions(*, user: User, requisition: Requisition, work_order: Any) -> list[RequisitionAction]:
    """What the requisition page offers ``user``, in the declarations' order."""
    return [a for a in REQUISITION_ACTIONS.values() if a.allowed(user, requisition, work_order)]


def panel_actions(*, user: User, requisition: Requisition, parts: WorkOrderParts) -> list[RequisitionAction]:
    """What the work order's parts panel offers ``user`` on ``requisition``."""
    return [
        a
        for a in REQUISITION_ACTIONS.values()
        if a.in_panel is not None and a.in_panel(parts) and a.allowed(user, requisition, parts.work_order)
    ]
