"""The notifications an administrator may edit: each event, its channels, its placeholders and
its shipped text.

The shipped text is the message id the sending code uses (the same English msgid, so the same
translation): an event with no saved template sends exactly what it sent before templates
existed. Adding an event here makes it editable; its placeholders are the values the sending
code passes (``params`` plus the ticket's number, the customer's name and the resolution due
time), nothing else.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import NotificationChannel
from .template_catalogue import (
    AMOUNT,
    CARRIER,
    CODE,
    CUSTOMER_NAME,
    DIAGNOSIS,
    DUE_TIME,
    FAULT,
    FOLLOW,
    HOTLINE,
    ITEM,
    MESSAGE,
    METHOD,
    MINUTES,
    MISSING,
    POINTS,
    REASON,
    RETURN,
    STAFF_TICKET,
    SUBJECT_CHANNELS,
    TECHNICIAN,
    TICKET_NUMBER,
    TOTAL,
    TRACKING,
    VERDICT,
    VISIT,
    WINDOW,
    WORK_ORDER,
    Placeholder,
    TemplateEvent,
    _staff,
)
from .template_merge import MERGE_EVENTS
from .template_staff_events import STAFF_EVENTS

# The survey reminder's own value (feedback.sending passes it to the invitation too).
SURVEY_EXPIRES = Placeholder(
    "expires", "链接有效期至", "link_valid_until", _("When the survey link stops working"), "2026-12-07 10:00", "2026-12-07 10:00"
)

# The promised solution date (tickets.process.promise): in the reader's language, Asia/Shanghai.
PROMISED_DATE = Placeholder(
    "date", "承诺解决日期", "promised_date", _("The date (and time) by which it will be solved"), "2026年12月10日", "2026-12-10"
)
PREVIOUS_DATE = Placeholder(
    "previous", "原承诺日期", "previous_date", _("The date promised before"), "2026年12月8日", "2026-12-08"
)

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
            channels=(NotificationChannel.EMAIL, NotificationChannel.SMS, NotificationChannel.WECHAT),
            link_text=_("Follow your request here:"),
        ),
        TemplateEvent(
            "ticket_information_requested",
            _("Information requested"),
            _("We need more information for request %(number)s"),
            _(
                "to go on with request %(number)s we need the following from you: %(missing)s. "
                "Please answer on your service page (link below) or call %(hotline)s."
            ),
            link_text=_("See your request here:"),
            extra=(MISSING, HOTLINE),
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
            extra=(SURVEY_EXPIRES,),
        ),
        TemplateEvent(
            "survey_reminder",
            _("Satisfaction survey reminder"),
            _("Reminder: how did we do with request %(number)s?"),
            _("we have not heard from you about request %(number)s yet. Your opinion takes a minute and helps us improve."),
            link_text=_("Rate our service here:"),
            extra=(SURVEY_EXPIRES,),
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
        TemplateEvent(
            "fieldservice.rescheduled",
            _("Visit rescheduled"),
            _("Your service appointment %(work_order)s has changed"),
            _("the visit for request %(number)s is now on %(window)s."),
            extra=VISIT,
        ),
        TemplateEvent(
            "fieldservice.cancelled",
            _("Visit cancelled"),
            _("Service appointment %(work_order)s cancelled"),
            _("the visit for request %(number)s (%(window)s) is cancelled."),
            extra=VISIT,
        ),
        TemplateEvent(
            "fieldservice.quote",
            _("Quote for a chargeable visit"),
            _("Quote for your service %(work_order)s"),
            _(
                "the repair for request %(number)s is charged: the estimate is %(total)s yuan. Please answer the quote before the work starts."
            ),
            link_text=_("Review and confirm the quote here:"),
            extra=(*VISIT, TOTAL),
        ),
        TemplateEvent(
            "fieldservice.acceptance_code",
            _("Acceptance code"),
            _("Your acceptance code for %(work_order)s"),
            _(
                "if the work for request %(number)s is done to your satisfaction, give the technician this code: %(code)s (valid %(minutes)s minutes)."
            ),
            extra=(*VISIT, CODE, MINUTES),
        ),
        TemplateEvent(
            "returns.authorised",
            _("Return or exchange authorised"),
            _("Your %(kind)s %(rma)s is authorised"),
            _(
                "your %(kind)s for request %(number)s is authorised under the number %(rma)s. We will tell you how to send the product back."
            ),
            link_text=_("Follow your request:"),
            extra=RETURN,
        ),
        TemplateEvent(
            "returns.received",
            _("Returned product received"),
            _("We received your product (%(rma)s)"),
            _("we received the product of request %(number)s and will inspect it now."),
            link_text=_("Follow your request:"),
            extra=RETURN,
        ),
        TemplateEvent(
            "returns.inspection_failed",
            _("Returned product failed the inspection"),
            _("About your product (%(rma)s)"),
            _("the inspection of the product of request %(number)s found a problem; our agent will contact you."),
            link_text=_("Follow your request:"),
            extra=RETURN,
        ),
        TemplateEvent(
            "returns.inspected",
            _("Returned product passed the inspection"),
            _("Your product passed the inspection (%(rma)s)"),
            _("the product of request %(number)s passed the inspection."),
            link_text=_("Follow your request:"),
            extra=RETURN,
        ),
        TemplateEvent(
            "returns.replacement_shipped",
            _("Replacement shipped"),
            _("Your replacement is on its way (%(rma)s)"),
            _("your replacement product for request %(number)s was shipped by %(carrier)s, tracking number %(tracking)s."),
            link_text=_("Follow your request:"),
            extra=(*RETURN, CARRIER, TRACKING),
        ),
        TemplateEvent(
            "returns.completed",
            _("Return or exchange completed"),
            _("Your %(kind)s %(rma)s is completed"),
            _("your %(kind)s %(rma)s for request %(number)s is completed."),
            link_text=_("Follow your request:"),
            extra=RETURN,
        ),
        TemplateEvent(
            "returns.cancelled",
            _("Return or exchange cancelled"),
            _("Your %(kind)s %(rma)s is cancelled"),
            _("your %(kind)s %(rma)s for request %(number)s is cancelled: %(reason)s"),
            link_text=_("Follow your request:"),
            extra=(*RETURN, REASON),
        ),
        TemplateEvent(
            "refund_paid",
            _("Refund paid"),
            _("Your refund for request %(number)s"),
            _(
                "we have paid your refund of %(amount)s yuan for request %(number)s (%(method)s). It may take a few working days to arrive."
            ),
            link_text=FOLLOW,
            extra=(ITEM, AMOUNT, METHOD),
        ),
        TemplateEvent(
            "compensation_cash_issued",
            _("Compensation paid (cash)"),
            _("Your compensation for request %(number)s"),
            _("we have paid your compensation of %(amount)s yuan for request %(number)s."),
            link_text=FOLLOW,
            extra=(ITEM, AMOUNT),
        ),
        TemplateEvent(
            "compensation_coupon_issued",
            _("Compensation issued (coupon)"),
            _("Your compensation for request %(number)s"),
            _("your compensation for request %(number)s is ready: code %(code)s."),
            link_text=FOLLOW,
            extra=(ITEM, AMOUNT, CODE),
        ),
        TemplateEvent(
            "compensation_free_service_issued",
            _("Compensation issued (free service)"),
            _("Your compensation for request %(number)s"),
            _("your compensation for request %(number)s is ready: code %(code)s."),
            link_text=FOLLOW,
            extra=(ITEM, AMOUNT, CODE),
        ),
        TemplateEvent(
            "compensation_points_issued",
            _("Compensation issued (points)"),
            _("Your compensation for request %(number)s"),
            _("we have credited %(points)s points to your account for request %(number)s."),
            link_text=FOLLOW,
            extra=(ITEM, AMOUNT, POINTS),
        ),
        TemplateEvent(
            "compensation_gift_issued",
            _("Compensation issued (gift)"),
            _("Your compensation for request %(number)s"),
            _("your gift for request %(number)s has been sent out from our warehouse."),
            link_text=FOLLOW,
            extra=(ITEM, AMOUNT),
        ),
        TemplateEvent(
            "appraisal.result",
            _("Appraisal result"),
            _("Appraisal result for your request %(number)s"),
            _(
                "the appraisal of your product for request %(number)s is complete: %(fault)s; %(verdict)s. "
                "You may accept the result or ask for a re-appraisal"
            ),
            link_text=_("See the appraisal report and answer"),
            extra=(FAULT, VERDICT),
        ),
        TemplateEvent(
            "crisis.customer_notice",
            _("Crisis notice to customers"),
            _("Important notice about your product"),
            _("about your request %(number)s we would like to inform you: %(message)s"),
            extra=(MESSAGE,),
        ),
        TemplateEvent(
            "solution_date_promised",
            _("Solution date promised"),
            _("When request %(number)s will be solved"),
            _("we expect the problem of request %(number)s to be solved by %(date)s. Reason: %(reason)s"),
            link_text=FOLLOW,
            extra=(PROMISED_DATE, REASON),
        ),
        TemplateEvent(
            "solution_date_revised",
            _("Solution date revised"),
            _("New expected solution date for request %(number)s"),
            _("the expected solution date of request %(number)s has changed from %(previous)s to %(date)s. Reason: %(reason)s"),
            link_text=FOLLOW,
            extra=(PROMISED_DATE, PREVIOUS_DATE, REASON),
        ),
        *MERGE_EVENTS,
        # --- Staff (in-app) ---
        *STAFF_EVENTS,
        _staff(
            "solution_promise_overdue",
            _("Promised solution date passed"),
            _("Promised date passed: %(number)s"),
            _(
                "Ticket %(number)s was promised to be solved by %(date)s and is not resolved. "
                "Solve it or tell the customer a new date."
            ),
            STAFF_TICKET,
            PROMISED_DATE,
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
