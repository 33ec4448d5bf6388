"""The demo plans' assessments (方案评估): what an agent would have weighed for the story's
scenario and customer — drawn from the scenario and the customer alone (no random draw, so the
stories' other draws stay as they were)."""

from __future__ import annotations

from typing import TypedDict

from aftersales.customers.models import CustomerKind, CustomerTier
from aftersales.tickets.choices import (
    Cause,
    CompanyFault,
    DemandReasonableness,
    LongTermRelationship,
    RepurchaseLikelihood,
    RequestType,
    Responsibility,
    Severity,
    WordOfMouthRisk,
)

from .data import Scenario

# What customers asked for besides the remedy itself, by what they asked for.
EXPECTATIONS: dict[str, str] = {
    RequestType.REPAIR: "尽快修好，希望师傅按约定时间上门，修完把现场清理干净。",
    RequestType.INSTALLATION: "希望周末上门安装，并讲解一下使用注意事项。",
    RequestType.EXCHANGE: "要求换新机，送新机时把旧机一起拉走。",
    RequestType.RETURN: "要求退货，希望上门取件，不再额外付运费。",
    RequestType.REFUND: "要求全额退款，并尽快到账。",
    RequestType.COMPENSATION: "除赔偿损失外，希望公司给一个书面说明并道歉。",
    RequestType.CONSULTATION: "想弄清楚故障原因，以后如何避免再出现。",
    RequestType.COMPLAINT: "希望公司给个说法，并对相关服务人员作出处理。",
}
DEALER_EXPECTATION = "作为经销商，还希望公司支持门店的下一次促销活动。"
NOTES: dict[str, str] = {
    "ours": "产品本身的问题，责任在我方：补偿从宽，主动道歉。",
    "third": "物流或服务网点的原因：我方先行处理，再向责任方追偿。",
    "customer": "使用不当所致：向客户说明事实和保修条款，超出部分礼貌拒绝。",
}
DESIGN_OR_MAKING = frozenset({Cause.MANUFACTURING, Cause.MATERIALS, Cause.DESIGN})
ASKING_FOR_MONEY = frozenset({RequestType.REFUND, RequestType.COMPENSATION, RequestType.RETURN, RequestType.EXCHANGE})


class AssessmentArguments(TypedDict):
    customer_expectation: str
    long_term_relationship: str
    repurchase_likelihood: str
    word_of_mouth_risk: str
    demand_reasonableness: str
    company_fault: str
    assessment_note: str


def plan_assessment_for(*, scenario: Scenario, customer_kind: str, customer_tier: str) -> AssessmentArguments:
    """``ticket_propose_plan``'s assessment arguments for a plan of ``scenario`` for this customer."""
    if scenario.responsibility == Responsibility.CUSTOMER:
        fault, note = CompanyFault.NONE, NOTES["customer"]
        demand = DemandReasonableness.UNREASONABLE if scenario.request_type in ASKING_FOR_MONEY else DemandReasonableness.PARTLY
    elif scenario.responsibility == Responsibility.INTERNAL:
        fault = CompanyFault.MAJOR if scenario.cause in DESIGN_OR_MAKING else CompanyFault.PARTIAL
        demand, note = DemandReasonableness.REASONABLE, NOTES["ours"]
    else:  # a supplier, the carrier or a service outlet: the company answers for them first
        fault, demand, note = CompanyFault.MINOR, DemandReasonableness.REASONABLE, NOTES["third"]
    long_term = customer_kind == CustomerKind.COMPANY or customer_tier in {CustomerTier.KEY, CustomerTier.LONG_TERM}
    if customer_tier in {CustomerTier.KEY, CustomerTier.LONG_TERM}:
        repurchase = RepurchaseLikelihood.HIGH
    elif scenario.responsibility == Responsibility.CUSTOMER:
        repurchase = RepurchaseLikelihood.LOW
    else:
        repurchase = RepurchaseLikelihood.MEDIUM
    if scenario.safety or scenario.severity == Severity.SERIOUS or scenario.request_type == RequestType.COMPLAINT:
        word_of_mouth = WordOfMouthRisk.HIGH
    elif scenario.severity == Severity.MINOR:
        word_of_mouth = WordOfMouthRisk.LOW
    else:
        word_of_mouth = WordOfMouthRisk.MEDIUM
    expectation = EXPECTATIONS.get(scenario.request_type, "")
    if customer_kind == CustomerKind.COMPANY:
        expectation = f"{expectation}{DEALER_EXPECTATION}"
    return {
        "customer_expectation": expectation,
        "long_term_relationship": LongTermRelationship.YES if long_term else LongTermRelationship.NO,
        "repurchase_likelihood": repurchase,
        "word_of_mouth_risk": word_of_mouth,
        "demand_reasonableness": demand,
        "company_fault": fault,
        "assessment_note": note,
    }
