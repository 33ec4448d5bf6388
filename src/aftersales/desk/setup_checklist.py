"""The administrator's setup checklist: what a new company has not configured yet.

Shown on the administrator's overview (``desk/team.html``), each item says what is missing,
what goes wrong without it, and links to the page where it is done (or names the server's
settings when it is done there). An item disappears once it is done.

The facts are read with a few COUNT/EXISTS statements and the settings, once a minute at most
(``CACHE_SECONDS``, one cache entry for every administrator); the texts are made per request in
the reader's language. Administrators and superusers see it; nobody else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.accounts.models import Region, RegionArea, Role, Team, User
from aftersales.catalog.models import ProductModel
from aftersales.feedback.models import SurveySettings
from aftersales.fieldservice.charging import current_policy
from aftersales.fieldservice.models import TravelRate
from aftersales.notifications.models import NotificationChannel
from aftersales.notifications.providers.setup import channel_setup
from aftersales.notifications.senders import LOG_ONLY
from aftersales.sla.calendar_selectors import calendars_needing_schedule
from aftersales.sla.models import SlaPolicy
from aftersales.tickets.models import ApprovalRule

CACHE_KEY = "desk:setup-checklist:v1"
CACHE_SECONDS = 60
# The roles a company cannot work without: who answers, who approves, who goes out.
ESSENTIAL_ROLES = (Role.AGENT, Role.SUPERVISOR, Role.TECHNICIAN)
# Mail backends that deliver nothing to anyone (Django's defaults for a laptop and for tests).
UNDELIVERED_EMAIL_BACKENDS = frozenset(
    f"django.core.mail.backends.{name}.EmailBackend" for name in ("console", "dummy", "locmem", "filebased")
)
NOTIFICATIONS_DOC = "docs/notifications.md"
CONFIGURATION_DOC = "README.md"


@dataclass(frozen=True)
class ChannelFacts:
    log_only: bool
    problems: int  # settings missing or malformed
    without_template: int  # kinds of customer message skipped on this channel


@dataclass(frozen=True)
class SetupFacts:
    """What the checklist is made of: counts and flags, without any text (cached)."""

    regions: int
    region_areas: bool
    teams: int
    staff: dict[str, int]  # active users per role
    technicians_without_profile: int
    product_models: int
    models_without_warranty: int
    default_sla: bool
    approval_rules: bool
    labour_rate: bool
    travel_rate: bool
    sms: ChannelFacts
    wechat: ChannelFacts
    email_delivered: bool
    email_from: str
    survey_settings: bool = True
    calendar_gaps: list[tuple[int, str, int]] = field(default_factory=list)  # (calendar id, name, year)


@dataclass(frozen=True)
class SetupItem:
    """One thing to do: what is missing and why it matters, and where it is done — a page
    (``url``, ``link``) or the server's settings (``settings``, ``docs``)."""

    key: str
    text: str
    url: str = ""
    link: str = ""
    settings: str = ""
    docs: str = ""

    @property
    def test_id(self) -> str:
        # The calendar warning kept the name it had before it joined the checklist.
        return "calendar-gaps" if self.key == "calendar" else f"setup-{self.key}"


def sees_setup_checklist(user: User) -> bool:
    return bool(user.is_authenticated and not user.is_customer and (user.is_superuser or user.role == Role.ADMINISTRATOR))


def setup_checklist(*, user: User, today: dt.date, fresh: bool = False) -> list[SetupItem]:
    """The items still to do, for an administrator (an empty list for everybody else)."""
    if not sees_setup_checklist(user):
        return []
    facts = None if fresh else cache.get(CACHE_KEY)
    if not isinstance(facts, SetupFacts):
        facts = setup_facts(today=today)
        cache.set(CACHE_KEY, facts, CACHE_SECONDS)
    return setup_items(facts)


# --- The facts ------------------------------------------------------------------------------------


