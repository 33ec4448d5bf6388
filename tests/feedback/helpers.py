"""Shared steps for the survey tests: a ticket walked to RESOLVED, the settings saved as an
administrator would, the survey's notifications."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aftersales.accounts.models import DataScope, Role, User
from aftersales.feedback.models import Survey, SurveySettings, SurveyStatus
from aftersales.feedback.settings_services import SurveySettingsInput, survey_settings_save
from aftersales.notifications.models import Notification
from aftersales.tickets.models import AgreementMethod, MeasureStatus, Ticket, TicketPlan
from aftersales.tickets.process import ticket_record_agreement, ticket_resolve, ticket_submit_plan, ticket_update_measure
from tests.factories import UserFactory, make_ticket
from tests.tickets.process_helpers import agent, analysed, refreshed, repair_plan


def administrator(**kwargs: Any) -> User:
    return UserFactory(role=Role.ADMINISTRATOR, data_scope=DataScope.ALL, **kwargs)


def resolved(handler: User | None = None, **ticket_fields: Any) -> Ticket:
    """A ticket walked to RESOLVED by an agent: its survey exists."""
    handler = handler or agent()
    ticket = analysed(make_ticket(actor=handler, **ticket_fields), handler)
    repair_plan(ticket, handler)
    ticket = ticket_submit_plan(ticket=refreshed(ticket), actor=handler)
    ticket_record_agreement(
        ticket=ticket, actor=handler, accepted=True, method=AgreementMethod.PHONE, agreed_at=ticket.updated_at
    )
    for measure in TicketPlan.objects.get(ticket=ticket, is_current=True).measures.all():
        ticket_update_measure(measure=measure, actor=handler, status=MeasureStatus.DONE)
    return ticket_resolve(ticket=refreshed(ticket), actor=handler, summary="已修复")


def save(admin: User, **values: Any) -> SurveySettings | None:
    """Save settings (the defaults, changed by ``values``) over the version in force."""
    return survey_settings_save(actor=admin, data=SurveySettingsInput(**values))


def pending(ticket: Ticket) -> Survey:
    return Survey.objects.get(ticket=ticket, status=SurveyStatus.PENDING)


def messages(ticket: Ticket, template: str) -> list[tuple[str, str]]:
    """(channel, recipient) of every message with ``template`` about ``ticket``."""
    return sorted(Notification.objects.filter(ticket=ticket, template=template).values_list("channel", "recipient"))


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)
