"""The notifications an administrator may edit: each event, its channels, its placeholders and
its shipped text.

The shipped text is the message id the sending code uses (the same English msgid, so the same
translation): an event with no saved template sends exactly what it sent before templates
existed. Adding an event here makes it editable; its placeholders are the values the sending
code passes (``params`` plus the ticket's number, the customer's name and the resolution due
time), nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import NotificationChannel
from .template_text import Placeholder

CUSTOMER_NAME = Placeholder("name", "客户姓名", "customer_name", _("The customer's (or caller's) name"), "赵敏", "Zhao Min")
TICKET_NUMBER = Placeholder("number", "工单号", "ticket_number", _("The ticket number"), "SH20261122-000001", "SH20261122-000001")
DUE_TIME = Placeholder(
    "due", "预计完成时间", "due_time", _("When the request is due to be resolved"), "2026-11-24 18:00", "2026-11-24 18:00"
)
MISSING = Placeholder(
    "missing", "所需资料", "missing_information", _("What the agent asked for"), "购买发票照片", "a photo of the receipt"
)
REASON = Placeholder("reason", "原因", "reason", _("The reason given by the agent"), "超出服务范围", "outside our service area")
DIAGNOSIS = Placeholder(
    "diagnosis", "处理方案", "plan", _("The plan's diagnosis"), "排水管堵塞，需上门清理", "the drain pipe is blocked"
)
WORK_ORDER = Placeholder(
    "work_order", "派工单号", "work_order", _("The work order's number"), "WO20261122-000001", "WO20261122-000001"
)
TECHNICIAN = Placeholder("technician", "技师", "technician", _("The technician's name"), "刘强", "Liu Qiang")
WINDOW = Placeholder(
    "window", "预约时间", "appointment", _("The appointment window"), "11月24日 09:00–12:00", "24 Nov 09:00–12:00"
)

COMMON = (CUSTOMER_NAME, TICKET_NUMBER, DUE_TIME)
CUSTOMER_CHANNELS = (NotificationChannel.EMAIL, NotificationChannel.SMS, NotificationChannel.IN_APP)
SUBJECT_CHANNELS = frozenset({NotificationChannel.EMAIL, NotificationChannel.IN_APP})


@dataclass(frozen=True)
class TemplateEvent:
    key: str
    label: Any
    subject: Any
    body: Any
    channels: tuple[str, ...] = CUSTOMER_CHANNELS
    placeholders: tuple[Placeholder, ...] = COMMON
    link_text: Any = ""
    extra: tuple[Placeholder, ...] = field(default=())

    @property
    def all_placeholders(self) -> tuple[Placeholder, ...]:
        return self.placeholders + self.extra

    def samples(self, language: str) -> dict[str, str]:
        return {p.key: p.sample(language) for p in self.all_placeholders}


EVENTS: dict[str, TemplateEvent] = {
    e.key: e
    for e in (
        TemplateEvent(
            "ticket_received",
            _("Ticket received"),
            _("Your request %(number)s has been registered"),
            _(
                "we have registered your request under number %(number)s. "
                "Quote this number whenever you contact us. We will reply within 24 hours."
            ),
            channels=(NotificationChannel.EMAIL, NotificationChannel.SMS),
            link_text=_("Follow your request here:"),
        ),
        TemplateEvent(
            "ticket_information_requested",
            _("Information requested"),
            _("We need more information for request %(number)s"),
            _("to go on with request %(number)s we need the following from you: %(missing)s. Reply to our e-mail or call us."),
            link_text=_("See your request here:"),
            extra=(MISSING,),
        ),
        TemplateEvent(
            "ticket_rejected",
            _("Request not accepted"),
            _("Your request %(number)s was not accepted"),
            _("we could not accept request %(number)s: %(reason)s"),
            extra=(REASON,),
        ),
        TemplateEvent(
            "ticket_plan_offered",
            _("Plan offered"),
            _("Our proposal for request %(number)s"),
            _("our proposal for request %(number)s: %(diagnosis)s. Please review the plan and tell us whether you accept it."),
            link_text=_("Review and accept the plan here:"),
            extra=(DIAGNOSIS,),
        ),
        TemplateEvent(
            "survey",
            _("Satisfaction survey"),
            _("How did we do with request %(number)s?"),
            _("request %(number)s has been resolved. Please tell us whether the problem is solved and how satisfied you are."),
            link_text=_("Confirm the result and rate our service here:"),
        ),
        TemplateEvent(
            "fieldservice.appointment",
            _("Visit appointment"),
            _("Your service appointment %(work_order)s"),
            _("%(technician)s will visit you for request %(number)s on %(window)s."),
            extra=(WORK_ORDER, TECHNICIAN, WINDOW),
        ),
        TemplateEvent(
            "fieldservice.reassigned",
            _("Visit given to another technician"),
            _("Your service appointment %(work_order)s has changed"),
            _("another technician, %(technician)s, will visit you for request %(number)s on %(window)s."),
            extra=(WORK_ORDER, TECHNICIAN, WINDOW),
        ),
        TemplateEvent(
            "fieldservice.on_the_way",
            _("Technician on the way"),
            _("Your technician is on the way (%(work_order)s)"),
            _("the technician for request %(number)s is on the way."),
            extra=(WORK_ORDER, WINDOW),
        ),
    )
}


def template_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def event_for(key: str) -> TemplateEvent | None:
    return EVENTS.get(key)


def has_subject(channel: str) -> bool:
    return channel in SUBJECT_CHANNELS


# --- Reply templates (agents' canned replies) ----------------------------------------------------

PRODUCT_MODEL = Placeholder(
    "product_model", "产品型号", "product_model", _("The ticket's product model"), "JSQ25-12 燃气热水器", "JSQ25-12 water heater"
)
AGENT_NAME = Placeholder("agent", "坐席姓名", "agent_name", _("Your own name (the agent sending the reply)"), "王芳", "Wang Fang")
REPLY_PLACEHOLDERS = (CUSTOMER_NAME, TICKET_NUMBER, DUE_TIME, PRODUCT_MODEL, AGENT_NAME)


LANGUAGE_LABELS = {"zh-hans": _("Chinese"), "en": _("English")}


def language_label(code: str) -> Any:
    return LANGUAGE_LABELS.get(code, code)


def channel_label(code: str) -> Any:
    return NotificationChannel(code).label if code in NotificationChannel.values else code
