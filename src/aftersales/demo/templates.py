"""The templates demo: reply templates for the agents in Chinese and English, and one edited
notification template (the technician-on-the-way SMS in Chinese, version 1) (issue 16)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.notifications.models import NotificationTemplate, ReplyTemplate
from aftersales.notifications.template_services import (
    ReplyTemplateInput,
    notification_template_save,
    reply_template_create,
)

# (language, category, title, text)
REPLIES: list[tuple[str, str, str, str]] = [
    (
        "zh-hans",
        "受理",
        "已受理，告知预计完成时间",
        "{客户姓名}您好，您的服务申请（工单号 {工单号}）已受理，我们预计在 {预计完成时间} 前处理完毕。如有新的情况，请随时回复本消息或致电客服热线。——{坐席姓名}",
    ),
    (
        "zh-hans",
        "延误",
        "处理延误致歉",
        "{客户姓名}您好，非常抱歉，工单 {工单号} 的处理比预期慢。我们正在加紧协调配件和技师，新的预计完成时间为 {预计完成时间}。给您带来不便，敬请谅解。——{坐席姓名}",
    ),
    (
        "zh-hans",
        "资料",
        "请补充购买凭证",
        "{客户姓名}您好，为了确认 {产品型号} 的保修状态，请回复本消息并附上购买发票或收据的照片（工单号 {工单号}）。谢谢配合！——{坐席姓名}",
    ),
    (
        "en",
        "Intake",
        "Received, with the expected completion",
        "Dear {customer_name}, we have received your request (ticket {ticket_number}) and expect to resolve it by {due_time}. Reply to this message or call our hotline if anything changes. — {agent_name}",
    ),
    (
        "en",
        "Delays",
        "Apology for a delay",
        "Dear {customer_name}, we are sorry that ticket {ticket_number} is taking longer than planned. We are arranging the parts and a technician; the new expected completion is {due_time}. — {agent_name}",
    ),
]

EDITED_SMS = (
    "fieldservice.on_the_way",
    "sms",
    "zh-hans",
    "技师已出发前往您处（工单 {工单号}，派工单 {派工单号}），预约时间 {预约时间}，请保持电话畅通。",
)


def load_templates_demo(out: Any) -> None:
    """Idempotent: a second run changes nothing."""
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("pk").first()
    supervisor = User.objects.filter(role=Role.SUPERVISOR, is_active=True).order_by("pk").first() or admin
    if admin is None or supervisor is None:
        out.write(_("No staff yet: load the demo data first."))
        return
    with transaction.atomic():
        added = 0
        for language, category, title, body in REPLIES:
            if ReplyTemplate.objects.filter(language=language, title=title).exists():
                continue
            reply_template_create(
                actor=supervisor, data=ReplyTemplateInput(title=title, language=language, body=body, category=category)
            )
            added += 1
        event, channel, language, body = EDITED_SMS
        if not NotificationTemplate.objects.filter(event=event, channel=channel, language=language).exists():
            notification_template_save(actor=admin, event=event, channel=channel, language=language, subject="", body=body)
            added += 1
    if added:
        out.write(_("Templates: %(count)d reply templates and edited notification templates added.") % {"count": added})
    else:
        out.write(_("The templates demo is already loaded; nothing was changed."))
