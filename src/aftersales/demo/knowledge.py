"""The knowledge base demo: published FAQ, troubleshooting and installation articles in Chinese
and English (translations linked) for the demo's product models, an article waiting in review,
and an internal repair note; written by the agent and the technician, approved by quality."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.catalog.models import ProductCategory, ProductModel
from aftersales.knowledge.models import Article, ArticleKind
from aftersales.knowledge.services import ArticleInput, article_approve, article_create, article_submit
from aftersales.tickets.models import TicketCategory

K = ArticleKind

# (kind, customer-visible, model numbers, category codes, fault category codes,
#  (Chinese title, text, keywords), (English title, text, keywords) or None)
ARTICLES: list[tuple[str, bool, list[str], list[str], list[str], tuple[str, str, str], tuple[str, str, str] | None]] = [
    (
        K.TROUBLESHOOTING,
        True,
        ["KFR-35GW/BP3DN8Y", "KFR-26GW/BP3DN1Y", "KFR-72LW/BP2DN1Y"],
        ["air-conditioner"],
        ["product_quality"],
        (
            "空调室内机漏水怎么办",
            "1. 检查排水管是否弯折、堵塞，出水口是否高于排水管。\n2. 检查室内机是否水平安装，向出水侧略低。\n3. 清洗滤网和蒸发器，脏堵会造成凝结水外溢。\n以上处理后仍漏水，请提交报修，技师上门检查。",
            "漏水, 滴水, 排水管, 流水",
        ),
        (
            "The indoor unit leaks water",
            "1. Check that the drain pipe is not kinked or blocked and runs downhill.\n2. Check that the indoor unit hangs level, slightly lower on the drain side.\n3. Clean the filter and the evaporator: dirt makes condensate overflow.\nStill leaking? Submit a repair request and a technician will come.",
            "leak, leaks, dripping, drain",
        ),
    ),
    (
        K.FAQ,
        True,
        [],
        ["air-conditioner"],
        [],
        (
            "空调不制冷的常见原因",
            "请确认模式为制冷、设定温度低于室温；滤网脏堵或室外机通风不良都会影响制冷。若室外机不启动或显示故障代码，请报修。",
            "不制冷, 制冷效果差, 不凉",
        ),
        (
            "Why the air conditioner does not cool",
            "Check that the mode is Cool and the set temperature is below the room's; a dirty filter or a blocked outdoor unit reduce cooling. If the outdoor unit does not start or shows an error code, request a repair.",
            "not cooling, no cooling, warm air",
        ),
    ),
    (
        K.INSTALLATION,
        True,
        ["XQG100-B14596"],
        ["washing-machine"],
        [],
        (
            "滚筒洗衣机安装指南",
            "1. 拆除底部运输螺栓（共4个），装上防护盖。\n2. 调节底脚使机器水平。\n3. 连接进水管并检查是否渗漏；排水管高度不超过1米。\n未拆运输螺栓会导致剧烈振动和异响。",
            "安装, 运输螺栓, 振动, 异响",
        ),
        (
            "Installing the front-loading washing machine",
            "1. Remove the four transport bolts at the back and fit the covers.\n2. Level the machine with its feet.\n3. Connect the inlet hose and check for leaks; keep the drain hose below 1 m.\nA machine with its transport bolts in shakes hard and is noisy.",
            "install, transport bolts, vibration, noise",
        ),
    ),
    (
        K.TROUBLESHOOTING,
        True,
        ["BCD-520WKPZM", "BCD-406WPCX"],
        ["refrigerator"],
        ["product_quality"],
        (
            "冰箱冷藏室结冰或不制冷",
            "检查门封是否密合、食物是否堵住出风口；温控设置是否过低。断电24小时化霜后仍异常，请报修。",
            "结冰, 不制冷, 结霜, 冰箱不冷",
        ),
        None,
    ),
    (
        K.FAQ,
        True,
        ["F6030-JA5"],
        ["water-heater"],
        [],
        (
            "电热水器漏电保护跳闸怎么办",
            "请先断开电源，不要带电操作。漏电保护插头跳闸多为受潮或加热管故障，请勿反复复位，立即报修，技师将上门检测。",
            "跳闸, 漏电, 插头",
        ),
        (
            "The water heater's leakage protection trips",
            "Switch the power off first and do not work on it live. Tripping usually means moisture or a faulty heating element: do not reset it again and again; request a repair and a technician will test it.",
            "trips, tripping, leakage",
        ),
    ),
]

# An internal repair note (technicians only) and an article waiting for review.
INTERNAL = (
    K.SOLUTION,
    ["KFR-35GW/BP3DN8Y"],
    ["air-conditioner"],
    ["product_quality"],
    "E1故障代码：室内外机通讯故障的维修步骤",
    "1. 断电5分钟后重新上电，确认是否复现。\n2. 检查室内外机连接线接线端子是否松动、氧化。\n3. 测量通讯线电压（正常在0–24V间跳变）。\n4. 仍异常则更换室外机电脑板（备件：电脑板）。",
    "e1, 通讯故障, 电脑板",
)
IN_REVIEW = (
    K.FAQ,
    ["MRO1892-600G"],
    ["water-purifier"],
    "净水器多久更换一次滤芯",
    "PP棉滤芯建议6个月更换，活性炭滤芯12个月，RO膜24个月；水质较差地区适当缩短。",
    "滤芯, 更换",
)


def _user(role: str, username: str = "") -> User | None:
    qs = User.objects.filter(role=role, is_active=True)
    return (qs.filter(username=username).first() if username else None) or qs.order_by("pk").first()


def _ids(model: Any, codes: list[str]) -> list[int]:
    return list(model.objects.filter(code__in=codes).values_list("pk", flat=True))


def _publish(author: User, approver: User, data: ArticleInput) -> Article:
    article = article_create(actor=author, data=data)
    article = article_submit(article=article, actor=author, expected_version=article.version)
    return article_approve(article=article, actor=approver, expected_version=article.version)


def load_knowledge_demo(stdout: Any) -> None:
    if Article.objects.exists():
        stdout.write(_("The knowledge base demo is already loaded; nothing was changed."))
        return
    agent = _user(Role.AGENT, "agent")
    technician = _user(Role.TECHNICIAN, "technician")
    quality = _user(Role.QUALITY_MANAGER, "quality-1") or _user(Role.SUPERVISOR, "supervisor")
    if agent is None or technician is None or quality is None:
        stdout.write(_("No staff yet: load the demo data first."))
        return
    with transaction.atomic():
        count = 0
        for kind, visible, models, categories, faults, zh, en in ARTICLES:
            links = {
                "product_model_ids": _ids(ProductModel, models),
                "product_category_ids": _ids(ProductCategory, categories),
                "fault_category_ids": _ids(TicketCategory, faults),
            }
            title, body, keywords = zh
            original = _publish(
                agent,
                quality,
                ArticleInput(
                    kind=kind, language="zh-hans", title=title, body=body, keywords=keywords, customer_visible=visible, **links
                ),
            )
            count += 1
            if en is not None:
                title, body, keywords = en
                _publish(
                    agent,
                    quality,
                    ArticleInput(
                        kind=kind,
                        language="en",
                        title=title,
                        body=body,
                        keywords=keywords,
                        customer_visible=visible,
                        translation_of_id=original.pk,
                        **links,
                    ),
                )
                count += 1
        kind, models, categories, faults, title, body, keywords = INTERNAL
        _publish(
            technician,
            quality,
            ArticleInput(
                kind=kind,
                language="zh-hans",
                title=title,
                body=body,
                keywords=keywords,
                customer_visible=False,
                product_model_ids=_ids(ProductModel, models),
                product_category_ids=_ids(ProductCategory, categories),
                fault_category_ids=_ids(TicketCategory, faults),
            ),
        )
        kind, models, categories, title, body, keywords = IN_REVIEW
        waiting = article_create(
            actor=agent,
            data=ArticleInput(
                kind=kind,
                language="zh-hans",
                title=title,
                body=body,
                keywords=keywords,
                customer_visible=True,
                product_model_ids=_ids(ProductModel, models),
                product_category_ids=_ids(ProductCategory, categories),
            ),
        )
        article_submit(article=waiting, actor=agent, expected_version=waiting.version)
    stdout.write(_("Knowledge base: %(count)d published articles, one internal, one in review.") % {"count": count + 1})
