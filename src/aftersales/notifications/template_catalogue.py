"""What the editable notification texts are made of: the placeholders (each with its Chinese and
English name and a sample), the channels per audience and the ``TemplateEvent`` declaration.
The events themselves: ``template_events`` (customers) and ``template_staff_events`` (staff)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

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
HOTLINE = Placeholder(
    "hotline",
    "客服热线",
    "service_hotline",
    _("The service hotline (setting SERVICE_HOTLINE), else the words “our service hotline”"),
    "400-820-8820",
    "400-820-8820",
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
MESSAGE_EXCERPT = Placeholder(
    "excerpt",
    "留言摘要",
    "message_excerpt",
    _("The start of the customer's message (at most 120 characters)"),
    "热水器还是打不着火，师傅什么时候能来",
    "the water heater still does not ignite, when can the technician come",
)

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
