"""The plan's assessment as a new plan takes it (方案评估, SPEC §2.5; ``tickets.plan_assessment``):
the values given, checked, and what a revised plan carries over from the plan it replaces."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed

from ..models import Ticket, TicketPlan
from ..plan_assessment import (
    NOT_ASSESSED,
    PLAN_ASSESSMENT_CHOICES,
    PLAN_ASSESSMENT_FIELDS,
    PLAN_ASSESSMENT_TEXT_FIELDS,
)
from .common import optional_text


def plan_assessment_values(*, given: Mapping[str, str | None], previous: TicketPlan | None) -> dict[str, str]:
    """The assessment of a new plan, one value per field of ``PLAN_ASSESSMENT_FIELDS``: the value
    given, or — given as ``None`` or left out — the value of the plan it replaces (a revised plan
    starts from what was weighed before), or for a first plan "not assessed" and no text.

    Refuses, every field at once, a value outside its vocabulary (``assessment_invalid``) and a
    text over the limit."""
    errors: dict[str, list[object]] = {}
    values: dict[str, str] = {}
    for name in PLAN_ASSESSMENT_FIELDS:
        value = given.get(name)
        if value is None:
            first = "" if name in PLAN_ASSESSMENT_TEXT_FIELDS else NOT_ASSESSED
            values[name] = getattr(previous, name) if previous is not None else first
        elif name in PLAN_ASSESSMENT_TEXT_FIELDS:
            try:
                values[name] = optional_text(str(value), field=name)
            except ValidationFailed as exc:
                errors.update(exc.errors)
        elif str(value) not in PLAN_ASSESSMENT_CHOICES[name].values:
            errors[name] = [_("Choose a valid value.")]
        else:
            values[name] = str(value)
    if errors:
        raise ValidationFailed(errors, code="assessment_invalid")
    return values


def ticket_current_assessment(*, ticket: Ticket) -> dict[str, str] | None:
    """The assessment of the ticket's current plan (what a revised plan starts from), or ``None``
    before the first plan. Call only with a ticket fetched through the user's scope."""
    return TicketPlan.objects.filter(ticket=ticket, is_current=True).values(*PLAN_ASSESSMENT_FIELDS).first()
