"""Shared steps of the appraisal tests: a ticket with a unit, the people, an appraisal walked to
any status."""

from __future__ import annotations

import itertools
from typing import Any

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.appraisal import services
from aftersales.appraisal.choices import FaultType
from aftersales.appraisal.models import Appraisal, AppraisalPlace, AppraisalStatus
from aftersales.customers.models import Customer
from aftersales.tickets.choices import Cause, Nature, Responsibility, Severity
from aftersales.tickets.models import Ticket
from tests.factories import CustomerFactory, ProductUnitFactory, RegionFactory, UserFactory, make_ticket
from tests.fieldservice.helpers import photo, png_bytes  # noqa: F401  (re-exported for the tests)

A = AppraisalStatus


def agent(**kwargs: Any) -> User:
    return UserFactory(role=Role.AGENT, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def appraiser(**kwargs: Any) -> User:
    return UserFactory(role=Role.APPRAISER, data_scope=kwargs.pop("data_scope", DataScope.ALL), **kwargs)


def customer_user(customer: Customer) -> User:
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, username=f"cust{customer.pk}")
    customer.user = user
    customer.save(update_fields=["user"])
    return user


_phones = itertools.count(1)


def ticket_with_unit(*, actor: User | None = None, region: Region | None = None, **extra: Any) -> Ticket:
    """A ticket of its own customer (a phone of its own) about a unit of batch B20260301."""
    unit = ProductUnitFactory(batch="B20260301")
    extra.setdefault("phone", f"1391234{next(_phones):04d}")
    return make_ticket(actor=actor, region=region or RegionFactory(code="east"), serial_number=unit.serial_number, **extra)


def full_report(**overrides: Any) -> services.ReportInput:
    values: dict[str, Any] = {
        "symptom": "压缩机不启动，外机无声音。",
        "tests": [
            {"name": "绝缘电阻", "reading": "50 MΩ", "expected": "≥ 2 MΩ"},
            {"name": "启动电流", "reading": "0 A", "expected": "6–8 A"},
        ],
        "findings": "启动电容击穿。",
        "fault_type": FaultType.PERFORMANCE,
        "nature": Nature.QUALITY,
        "severity": Severity.GENERAL,
        "cause": Cause.MATERIALS,
        "component_text": "启动电容",
        "responsibility": Responsibility.SUPPLIER,
        "supplier": "宁波电容厂",
        "sanbao_applies": True,
    }
    values.update(overrides)
    return services.ReportInput(**values)


def walk(
    *, to: str, ticket: Ticket | None = None, requester: User | None = None, who: User | None = None, **report: Any
) -> Appraisal:
    """An appraisal of ``ticket`` walked to ``to`` (requested … signed, accepted, reappraisal)."""
    requester = requester or agent()
    ticket = ticket or ticket_with_unit(actor=requester)
    who = who or appraiser()
    appraisal = services.appraisal_request(ticket=ticket, actor=requester, place=AppraisalPlace.OUTLET, note="请鉴定")
    if to == A.REQUESTED:
        return appraisal
    appraisal = services.appraisal_assign(appraisal=appraisal, actor=requester, appraiser=who)
    if to == A.ASSIGNED:
        return appraisal
    appraisal = services.appraisal_start(appraisal=appraisal, actor=who)
    if to == A.IN_PROGRESS:
        return appraisal
    appraisal = services.appraisal_record_report(appraisal=appraisal, actor=who, report=full_report(**report))
    if to == A.REPORTED:
        return appraisal
    appraisal = services.appraisal_sign(appraisal=appraisal, actor=who)
    if to == A.SIGNED:
        return appraisal
    if to in (A.ACCEPTED, A.REAPPRAISAL):
        decision = "accepted" if to == A.ACCEPTED else "reappraisal"
        return services.appraisal_answer(
            appraisal=appraisal,
            decision=decision,
            reason="不认可" if to == A.REAPPRAISAL else "",
            customer_id=appraisal.ticket.customer_id,
        )
    raise ValueError(to)


__all__ = ["CustomerFactory", "RegionFactory", "UserFactory"]
