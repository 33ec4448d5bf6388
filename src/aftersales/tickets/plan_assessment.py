"""The plan's assessment (方案评估, SPEC §2.5): before offering a remedy the agent weighs what the
customer expects, the relationship (long-term? will they buy again? word of mouth?), the
company's degree of fault and whether the demand is reasonable — seed [004] §3 "互相协商".

``plan_assessment_guidance`` turns an assessment into the seed's advice, shown next to it on the
plan form, the ticket page's plan panel and the internal case file. It is pure and advises only:
no rule refuses a plan for its assessment. Everything here is internal to the department; the
customer never sees it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import CompanyFault, DemandReasonableness, LongTermRelationship, RepurchaseLikelihood, WordOfMouthRisk

# The assessment's fields on ``TicketPlan``, in the order the form and the pages show them.
PLAN_ASSESSMENT_CHOICE_FIELDS: Final = (
    "long_term_relationship",
    "repurchase_likelihood",
    "word_of_mouth_risk",
    "demand_reasonableness",
    "company_fault",
)
PLAN_ASSESSMENT_TEXT_FIELDS: Final = ("customer_expectation", "assessment_note")
PLAN_ASSESSMENT_FIELDS: Final = ("customer_expectation", *PLAN_ASSESSMENT_CHOICE_FIELDS, "assessment_note")
# Each choice field's vocabulary; every one starts at "unknown" (not assessed).
PLAN_ASSESSMENT_CHOICES: Final[dict[str, type[models.TextChoices]]] = {
    "long_term_relationship": LongTermRelationship,
    "repurchase_likelihood": RepurchaseLikelihood,
    "word_of_mouth_risk": WordOfMouthRisk,
    "demand_reasonableness": DemandReasonableness,
    "company_fault": CompanyFault,
}
NOT_ASSESSED: Final = "unknown"

AT_FAULT: Final = frozenset({CompanyFault.MINOR, CompanyFault.PARTIAL, CompanyFault.MAJOR, CompanyFault.FULL})
WITHOUT_GROUNDS: Final = frozenset({DemandReasonableness.UNREASONABLE, DemandReasonableness.UNFOUNDED})


@dataclass(frozen=True)
class Guidance:
    """One piece of advice: a stable ``key`` (pages and tests name it), the text, and whether it
    is a caution (shown as a warning)."""

    key: str
    text: Promise
    caution: bool = False


NOT_ASSESSED_YET = Guidance(
    "not_assessed",
    _(
        "Not assessed yet. Before offering a remedy, weigh what the customer expects besides money, the relationship "
        "(long-term? will they buy again?), word of mouth, the company's fault and whether the demand is reasonable."
    ),
)
GENEROUS = Guidance(
    "generous",
    _("The company is at fault: the compensation should be more generous, with a plain apology."),
)
POLITE_NO = Guidance(
    "polite_no",
    _(
        "The demand is unreasonable or without factual basis and no further business is expected: say no — "
        "clearly, politely and without hesitation."
    ),
    caution=True,
)
SHOW_THE_FACTS = Guidance(
    "show_the_facts",
    _(
        "The demand goes beyond what is reasonable or what the facts support: show the customer the facts "
        "(inspection, appraisal, warranty terms) so that they see it themselves, and offer what is justified, not more."
    ),
    caution=True,
)
MEET_THE_REASONABLE_PART = Guidance(
    "meet_the_reasonable_part",
    _("Meet the reasonable part of the demand and explain clearly why the rest cannot be met."),
)
KEEP_THE_CUSTOMER = Guidance(
    "keep_the_customer",
    _(
        "A customer to keep (a long-term relationship or likely to buy again): weigh the relationship when choosing "
        "the remedy; a goodwill gesture can pay for itself."
    ),
)
WORD_OF_MOUTH = Guidance(
    "word_of_mouth",
    _(
        "High word-of-mouth risk: the outcome will be talked about. Settle quickly and courteously, choose every "
        "word with care, and have a leader agree the answer."
    ),
    caution=True,
)


def plan_assessment_guidance(
    *,
    long_term_relationship: str,
    repurchase_likelihood: str,
    word_of_mouth_risk: str,
    demand_reasonableness: str,
    company_fault: str,
) -> tuple[Guidance, ...]:
    """The seed's advice for an assessment, most important first; empty when nothing in it calls
    for advice (no fault, a reasonable demand, little at stake).

    - the company at fault (any degree) → more generous compensation (对受害者的补偿应更丰厚一些);
    - an unreasonable or unfounded demand, no long-term relationship, no good chance of another
      purchase and no fault of the company → a clear, polite no (大方明确地说 NO);
      otherwise such a demand → show the facts and offer what is justified (让客户认识到此点);
    - a partly reasonable demand → meet that part, explain the rest;
    - a long-term relationship or a high chance of another purchase → keep the customer;
    - a high word-of-mouth risk → settle quickly, carefully, with a leader (口碑).

    Nothing assessed at all → the reminder to assess.
    """
    values = (long_term_relationship, repurchase_likelihood, word_of_mouth_risk, demand_reasonableness, company_fault)
    if all(value == NOT_ASSESSED for value in values):
        return (NOT_ASSESSED_YET,)
    advice: list[Guidance] = []
    if company_fault in AT_FAULT:
        advice.append(GENEROUS)
    if demand_reasonableness in WITHOUT_GROUNDS:
        no_future = (
            long_term_relationship == LongTermRelationship.NO
            and repurchase_likelihood != RepurchaseLikelihood.HIGH
            and company_fault not in AT_FAULT
        )
        advice.append(POLITE_NO if no_future else SHOW_THE_FACTS)
    elif demand_reasonableness == DemandReasonableness.PARTLY:
        advice.append(MEET_THE_REASONABLE_PART)
    if long_term_relationship == LongTermRelationship.YES or repurchase_likelihood == RepurchaseLikelihood.HIGH:
        advice.append(KEEP_THE_CUSTOMER)
    if word_of_mouth_risk == WordOfMouthRisk.HIGH:
        advice.append(WORD_OF_MOUTH)
    return tuple(advice)