def setup_facts(*, today: dt.date) -> SetupFacts:
    staff = dict(
        User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by().values_list("role").annotate(n=Count("id"))
    )
    models = ProductModel.objects.filter(active=True).aggregate(
        n=Count("id"), without=Count("id", filter=Q(warranty_policy__isnull=True))
    )
    policy = current_policy(today)
    sender = (settings.EMAIL_BACKEND or "").strip()
    return SetupFacts(
        regions=Region.objects.count(),
        region_areas=RegionArea.objects.exists(),
        teams=Team.objects.count(),
        staff=staff,
        technicians_without_profile=User.objects.filter(
            is_active=True, role=Role.TECHNICIAN, technician_profile__isnull=True
        ).count(),
        product_models=models["n"],
        models_without_warranty=models["without"],
        # A policy without priority and tier applies to every ticket no other policy matches.
        default_sla=SlaPolicy.objects.filter(active=True, priority__isnull=True, customer_tier="").exists(),
        approval_rules=ApprovalRule.objects.filter(active=True).exists(),
        labour_rate=policy.pk is not None and bool(policy.labour_cost_per_hour or policy.labour_price_per_hour),
        travel_rate=TravelRate.objects.filter(region__isnull=True).filter(Q(cost__gt=0) | Q(price__gt=0)).exists(),
        sms=_channel(NotificationChannel.SMS),
        wechat=_channel(NotificationChannel.WECHAT),
        email_delivered=sender not in UNDELIVERED_EMAIL_BACKENDS,
        email_from=str(settings.DEFAULT_FROM_EMAIL or ""),
        survey_settings=SurveySettings.objects.exists(),
        calendar_gaps=[(c.pk, c.label, year) for c, year in calendars_needing_schedule(today=today)],
    )


def _channel(channel: str) -> ChannelFacts:
    setup = channel_setup(channel)
    log_only = setup.sender == LOG_ONLY
    return ChannelFacts(
        log_only=log_only,
        problems=len(setup.problems),
        without_template=0 if log_only else len(setup.missing),
    )


def _local_sender(address: str) -> bool:
    """A sender address nobody outside this machine can reply to (the laptop default)."""
    domain = address.rstrip(">").rpartition("@")[2].strip().lower()
    return domain in ("", "localhost", "localhost.localdomain") or domain.endswith(".local")


# --- The items ------------------------------------------------------------------------------------


def _admin(name: str, query: str = "") -> str:
    """The admin page's address, or "" when the model is not in the admin."""
    try:
        return reverse(f"admin:{name}") + query
    except NoReverseMatch:
        return ""


def setup_items(facts: SetupFacts) -> list[SetupItem]:
    """The facts as items in the reader's language, in the order a company sets up."""
    items = [*_organisation(facts), *_catalogue_and_rules(facts), *_messages(facts)]
    items += [
        SetupItem(
            key="calendar",
            text=_(
                "The State Council's holiday schedule for %(year)s is not entered on the calendar “%(name)s”: "
                "its deadlines count only the statutory holidays as days off."
            )
            % {"year": year, "name": name},
            url=reverse("sla:calendar_notice", args=[calendar_id, year]),
            link=_("Enter the notice"),
        )
        for calendar_id, name, year in facts.calendar_gaps
    ]
    return items


def _organisation(facts: SetupFacts) -> list[SetupItem]:
    items = []
    if not facts.regions:
        items.append(
            SetupItem(
                key="regions",
                text=_("No service regions yet: tickets and customers get no region, and regional supervisors see nothing."),
                url=_admin("accounts_region_add"),
                link=_("Add regions"),
            )
        )
    elif not facts.region_areas:
        items.append(
            SetupItem(
                key="region-areas",
                text=_("No provinces or cities are assigned to the regions: a ticket's address finds no region."),
                url=_admin("accounts_region_changelist"),
                link=_("Assign provinces to regions"),
            )
        )
    if not facts.teams:
        items.append(
            SetupItem(
                key="teams",
                text=_("No teams yet: tickets cannot be handed to a team, and no team leader sees the team's work."),
                url=_admin("accounts_team_add"),
                link=_("Add teams"),
            )
        )
    missing_role = {
        Role.AGENT: _("No agents yet: nobody registers or handles tickets."),
        Role.SUPERVISOR: _("No supervisors yet: nobody approves plans or is told of missed deadlines."),
        Role.TECHNICIAN: _("No technicians yet: work orders cannot be dispatched."),
    }
    for role in ESSENTIAL_ROLES:
        if not facts.staff.get(role):
            items.append(
                SetupItem(key=f"staff-{role}", text=missing_role[role], url=_admin("accounts_user_add"), link=_("Add a user"))
            )
    if facts.technicians_without_profile:
        count = facts.technicians_without_profile
        items.append(
            SetupItem(
                key="technician-profiles",
                text=ngettext(
                    "%(count)d technician has no technician profile: dispatch knows neither their regions nor their "
                    "skills and lists them under “other region”.",
                    "%(count)d technicians have no technician profile: dispatch knows neither their regions nor their "
                    "skills and lists them under “other region”.",
                    count,
                )
                % {"count": count},
                url=_admin("fieldservice_technicianprofile_add"),
                link=_("Add technician profiles"),
            )
        )
    return items


