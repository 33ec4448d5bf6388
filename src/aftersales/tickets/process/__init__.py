"""The complaint process on top of ``ticket_transition``: one service per step (SPEC §2).

Every service locks the ticket, checks ``expected_version`` (a stale one names who changed the
ticket last), checks who may act (``tickets.permissions``), refuses changes to a final ticket,
writes the timeline and the audit log, and changes the status only through ``ticket_transition``.
"""

from .execution import (
    ticket_close,
    ticket_confirm_result,
    ticket_hold,
    ticket_reopen,
    ticket_resolve,
    ticket_restart_analysis,
    ticket_resume,
    ticket_resume_plan,
    ticket_update_measure,
    tickets_auto_close,
)
from .measures import (
    FIELD_MEASURE_KINDS,
    MAX_MEASURES,
    MeasureInput,
    measure_is_chargeable,
    plan_measure_owners,
    ticket_plan_warranty,
)
from .planning import (
    ticket_current_plan,
    ticket_decide_approval,
    ticket_propose_plan,
    ticket_record_agreement,
    ticket_submit_plan,
)
from .verification import (
    ticket_cancel,
    ticket_classify,
    ticket_merge,
    ticket_receive_information,
    ticket_record_verification,
    ticket_reject,
    ticket_request_information,
    ticket_set_responsibility,
    ticket_start_verification,
)

__all__ = [
    "FIELD_MEASURE_KINDS",
    "MAX_MEASURES",
    "MeasureInput",
    "measure_is_chargeable",
    "plan_measure_owners",
    "ticket_cancel",
    "ticket_classify",
    "ticket_close",
    "ticket_confirm_result",
    "ticket_current_plan",
    "ticket_decide_approval",
    "ticket_hold",
    "ticket_merge",
    "ticket_plan_warranty",
    "ticket_propose_plan",
    "ticket_receive_information",
    "ticket_record_agreement",
    "ticket_record_verification",
    "ticket_reject",
    "ticket_reopen",
    "ticket_request_information",
    "ticket_resolve",
    "ticket_restart_analysis",
    "ticket_resume",
    "ticket_resume_plan",
    "ticket_set_responsibility",
    "ticket_start_verification",
    "ticket_submit_plan",
    "ticket_update_measure",
    "tickets_auto_close",
]
