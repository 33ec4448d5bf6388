"""Reads for satisfaction surveys and their settings."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.core.errors import PermissionDenied
from aftersales.tickets.models import Ticket

from .config import SurveyConfig, config_of
from .models import Survey, SurveySettings, SurveyStatus

HISTORY_LIMIT = 20


def survey_pending_for_ticket(*, ticket: Ticket) -> Survey | None:
    """The survey still waiting for the customer's answer on ``ticket`` (at most one), if any.

    Call only with a ticket the caller may see (the customer's own, or one opened by its link)."""
    return Survey.objects.filter(ticket=ticket, status=SurveyStatus.PENDING).first()


def survey_settings_current() -> SurveyConfig:
    """The settings in force: the newest version, else the built-in defaults."""
    return config_of(SurveySettings.objects.select_related("calendar").order_by("-version").first())


def can_edit_survey_settings(user: User) -> bool:
    """Administrators only (SPEC §3 "Administration"), like the other company settings."""
    return bool(
        user.is_authenticated
        and not user.is_customer
        and user.is_active
        and (user.is_superuser or user.role == Role.ADMINISTRATOR)
    )


def require_survey_settings_editor(user: User) -> None:
    if not can_edit_survey_settings(user):
        raise PermissionDenied(_("Only administrators change the satisfaction survey."), code="survey_settings_not_allowed")


def survey_settings_history(*, user: User, limit: int = HISTORY_LIMIT) -> list[SurveySettings]:
    """The saved versions, newest first, with who saved them and how many surveys each sent."""
    require_survey_settings_editor(user)
    return list(
        SurveySettings.objects.select_related("saved_by", "calendar").annotate(sent=Count("surveys")).order_by("-version")[:limit]
    )
