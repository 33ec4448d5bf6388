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
from django.utils.functional import lazy
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

# Placeholders of the other customer messages.
TOTAL = Placeholder("total", "报价金额", "quote_total", _("The estimated charge in yuan"), "280.00", "280.00")
CODE = Placeholder("code", "验收码", "code", _("The code (acceptance code, coupon code)"), "482913", "482913")
MINUTES = Placeholder("minutes", "有效分钟", "minutes", _("For how many minutes the code is valid"), "30", "30")
RMA = Placeholder("rma", "退换货单号", "rma_number", _("The return or exchange number"), "RMA20261122-0001", "RMA20261122-0001")
RMA_KIND = Placeholder("kind", "退换类型", "rma_kind", _("Return or exchange"), "换货", "exchange")
CARRIER = Placeholder("carrier", "承运商", "carrier", _("The carrier"), "顺丰速运", "SF Express")
TRACKING = Placeholder("tracking", "运单号", "tracking_number", _("The tracking number"), "SF1234567890", "SF1234567890")
ITEM = Placeholder("item", "单号", "item_number", _("The refund's or compensation's number"), "RF000012", "RF000012")
AMOUNT = Placeholder("amount", "金额", "amount", _("The amount in yuan"), "199.00", "199.00")
METHOD = Placeholder("method", "退款方式", "refund_method", _("How the refund is paid"), "原路退回", "to the original payment")
POINTS = Placeholder("points", "积分", "points", _("The points credited"), "500", "500")
FAULT = Placeholder("fault", "故障类型", "fault_type", _("The appraised fault type"), "产品质量问题", "product defect")
VERDICT = Placeholder(
    "verdict", "鉴定结论", "verdict", _("The appraisal's conclusion"), "由厂家免费维修", "repaired free of charge by the maker"
)
MESSAGE = Placeholder(
    "message",
    "通知内容",
    "message",
    _("The notice written by the crisis team"),
    "请暂停使用该批次产品",
    "please stop using products of this batch",
)

# Placeholders of staff messages (the same value key may mean another thing per event).
STAFF_TICKET = Placeholder("number", "工单号", "ticket_number", _("The ticket number"), "SH20261122-000001", "SH20261122-000001")
TITLE = Placeholder("title", "工单标题", "ticket_title", _("The ticket's title"), "热水器不点火", "Water heater does not ignite")
FIRST_DUE = Placeholder(
    "due", "首次响应期限", "first_response_due", _("When the first response is due"), "2026-11-23", "2026-11-23"
)
NEW_ASSIGNEE = Placeholder("name", "新处理人", "new_assignee", _("Who the ticket went to"), "王芳", "Wang Fang")
APPROVAL_REASON = Placeholder(
    "reason", "审批规则", "approval_rules", _("The approval rules the plan matched"), "金额超过 2000 元", "amount over 2,000 yuan"
)
COMMENT = Placeholder("comment", "意见", "comment", _("The approver's comment"), "请先确认保修状态", "check the warranty first")
JOB = Placeholder("number", "派工单号", "work_order", _("The work order's number"), "WO20261122-000001", "WO20261122-000001")
VISIT_REASON = Placeholder("reason", "原因", "reason", _("The reason given"), "客户不在家", "the customer was not at home")
PART_NUMBER = Placeholder("number", "备件编号", "part_number", _("The part's number"), "P-10023", "P-10023")
PART = Placeholder("part", "备件名称", "part_name", _("The part's name"), "点火针", "ignition electrode")
WAREHOUSE = Placeholder("warehouse", "仓库", "warehouse", _("The warehouse"), "华东中心仓", "East China central warehouse")
AVAILABLE = Placeholder("available", "可用数量", "available", _("How many are available"), "2", "2")
MIN_LEVEL = Placeholder("min", "最低库存", "minimum_level", _("The minimum stock level"), "5", "5")
METRIC = Placeholder("metric", "时限项目", "metric", _("What the SLA clock measures"), "解决时限", "Resolution")
SLA_DUE = Placeholder("due", "到期时间", "due_time", _("When it is (was) due"), "2026-11-24 18:00", "2026-11-24 18:00")
REVISIT = Placeholder("code", "回访编号", "revisit_code", _("The revisit's code"), "RV000123", "RV000123")
REVISIT_CUSTOMER = Placeholder("customer", "客户姓名", "customer_name", _("The customer's name"), "赵敏", "Zhao Min")
CALLS = Placeholder("count", "呼叫次数", "calls", _("How many calls reached nobody"), "3", "3")
CRISIS = Placeholder("code", "危机编号", "crisis_code", _("The crisis's code"), "CR2026-007", "CR2026-007")
CRISIS_TITLE = Placeholder("title", "危机标题", "crisis_title", _("The crisis's title"), "JSQ25 批次漏气", "JSQ25 batch gas leak")
LEVEL = Placeholder("level", "级别", "level", _("The crisis level"), "二级", "Level 2")
INFORM_MINUTES = Placeholder("minutes", "通报时限", "inform_within_minutes", _("Minutes within which to inform"), "30", "30")
TEAM_ROLE = Placeholder("role", "职责", "role", _("The role in the response team"), "技术负责人", "technical lead")
ALERT_WHAT = Placeholder(
    "what", "预警对象", "alert_subject", _("What the alert is about"), "JSQ25-12 燃气热水器", "JSQ25-12 water heater"
)
ALERT_KIND = Placeholder("kind", "预警类型", "alert_kind", _("The alert's kind"), "安全", "Safety")
ALERT_COUNT = Placeholder("count", "工单数", "tickets", _("How many tickets"), "6", "6")

