"""The 三包 remedies demo: policies for a few demo product categories (main components with
their own 36-month period; water purifiers excluded from the online return without reason) and
remedy decisions on some open demo tickets with a unit — the engine's proposal followed, and
one deviation with its reason — all through ``remedies.services.remedy_decide``, so the
timeline and the audit log tell it. Idempotent: when any decision exists it changes nothing."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.catalog.models import ProductCategory
from aftersales.remedies.choices import Remedy
from aftersales.remedies.models import ComponentPeriod, RemedyDecision, RemedyPolicy
from aftersales.remedies.permissions import may_decide
from aftersales.remedies.selectors import ticket_proposal, user_sees_ticket
from aftersales.remedies.services import remedy_decide
from aftersales.tickets.models import Ticket
from aftersales.tickets.states import FINAL_STATUSES

# category code → (components with their months, excluded from the online return, note)
POLICIES: dict[str, tuple[dict[str, int], bool, str]] = {
    "air-conditioner": ({"压缩机": 36}, False, "家用空调：整机 1 年，压缩机 3 年（三包规定）。"),
    "refrigerator": ({"压缩机": 36}, False, "冰箱：整机 1 年，压缩机 3 年（三包规定）。"),
    "washing-machine": ({"电机": 36}, False, "洗衣机：整机 1 年，电机 3 年（三包规定）。"),
    "range-hood": ({"电机": 36}, False, "油烟机：整机 1 年，电机 3 年。"),
    "water-purifier": ({}, True, "净水器滤芯拆封后不适用七日无理由退货。"),
}


def load_policies() -> int:
    made = 0
    for code, (components, excluded, note) in POLICIES.items():
        category = ProductCategory.objects.filter(code=code).first()
        if category is None:
            continue
        policy, created = RemedyPolicy.objects.get_or_create(
            category=category, defaults={"online_return_excluded": excluded, "note": note}
        )
        made += int(created)
        for component, months in components.items():
            ComponentPeriod.objects.get_or_create(policy=policy, component=component, defaults={"months": months})
    return made


def _actor(ticket: Ticket, boss: User) -> User:
    assignee = ticket.assignee
    if assignee is not None and may_decide(assignee) and user_sees_ticket(user=assignee, ticket=ticket):
        return assignee
    return boss


@transaction.atomic
def load_remedies_demo(stdout: Any) -> None:
    policies = load_policies()
    if RemedyDecision.objects.exists():
        stdout.write(_("Remedies demo already loaded; nothing changed.") + "\n")
        return
    boss = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("id").first()
    if boss is None:
        return
    tickets = list(
        Ticket.objects.exclude(status__in=FINAL_STATUSES)
        .filter(product_unit__isnull=False)
        .select_related("product_unit__model__category", "assignee")
        .order_by("created_at")[:6]
    )
    decisions = 0
    for index, ticket in enumerate(tickets):
        proposal = ticket_proposal(ticket=ticket)
        if index == len(tickets) - 1 and Remedy.EXCHANGE not in proposal.remedies:
            # A goodwill exchange beyond what the rules give, with the agent's reason.
            remedy_decide(
                ticket=ticket,
                actor=_actor(ticket, boss),
                remedy=Remedy.EXCHANGE,
                reason="老客户，第三次报修同一问题，经主管同意按换货处理以维护客户关系。",
            )
        else:
            remedy_decide(ticket=ticket, actor=_actor(ticket, boss), remedy=proposal.remedies[0])
        decisions += 1
    stdout.write(
        _("Remedies demo: %(policies)d category policies, %(decisions)d remedy decisions.")
        % {"policies": policies, "decisions": decisions}
        + "\n"
    )
