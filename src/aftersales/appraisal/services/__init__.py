"""Every write of an appraisal: one function per business action, one transaction each.

Each locks the ticket first, then the appraisal (``tickets.locking``'s order), checks the
appraisal's version, the caller's right (``permissions``) and the move (``states.TABLE``),
writes the typed audit row and the ticket's timeline entry. Signing feeds the ticket's
responsibility and cause (the tickets app's audited ``save_fields``) and queues the result notice
to the customer; the customer's answer is recorded once, and a re-appraisal is a new appraisal
linked to the first.

``common`` holds the shared steps (locking, the move with its records); ``requests`` the request,
assignment, start and cancel; ``report`` the report and its files; ``signing`` the signature,
what it feeds to the ticket, and the customer's answer.
"""

from __future__ import annotations

from .common import MAX_CELL, MAX_TESTS, MAX_TEXT, NO_SANBAO, A, lock_appraisal, move
from .report import REPORT_FIELDS, ReportInput, appraisal_add_file, appraisal_record_report, clean_report
from .requests import (
    appraisal_assign,
    appraisal_cancel,
    appraisal_request,
    appraisal_request_faulty_parts,
    appraisal_start,
)
from .signing import appraisal_answer, appraisal_sign

__all__ = [
    "MAX_CELL",
    "MAX_TESTS",
    "MAX_TEXT",
    "NO_SANBAO",
    "REPORT_FIELDS",
    "A",
    "ReportInput",
    "appraisal_add_file",
    "appraisal_answer",
    "appraisal_assign",
    "appraisal_cancel",
    "appraisal_record_report",
    "appraisal_request",
    "appraisal_request_faulty_parts",
    "appraisal_sign",
    "appraisal_start",
    "clean_report",
    "lock_appraisal",
    "move",
]
