"""The demo's automatic assignment rules (docs/assignment.md).

Two regions show the rules at work: a new ticket of 华南 goes to the least loaded agent of its
customer-service team, one of 华北 to its team's agents by turns. The other regions — 华东 of the
demo supervisor among them — are assigned by hand, so the "unassigned" queue and bulk assignment
have something to show. Made after the story tickets, so that the rules place only what arrives
from then on (and what the periodic sweep finds unplaced from the last day).
"""

from __future__ import annotations

from aftersales.accounts.models import Team
from aftersales.tickets.models import AssignmentMethod, AssignmentRule

RULES = (
    ("south", "华南新工单：负载最少者优先", AssignmentMethod.LEAST_LOADED),
    ("north", "华北新工单：轮流分派", AssignmentMethod.ROUND_ROBIN),
)


def load_assignment_rules() -> int:
    """Create the demo's rules once; returns how many were created."""
    teams = {t.region.code: t for t in Team.objects.select_related("region").filter(name__endswith="客服组") if t.region}
    created = 0
    for position, (code, name, method) in enumerate(RULES, start=1):
        team = teams.get(code)
        if team is None:
            continue
        _rule, made = AssignmentRule.objects.get_or_create(
            name=name, defaults={"region": team.region, "team": team, "method": method, "position": position * 10}
        )
        created += int(made)
    return created