COMMON = (CUSTOMER_NAME, TICKET_NUMBER, DUE_TIME)


def _same(text: str) -> str:
    return text


# A shipped text that is only a value ("%(reason)s": the reason typed by the user) has nothing to
# translate; a lazy string all the same, so that it is formatted like the translated ones.
verbatim = lazy(_same, str)

CUSTOMER_CHANNELS = (
    NotificationChannel.EMAIL,
    NotificationChannel.SMS,
    NotificationChannel.WECHAT,
    NotificationChannel.IN_APP,
)
STAFF_CHANNELS = (NotificationChannel.IN_APP,)
SUBJECT_CHANNELS = frozenset({NotificationChannel.EMAIL, NotificationChannel.IN_APP})

CUSTOMER = "customer"
STAFF = "staff"


@dataclass(frozen=True)
class TemplateEvent:
    """An editable message. ``audience`` customer: greeted, sent by e-mail, SMS, WeChat and to
    the portal inbox, values ``placeholders`` (name, number, due) + ``extra``; staff: the
    in-app inbox, values ``extra`` only (the ``params`` the sending code passes)."""

    key: str
    label: Any
    subject: Any
    body: Any
    channels: tuple[str, ...] = CUSTOMER_CHANNELS
    placeholders: tuple[Placeholder, ...] = COMMON
    link_text: Any = ""
    extra: tuple[Placeholder, ...] = field(default=())
    audience: str = CUSTOMER

    @property
    def all_placeholders(self) -> tuple[Placeholder, ...]:
        return self.placeholders + self.extra

    @property
    def for_staff(self) -> bool:
        return self.audience == STAFF

    def samples(self, language: str) -> dict[str, str]:
        return {p.key: p.sample(language) for p in self.all_placeholders}


def _staff(key: str, label: Any, subject: Any, body: Any, *extra: Placeholder, link_text: Any = "") -> TemplateEvent:
    return TemplateEvent(
        key,
        label,
        subject,
        body,
        channels=STAFF_CHANNELS,
        placeholders=(),
        link_text=link_text or _("Open the ticket:"),
        extra=extra,
        audience=STAFF,
    )


