"""Values of work-order requests that name things (a ticket and its measure, skills) → the
objects the services take; a name that does not resolve is a 422 naming the field."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import NotFound, ValidationFailed
from aftersales.fieldservice.models import Skill
from aftersales.tickets.models import PlanMeasure

from ..caller import Caller
from ..selectors import api_ticket_get


def measure_for(*, caller: Caller, ticket_number: str, measure_id: int) -> PlanMeasure:
    try:
        ticket = api_ticket_get(caller=caller, number=ticket_number)
    except NotFound:
        raise ValidationFailed({"ticket": [_("No ticket with this number is visible to you.")]}, code="ticket_invalid") from None
    measure = PlanMeasure.objects.select_related("plan").filter(pk=measure_id, plan__ticket=ticket).first()
    if measure is None:
        raise ValidationFailed({"measure_id": [_("No measure of this ticket has this id.")]}, code="measure_invalid")
    return measure


def skills_for(codes: list[str]) -> list[Skill]:
    wanted = sorted(set(codes))
    skills = list(Skill.objects.filter(code__in=wanted, active=True))
    if len(skills) != len(wanted):
        raise ValidationFailed({"required_skills": [_("Choose valid skill codes.")]}, code="skill_invalid")
    return skills
