"""The service-outlet demo: one authorised third-party outlet (徐汇授权服务网点) with its team — the
leader 周海 ("outlet", the outlet's dispatcher, who confirms its statements) and the technician
吴磊 —, two jobs of demo tickets done by them and accepted by the customer, and this month's
settlement statement drafted — all through the outlets' and field service's services, so the
audit log tells the story. Idempotent: when the outlet exists it says so and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.accounts.models import DataScope, OutletKind, Region, Role, ServiceOutlet, Team, User
from aftersales.core import clock
from aftersales.core.errors import DomainError
from aftersales.fieldservice.models import Skill, TechnicianProfile
from aftersales.notifications.models import Notification, NotificationStatus
from aftersales.outlets import services
from aftersales.tickets.selectors import tickets_with_intake_key_prefix

from .fieldservice import _candidates, _make, _window
from .stories import KEY_PREFIX

OUTLET_CODE = "xuhui-authorised"
LEADER_USERNAME = "outlet"
LEADER_PASSWORD = "outlet-demo-2026"  # noqa: S105 - the demo login, like demo.builders.DEMO_LOGINS
PEOPLE = ((LEADER_USERNAME, "周海"), ("outlet.tech", "吴磊"))


def _technician(username: str, name: str, *, team: Team, region: Region | None) -> User:
    user = User(
        username=username,
        display_name=name,
        email=f"{username.replace('.', '-')}@example.com",
        role=Role.TECHNICIAN,
        data_scope=DataScope.OWN,
        team=team,
        region=region,
        language="zh-hans",
    )
    user.set_password(LEADER_PASSWORD if username == LEADER_USERNAME else None)
    user.save()
    profile = TechnicianProfile.objects.create(user=user, daily_capacity=4)
    profile.skills.set(Skill.objects.filter(active=True))
    if region is not None:
        profile.regions.set([region])
    return user


def load_outlets_demo(stdout: Any) -> None:
    if ServiceOutlet.objects.filter(code=OUTLET_CODE).exists():
        stdout.write(_("The service-outlet demo is already loaded; nothing was changed.") + "\n")
        return
    admin = User.objects.filter(role=Role.ADMINISTRATOR, is_active=True).order_by("id").first()
    if admin is None:
        return
    region = Region.objects.filter(code="east").first() or Region.objects.order_by("code").first()
    with transaction.atomic():
        team = Team.objects.create(name="徐汇授权网点维修组", region=region)
        leader, helper = (_technician(u, n, team=team, region=region) for u, n in PEOPLE)
        team.leader = leader
        team.save(update_fields=["leader"])
        outlet = services.outlet_create(
            actor=admin,
            data=services.OutletInput(
                code=OUTLET_CODE,
                name="徐汇授权服务网点",
                kind=OutletKind.AUTHORISED,
                company="上海徐汇安居家电维修服务有限公司",
                contact_name="周海",
                phone="021-64381234",
                email="service@xuhui-anju.example.com",
                province="上海市",
                city="上海市",
                district="徐汇区",
                address="漕溪北路 398 号 1 楼",
                regions=[region] if region is not None else [],
                team=team,
                call_out_fee=Decimal("50.00"),
                labour_rate=Decimal("80.00"),
                travel_rate=Decimal("1.50"),
                repeat_penalty=Decimal("100.00"),
                contract_from=dt.date(clock.local_today().year - 1, 1, 1),
                contract_until=dt.date(clock.local_today().year + 1, 12, 31),
            ),
        )
    made = 0
    free = [m for m in _candidates() if not m.work_orders.exists()]  # the field-service demo's have theirs
    for measure, tech in zip(free[-2:], (leader, helper), strict=False):
        try:
            with transaction.atomic():
                _make(measure=measure, boss=admin, tech=tech, target="customer_accepted", window=_window(-1, 10 + made * 4))
            made += 1
        except DomainError as exc:
            stdout.write(_("Service outlets: skipped a ticket (%(reason)s).") % {"reason": exc} + "\n")
    # Demo customers are invented but their numbers look real: never message them.
    Notification.objects.filter(ticket__in=tickets_with_intake_key_prefix(KEY_PREFIX), status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SKIPPED, last_error="demo data: not sent"
    )
    with transaction.atomic():
        drafted = services.settlement_draft(outlet=outlet, actor=admin, period_start=clock.local_today())
    statement = drafted.settlement
    stdout.write(
        _(
            "Service outlets: “%(outlet)s” with %(count)d jobs accepted this month, statement %(number)s drafted; "
            "its leader signs in as “%(username)s” / “%(password)s”."
        )
        % {
            "outlet": outlet.name,
            "count": made,
            "number": statement.number if statement else "—",
            "username": LEADER_USERNAME,
            "password": LEADER_PASSWORD,
        }
        + "\n"
    )
