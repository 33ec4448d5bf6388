"""The faulty-part appraisal is one kind of appraisal (``Appraisal.subject = faulty_part``):
how the parts app's old result (``parts.AppraisalResult``) and an appraisal's conclusion map onto
each other (docs/appraisal.md, "The faulty-part appraisal").

- supplier defect  = a performance fault, cause materials (a supplier's part), the supplier responsible
- normal wear      = a non-performance fault, cause environment (use), nobody to claim against
- misuse or damage = man-made damage, cause misuse, the customer responsible
- no fault found   = no fault found

The other way (``faulty_result_of``: what parts records when a faulty-part appraisal is signed):
the supplier responsible → supplier defect; man-made damage → misuse; no fault found → no fault;
anything else → normal wear (the part failed in use, nobody to claim against).
Migration 0003 holds a copy of ``CONCLUSION_OF_RESULT`` (migrations never import app code).
"""

from __future__ import annotations

from typing import Any

from aftersales.parts.models import AppraisalResult
from aftersales.tickets.choices import Cause, Responsibility

from .choices import FaultType

CONCLUSION_OF_RESULT: dict[str, dict[str, Any]] = {
    AppraisalResult.SUPPLIER_DEFECT: {
        "fault_type": FaultType.PERFORMANCE,
        "cause": Cause.MATERIALS,
        "responsibility": Responsibility.SUPPLIER,
        "sanbao_applies": True,
    },
    AppraisalResult.WEAR: {
        "fault_type": FaultType.NON_PERFORMANCE,
        "cause": Cause.ENVIRONMENT,
        "responsibility": "",
        "sanbao_applies": True,
    },
    AppraisalResult.MISUSE: {
        "fault_type": FaultType.MAN_MADE,
        "cause": Cause.MISUSE,
        "responsibility": Responsibility.CUSTOMER,
        "sanbao_applies": False,
    },
    AppraisalResult.NO_FAULT: {
        "fault_type": FaultType.NO_FAULT,
        "cause": "",
        "responsibility": "",
        "sanbao_applies": False,
    },
}


def faulty_result_of(*, fault_type: str, responsibility: str) -> str:
    """The parts app's result for a signed faulty-part appraisal's conclusion."""
    if responsibility == Responsibility.SUPPLIER:
        return str(AppraisalResult.SUPPLIER_DEFECT)
    if fault_type == FaultType.MAN_MADE:
        return str(AppraisalResult.MISUSE)
    if fault_type == FaultType.NO_FAULT:
        return str(AppraisalResult.NO_FAULT)
    return str(AppraisalResult.WEAR)
