"""Every change of the crisis app, one module per idea: alerts (opened and merged by the
detector, confirmed or dismissed by a supervisor), crises (opened, moved through the one table,
level, team, tasks), links of tickets, communications and the customer notice, resources (parts
from the emergency reserve, technicians, budget) and the review figures. One transaction each,
rows locked, versions checked, an audit row, a ticket timeline entry where a ticket is concerned.
The public names are the same as when this was one module."""

from .alerts import (
    alert_confirm,
    alert_dismiss,
    alert_raise_safety,
    alert_raise_social,
    alert_raise_spike,
    alerts_detect_spikes,
    ticket_mark_safety,
    ticket_record_safety,
)
from .communications import crisis_notify_customers, crisis_record_communication
from .crises import (
    crisis_add_member,
    crisis_add_task,
    crisis_open,
    crisis_set_level,
    crisis_task_done,
    crisis_transition,
)
from .handover import crisis_team_hand_over
from .improvement import crisis_raise_action
from .links import crises_link_new_ticket, crisis_link_ticket_numbers, crisis_link_tickets
from .resources import (
    crisis_assign_technician,
    crisis_record_expense,
    crisis_release_parts,
    crisis_reserve_parts,
    crisis_set_budget,
    resources_cost,
)
from .shared import MERGE_OVERLAP, MERGE_WINDOW, NOTIFY_ROLES, QUIET_AFTER_DISMISSAL

__all__ = [
    "MERGE_OVERLAP",
    "MERGE_WINDOW",
    "NOTIFY_ROLES",
    "QUIET_AFTER_DISMISSAL",
    "alert_confirm",
    "alert_dismiss",
    "alert_raise_safety",
    "alert_raise_social",
    "alert_raise_spike",
    "alerts_detect_spikes",
    "crises_link_new_ticket",
    "crisis_add_member",
    "crisis_add_task",
    "crisis_assign_technician",
    "crisis_link_ticket_numbers",
    "crisis_link_tickets",
    "crisis_notify_customers",
    "crisis_open",
    "crisis_raise_action",
    "crisis_record_communication",
    "crisis_record_expense",
    "crisis_release_parts",
    "crisis_reserve_parts",
    "crisis_set_budget",
    "crisis_set_level",
    "crisis_task_done",
    "crisis_team_hand_over",
    "crisis_transition",
    "resources_cost",
    "ticket_mark_safety",
    "ticket_record_safety",
]
