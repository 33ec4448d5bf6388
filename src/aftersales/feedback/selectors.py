"""Reads for satisfaction surveys."""

from __future__ import annotations

from aftersales.tickets.models import Ticket

from .models import Survey, SurveyStatus


def survey_pending_for_ticket(*, ticket: Ticket) -> Survey | None:
    """The survey still waiting for the customer's answer on ``ticket`` (at most one), if any.

    Call only with a ticket the caller may see (the customer's own, or one opened by its link)."""
    return Survey.objects.filter(ticket=ticket, status=SurveyStatus.PENDING).first()
