"""Reads of the role home pages, each scoped to the viewer and cheap in queries.

Every ticket count is the ticket list's total for the same filters
(``tickets.selectors.ticket_total_for_user``: the maintained counts where they answer it, a
capped count otherwise), and every card links to the list filtered the same way (``links``).
A card reads its first rows first (``top`` + 1 of them): when fewer come back, their number is
the total and the count costs no second statement. The parts counts are the counts of the parts
pages' own selectors, which the cards link to.
"""

from .cards import (
    TABLE_ROWS,
    TOP,
    CardRow,
    TicketCard,
    Workbench,
    agent_workbench,
)
from .finance import FinancePayments, finance_payments
from .quality import AcceptanceTile, acceptance_tile
from .team import (
    TEAM_VIEW_ROLES,
    LoadRow,
    TeamView,
    sees_team_view,
    supervisor_team_view,
)
from .technician import (
    STEP_ANCHORS,
    Job,
    TechnicianDay,
    technician_today,
)
from .trips import MyTrip, TripReviewTile, my_open_trips, trip_review_tile
from .warehouse import (
    CountLink,
    WarehouseHome,
    sees_warehouse_home,
    warehouse_home,
)

__all__ = [
    "STEP_ANCHORS",
    "TABLE_ROWS",
    "TEAM_VIEW_ROLES",
    "TOP",
    "AcceptanceTile",
    "CardRow",
    "CountLink",
    "FinancePayments",
    "Job",
    "LoadRow",
    "MyTrip",
    "TeamView",
    "TechnicianDay",
    "TicketCard",
    "TripReviewTile",
    "WarehouseHome",
    "Workbench",
    "acceptance_tile",
    "agent_workbench",
    "finance_payments",
    "my_open_trips",
    "sees_team_view",
    "sees_warehouse_home",
    "supervisor_team_view",
    "technician_today",
    "trip_review_tile",
    "warehouse_home",
]
