"""Finance's Today page: what waits for its payment elsewhere in the product — refunds approved
(and paid ones to confirm), the compensation finance fulfils (cash), the service outlets' approved
statements, the customers' charges to collect — each the count of the page it links to, one
query each. The travel money's own counts are ``travel.selectors.finance_desk``."""

from __future__ import annotations

from dataclasses import dataclass

from aftersales.accounts.models import Role, User
from aftersales.billing.selectors import outstanding_count as receivables_outstanding
from aftersales.compensation.selectors import compensations_to_fulfil, refunds_to_pay
from aftersales.outlets.models import SettlementStatus
from aftersales.outlets.selectors import settlements_visible_to


@dataclass(frozen=True)
class FinancePayments:
    refunds: int  # approved refunds to pay and paid ones to confirm (/compensation/#refunds-to-pay)
    compensations: int  # cash compensation approved or issued, awaiting confirmation (/compensation/#compensation-to-fulfil)
    statements: int  # outlets' settlement statements approved, to pay (/outlets/settlements/?status=approved)
    receivables: int  # customers' charges still to collect (/billing/)


def finance_payments(*, user: User) -> FinancePayments | None:
    """The counts for finance's Today page (None for any other role)."""
    if not (user.is_authenticated and user.is_active and user.role == Role.FINANCE):
        return None
    return FinancePayments(
        refunds=refunds_to_pay(user=user).count(),
        compensations=compensations_to_fulfil(user=user).count(),
        statements=settlements_visible_to(user).filter(status=SettlementStatus.APPROVED).count(),
        receivables=receivables_outstanding(user=user),
    )
