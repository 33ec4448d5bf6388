"""Tickets' models, split by idea (STYLE 11): ``ticket`` (the ticket, its events, attachments,
categories, number sequence, counts), ``process`` (plans, measures, approvals, agreements) and
``assignment`` (rules, skills, availability) and ``saved_view`` (the list's saved views). Import from this package (the choices and the status enumeration are re-exported, as the single
module did)."""

from ..choices import Cause, Channel, EventKind, Nature, Priority, RequestType, Responsibility, Severity, SlaState
from ..states import OPEN_STATUS_LIST, TicketStatus
from .assignment import (
    AssignmentMethod,
    AssignmentRule,
    StaffAbsence,
    StaffAvailability,
    StaffSkill,
)
from .process import (
    AgreementDecision,
    AgreementMethod,
    ApprovalRequest,
    ApprovalRule,
    ApprovalStatus,
    CustomerAgreement,
    MeasureKind,
    MeasureStatus,
    PlanMeasure,
    PlanStatus,
    TicketPlan,
    agreement_upload_to,
)
from .promise import SolutionPromise
from .saved_view import SavedView, ViewSharing
from .ticket import (
    Attachment,
    Ticket,
    TicketCategory,
    TicketCount,
    TicketEvent,
    TicketNumberSequence,
    attachment_upload_to,
)

__all__ = [
    "OPEN_STATUS_LIST",
    "AgreementDecision",
    "AgreementMethod",
    "ApprovalRequest",
    "ApprovalRule",
    "ApprovalStatus",
    "AssignmentMethod",
    "AssignmentRule",
    "Attachment",
    "Cause",
    "Channel",
    "CustomerAgreement",
    "EventKind",
    "MeasureKind",
    "MeasureStatus",
    "Nature",
    "PlanMeasure",
    "PlanStatus",
    "Priority",
    "RequestType",
    "Responsibility",
    "SavedView",
    "Severity",
    "SlaState",
    "SolutionPromise",
    "StaffAbsence",
    "StaffAvailability",
    "StaffSkill",
    "Ticket",
    "TicketCategory",
    "TicketCount",
    "TicketEvent",
    "TicketNumberSequence",
    "TicketPlan",
    "TicketStatus",
    "ViewSharing",
    "agreement_upload_to",
    "attachment_upload_to",
]