VISIT = (WORK_ORDER, WINDOW)
RETURN = (RMA, RMA_KIND)
OPEN_IT = _("Open it here:")
OPEN_CRISIS = _("Open the crisis:")
FOLLOW = _("Follow your request here:")

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
                "the repair for request %(number)s is not covered by the warranty. Estimated charge: %(total)s CNY. Please confirm the quote before the work starts."
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
        # --- Staff (in-app) ---
        _staff(
            "ticket_assigned",
            _("Ticket assigned to you"),
            _("Ticket %(number)s was assigned to you"),
            _("%(title)s — please contact the customer; the first response is due %(due)s."),
            STAFF_TICKET,
            TITLE,
            FIRST_DUE,
        ),
        _staff(
            "ticket_reassigned",
            _("Your ticket given to someone else"),
            _("Ticket %(number)s was reassigned to %(name)s"),
            verbatim("%(title)s"),
            STAFF_TICKET,
            TITLE,
            NEW_ASSIGNEE,
        ),
        _staff(
            "ticket_unassigned",
            _("Your ticket put back in the queue"),
            _("Ticket %(number)s was put back in the unassigned queue"),
            verbatim("%(title)s"),
            STAFF_TICKET,
            TITLE,
        ),
        _staff(
            "plan_approval_requested",
            _("Plan approval requested"),
            _("Approval needed: plan for %(number)s"),
            _("The plan for ticket %(number)s needs your approval (%(reason)s)."),
            STAFF_TICKET,
            APPROVAL_REASON,
        ),
        _staff(
            "plan_approval_refused",
            _("Plan refused"),
            _("Plan for %(number)s refused"),
            _("The plan for ticket %(number)s was refused: %(comment)s"),
            STAFF_TICKET,
            COMMENT,
        ),
        _staff(
            "sla_warning",
            _("SLA warning"),
            _("SLA warning: %(number)s"),
            _("Ticket %(number)s: %(metric)s is due at %(due)s."),
            STAFF_TICKET,
            METRIC,
            SLA_DUE,
        ),
        _staff(
            "sla_breached",
            _("SLA breached"),
            _("SLA breached: %(number)s"),
            _("Ticket %(number)s: %(metric)s was due at %(due)s and is overdue. The ticket is escalated."),
            STAFF_TICKET,
            METRIC,
            SLA_DUE,
        ),
        _staff(
            "sla_escalated",
            _("SLA escalation"),
            _("SLA escalation: %(number)s"),
            _("Ticket %(number)s: %(metric)s has been overdue since %(due)s and still is. Please step in."),
            STAFF_TICKET,
            METRIC,
            SLA_DUE,
        ),
        _staff(
            "fieldservice.job.new",
            _("New job for the technician"),
            _("New job %(number)s"),
            _("Work order %(number)s, appointment %(window)s."),
            JOB,
            WINDOW,
            link_text=_("Open the job:"),
        ),
        _staff(
            "fieldservice.job.reassigned",
            _("Job given to a colleague"),
            _("Job %(number)s reassigned"),
            _("Work order %(number)s was given to a colleague."),
            JOB,
            WINDOW,
            link_text=_("Open the job:"),
        ),
        _staff(
            "fieldservice.job.rescheduled",
            _("Job rescheduled by the dispatcher"),
            _("Job %(number)s rescheduled"),
            _("New appointment %(window)s. Please accept it again."),
            JOB,
            WINDOW,
            link_text=_("Open the job:"),
        ),
        _staff(
            "fieldservice.job.cancelled",
            _("Job cancelled"),
            _("Job %(number)s cancelled"),
            verbatim("%(reason)s"),
            JOB,
            WINDOW,
            VISIT_REASON,
            link_text=_("Open the job:"),
        ),
        _staff(
            "fieldservice.job.quote_confirmed",
            _("Quote confirmed by the customer"),
            _("Quote confirmed for %(number)s"),
            _("The customer confirmed the quote; you can start the work."),
            JOB,
            WINDOW,
            link_text=_("Open the job:"),
        ),
        _staff(
            "fieldservice.failed",
            _("Visit failed"),
            _("Job %(number)s failed"),
            verbatim("%(reason)s"),
            JOB,
            VISIT_REASON,
        ),
        _staff(
            "returns.inspection_failed.staff",
            _("Inspection failed (staff)"),
            _("Inspection failed: %(rma)s"),
            _("The inspection of %(rma)s (request %(number)s) failed: %(reason)s"),
            STAFF_TICKET,
            RMA,
            VISIT_REASON,
        ),
        *(
            _staff(
                f"{what}_awaiting_approval",
                label,
                _("Approval needed: %(item)s"),
                _("%(item)s for ticket %(number)s (%(amount)s) needs your approval."),
                ITEM,
                STAFF_TICKET,
                AMOUNT,
                link_text=OPEN_IT,
            )
            for what, label in (("refund", _("Refund to approve")), ("compensation", _("Compensation to approve")))
        ),
        *(
            _staff(
                f"{what}_approved",
                label,
                _("To fulfil: %(item)s"),
                _("%(item)s for ticket %(number)s (%(amount)s) is approved and waits for you."),
                ITEM,
                STAFF_TICKET,
                AMOUNT,
                link_text=OPEN_IT,
            )
            for what, label in (("refund", _("Refund to pay")), ("compensation", _("Compensation to issue")))
        ),
        *(
            _staff(
                f"{what}_refused",
                label,
                _("Refused: %(item)s"),
                _("%(item)s for ticket %(number)s was refused: %(comment)s"),
                ITEM,
                STAFF_TICKET,
                COMMENT,
                link_text=OPEN_IT,
            )
            for what, label in (("refund", _("Refund refused")), ("compensation", _("Compensation refused")))
        ),
        _staff(
            "parts_low_stock",
            _("Low stock"),
            _("Low stock: %(part)s at %(warehouse)s"),
            _("%(number)s %(part)s at %(warehouse)s: %(available)d available, minimum level %(min)d."),
            PART_NUMBER,
            PART,
            WAREHOUSE,
            AVAILABLE,
            MIN_LEVEL,
        ),
        _staff(
            "revisit_escalated",
            _("Revisit escalated: customer not reached"),
            _("Revisit %(code)s escalated: %(customer)s"),
            _("%(customer)s was not reached in %(count)s calls: please take the revisit over."),
            REVISIT,
            REVISIT_CUSTOMER,
            CALLS,
            link_text=_("Open the revisit:"),
        ),
        _staff(
            "revisit_escalated.wrong_number",
            _("Revisit escalated: wrong number"),
            _("Revisit %(code)s escalated: %(customer)s"),
            _("The phone number of %(customer)s is wrong: please find the right one and call."),
            REVISIT,
            REVISIT_CUSTOMER,
            CALLS,
            link_text=_("Open the revisit:"),
        ),
        _staff(
            "crisis.level",
            _("Crisis opened at a level"),
            _("Crisis %(code)s: level %(level)s"),
            _("%(title)s is a level %(level)s crisis; inform within %(minutes)s minutes."),
            CRISIS,
            LEVEL,
            CRISIS_TITLE,
            INFORM_MINUTES,
            link_text=OPEN_CRISIS,
        ),
        _staff(
            "crisis.member",
            _("Added to a crisis team"),
            _("You are on the response team of crisis %(code)s"),
            _("Your role in %(title)s: %(role)s."),
            CRISIS,
            CRISIS_TITLE,
            TEAM_ROLE,
            link_text=OPEN_CRISIS,
        ),
        _staff(
            "crisis.technician",
            _("Assigned to a crisis as technician"),
            _("You are assigned to crisis %(code)s"),
            _("You are assigned to %(title)s as a technician."),
            CRISIS,
            CRISIS_TITLE,
            link_text=OPEN_CRISIS,
        ),
        _staff(
            "crisis.alert_opened",
            _("Crisis alert opened"),
            _("Crisis alert: %(what)s"),
            _("The detector opened an alert (%(kind)s) on %(what)s with %(count)s tickets; confirm or dismiss it."),
            ALERT_WHAT,
            ALERT_KIND,
            ALERT_COUNT,
            link_text=_("Open the alert:"),
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
