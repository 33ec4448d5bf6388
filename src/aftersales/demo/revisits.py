"""The revisits demo: revisit policies and revisits in every state (issue 16).

The policies (key ≤ 6 months, long-term ≤ 12 months, a repair revisited 7 days after closing)
come with the app's migration. The scheduler runs once over the demo's closed repairs; then the
demo agent gets one key or long-term customer's revisit in each state: due soon, overdue, done
(reached, with ratings and NPS and a complaint about staff), not reached once, escalated after
three unreached calls, and one whose call raised a new ticket. Idempotent: a second run changes
nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import Role, User
from aftersales.core import clock
from aftersales.customers.models import Customer, CustomerTier
from aftersales.revisits.models import Revisit
from aftersales.revisits.services import CallInput, revisit_create, revisit_record_call, revisits_schedule

# (days from today the revisit is due, the calls recorded on it)
STORIES: list[tuple[int, list[CallInput]]] = [
    (5, []),  # due soon
    (-12, []),  # overdue
    (
        -3,
        [
            CallInput(
                outcome="reached",
                overall=5,
                speed=4,
                attitude=5,
                professionalism=5,
                result=5,
                nps=9,
                comment="客户对空调使用情况满意，提醒每月清洗滤网。",
            )
        ],
    ),
    (-1, [CallInput(outcome="not_reached", comment="无人接听。")]),
    (-20, [CallInput(outcome="not_reached"), CallInput(outcome="not_reached"), CallInput(outcome="not_reached")]),
    (
        -2,
        [
            CallInput(
                outcome="reached",
                overall=3,
                attitude=2,
                nps=5,
                new_problem="回访时客户反映：洗衣机脱水时噪音很大，机身晃动。",
                new_problem_type="repair",
                comment="客户同意登记新的报修。",
            )
        ],
    ),
]


def _user(role: str, username: str) -> User | None:
    return User.objects.filter(username=username).first() or User.objects.filter(role=role, is_active=True).order_by("pk").first()


def load_revisits_demo(out: Any) -> None:
    """Idempotent: a second run changes nothing."""
    if Revisit.objects.exists():
        out.write(_("The revisits demo is already loaded; nothing was changed."))
        return
    agent = _user(Role.AGENT, "agent")
    technician = _user(Role.TECHNICIAN, "technician")
    if agent is None:
        out.write(_("No staff yet: load the demo data first."))
        return
    scheduled = revisits_schedule().created
    taken = set(Revisit.objects.values_list("customer_id", flat=True))
    customers = list(
        Customer.objects.filter(tier__in=[CustomerTier.KEY, CustomerTier.LONG_TERM], consent_contact=True, erased_at__isnull=True)
        .exclude(phone="")
        .exclude(pk__in=taken)
        .order_by("pk")
    )
    customers.sort(key=lambda c: (c.region_id != agent.region_id, c.pk))  # the agent's region first
    today = clock.local_today()
    with transaction.atomic():
        for customer, (days, calls) in zip(customers, STORIES, strict=False):
            revisit = revisit_create(customer=customer, due_date=today + dt.timedelta(days=days), assignee=agent, actor=agent)
            for number, data in enumerate(calls):
                if number == 0 and data.overall == 5 and technician is not None:
                    data = CallInput(
                        **{**data.__dict__, "complaint": "技师上门前没有提前电话联系。", "complaint_staff_id": technician.pk}
                    )
                revisit_record_call(revisit=Revisit.objects.get(pk=revisit.pk), actor=agent, data=data)
    out.write(
        _("Revisits: %(count)d in every state for the demo agent, %(scheduled)d created by the scheduler.")
        % {"count": min(len(customers), len(STORIES)), "scheduled": scheduled}
    )
