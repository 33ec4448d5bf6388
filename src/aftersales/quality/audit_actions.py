"""Every audit action the quality app records (the stored values, unchanged)."""

from __future__ import annotations

from aftersales.audit.actions import AuditAction


class QualityAudit(AuditAction):
    ACTION_RAISED = "quality.action_raised"
    ACTION_UPDATED = "quality.action_updated"
    ACTION_PLAN = "quality.action_plan"  # back to Plan: a new cycle
    ACTION_DO = "quality.action_do"
    ACTION_CHECK = "quality.action_check"
    ACTION_ACT = "quality.action_act"
    ACTION_CLOSED = "quality.action_closed"
    ACTION_CHECKED = "quality.action_checked"  # the Check computed again
    # The quality manager's acceptance of results (acceptance_receivers, acceptance_rules).
    ACCEPTANCE_REQUESTED = "quality.acceptance_requested"
    ACCEPTANCE_ACCEPTED = "quality.acceptance_accepted"
    ACCEPTANCE_RETURNED = "quality.acceptance_returned"
    ACCEPTANCE_WITHDRAWN = "quality.acceptance_withdrawn"
    ACCEPTANCE_RULE_CHANGED = "quality.acceptance_rule_changed"
