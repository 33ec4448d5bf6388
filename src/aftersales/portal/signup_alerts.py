"""The portal's receiver of ``accounts.login_code.PHONE_CODE_CAP_REACHED``: the administrators
hear that a country's daily cap of SMS codes was reached (docs/security.md, "SMS pumping")."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.accounts.models import Role, User
from aftersales.notifications.models import Notification
from aftersales.notifications.services import notify_staff

CAP_ALERT_TEMPLATE = "phone_code_cap_reached"


def cap_alert_template(*, country: str, day: dt.date) -> str:
    """The outbox rows' template of the day's alert for ``country``: it names both, so a second
    alert of the same day (two processes reaching the cap at once) is found and not sent."""
    return f"{CAP_ALERT_TEMPLATE}:{country}:{day:%Y%m%d}"


def administrators() -> list[User]:
    """The active administrators and superusers (staff), who hear of the cap."""
    return list(
        User.objects.filter(Q(role=Role.ADMINISTRATOR) | Q(is_superuser=True), is_active=True)
        .exclude(role=Role.CUSTOMER, is_superuser=False)
        .order_by("pk")
    )


def phone_code_cap_reached(*, country: str, cap: int, day: dt.date) -> None:
    """An in-app notice to every administrator, in their language, once a day and country:
    no code goes to that country's numbers until tomorrow; if it is an attack, it is stopped,
    else the cap (``PHONE_CODE_DAILY_CAPS``) is too low."""
    template = cap_alert_template(country=country, day=day)
    if Notification.objects.filter(template=template).exists():
        return
    notify_staff(
        users=administrators(),
        template=template,
        subject=_("SMS codes: the daily cap for +%(country)s is reached"),
        body=_(
            "%(cap)d sign-up and sign-in codes went to numbers of +%(country)s today, the daily cap: no more codes go "
            "there until midnight (Asia/Shanghai). Many codes to numbers nobody signs up with are SMS pumping; if the "
            "requests are genuine, raise PHONE_CODE_DAILY_CAPS."
        ),
        params={"country": country, "cap": cap},
    )
