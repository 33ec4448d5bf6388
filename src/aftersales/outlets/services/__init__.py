"""Every write of the outlets app: one function per business action, one transaction, audited.

``records`` — the outlet and its contract; ``drafting`` — a statement drafted, recalculated, a
line adjusted; ``steps`` — the statement's status moves; ``amounts`` — the arithmetic (pure).
"""

from .amounts import LineAmounts, Rates, line_amounts, money
from .drafting import (
    Drafted,
    eligible_work_orders,
    month_of,
    previous_month,
    repeat_of,
    settlement_adjust_line,
    settlement_draft,
    settlement_recalculate,
)
from .records import OutletInput, outlet_create, outlet_update
from .steps import (
    settlement_approve,
    settlement_cancel,
    settlement_confirm,
    settlement_dispute,
    settlement_pay,
    settlement_reopen,
)

__all__ = [
    "Drafted",
    "LineAmounts",
    "OutletInput",
    "Rates",
    "eligible_work_orders",
    "line_amounts",
    "money",
    "month_of",
    "outlet_create",
    "outlet_update",
    "previous_month",
    "repeat_of",
    "settlement_adjust_line",
    "settlement_approve",
    "settlement_cancel",
    "settlement_confirm",
    "settlement_dispute",
    "settlement_draft",
    "settlement_pay",
    "settlement_recalculate",
    "settlement_reopen",
]