def _catalogue_and_rules(facts: SetupFacts) -> list[SetupItem]:
    items = []
    if not facts.product_models:
        items.append(
            SetupItem(
                key="product-models",
                text=_("No product models yet: units cannot be registered and no warranty can be checked."),
                url=_admin("catalog_productmodel_add"),
                link=_("Add product models"),
            )
        )
    elif facts.models_without_warranty:
        count = facts.models_without_warranty
        items.append(
            SetupItem(
                key="warranty",
                text=ngettext(
                    "%(count)d product model has no warranty policy: its units' warranty is always “unknown”.",
                    "%(count)d product models have no warranty policy: their units' warranty is always “unknown”.",
                    count,
                )
                % {"count": count},
                url=_admin("catalog_productmodel_changelist", "?warranty_policy__isnull=True"),
                link=_("Set their warranty policies"),
            )
        )
    if not facts.default_sla:
        items.append(
            SetupItem(
                key="sla",
                text=_("No default service level: tickets that no other SLA policy matches get no deadlines."),
                url=_admin("sla_slapolicy_changelist"),
                link=_("Service levels"),
            )
        )
    if not facts.approval_rules:
        items.append(
            SetupItem(
                key="approval-rules",
                text=_("No approval rules: plans, refunds and compensation of any amount go ahead without anyone's approval."),
                url=_admin("tickets_approvalrule_add"),
                link=_("Add approval rules"),
            )
        )
    if not facts.labour_rate:
        items.append(
            SetupItem(
                key="labour-rate",
                text=_("No labour rate: a technician's hours are costed and charged at 0."),
                url=_admin("fieldservice_chargepolicy_add"),
                link=_("Set the labour rate"),
            )
        )
    if not facts.travel_rate:
        items.append(
            SetupItem(
                key="travel-rate",
                text=_("No default travel rate: travel to the customer is costed and charged at 0."),
                url=_admin("fieldservice_travelrate_add"),
                link=_("Set the travel rate"),
            )
        )
    if not facts.survey_settings:
        items.append(
            SetupItem(
                key="survey",
                text=_(
                    "The satisfaction survey runs on its defaults (every question, sent at once, no reminder, "
                    "link valid 30 days): check that they suit you."
                ),
                url=reverse("feedback:settings"),
                link=_("Survey settings"),
            )
        )
    return items


def _messages(facts: SetupFacts) -> list[SetupItem]:
    items = []
    sms, wechat = facts.sms, facts.wechat
    if sms.log_only:
        items.append(
            SetupItem(
                key="sms",
                text=_(
                    "SMS are not sent, only written to the server's log: no SMS provider is configured. Customers get "
                    "no ticket number, plan or survey link by SMS."
                ),
                settings="SMS_PROVIDER, SMS_TEMPLATES",
                docs=NOTIFICATIONS_DOC,
            )
        )
    elif sms.problems or sms.without_template:
        items.append(_channel_item("sms", _("SMS"), sms, "SMS_TEMPLATES"))
    if wechat.log_only:
        items.append(
            SetupItem(
                key="wechat",
                text=_(
                    "WeChat messages are not sent, only written to the server's log: no WeChat Official Account is configured."
                ),
                settings="WECHAT_APP_ID, WECHAT_APP_SECRET, WECHAT_TEMPLATES",
                docs=NOTIFICATIONS_DOC,
            )
        )
    elif wechat.problems or wechat.without_template:
        items.append(_channel_item("wechat", _("WeChat"), wechat, "WECHAT_TEMPLATES"))
    if not facts.email_delivered:
        items.append(
            SetupItem(
                key="email",
                text=_("E-mail is not sent to anyone: the mail backend only writes it on the server."),
                settings="EMAIL_BACKEND, EMAIL_HOST, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, DEFAULT_FROM_EMAIL",
                docs=CONFIGURATION_DOC,
            )
        )
    elif _local_sender(facts.email_from):
        items.append(
            SetupItem(
                key="email",
                text=_("E-mail is sent from %(address)s, an address nobody can reply to.") % {"address": facts.email_from},
                settings="DEFAULT_FROM_EMAIL",
                docs=CONFIGURATION_DOC,
            )
        )
    return items


def _channel_item(key: str, channel: str, facts: ChannelFacts, templates: str) -> SetupItem:
    """A configured provider that still sends less than it should."""
    if facts.problems:
        text = _("The %(channel)s provider's settings have problems: manage.py notifications_check says which.") % {
            "channel": channel
        }
    else:
        text = ngettext(
            "%(count)d kind of customer message has no %(channel)s template and is not sent by %(channel)s.",
            "%(count)d kinds of customer message have no %(channel)s template and are not sent by %(channel)s.",
            facts.without_template,
        ) % {"count": facts.without_template, "channel": channel}
    return SetupItem(key=key, text=text, settings=templates, docs=NOTIFICATIONS_DOC)
