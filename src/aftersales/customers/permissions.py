"""Who may change a customer (the staff's customer pages and ``POST``/``PATCH /api/v1/customers``).

* **Contact data, language, notes, consents, addresses; registering a customer**: the roles that
  work with customers' personal data (``accounts.models.UNMASKED_ROLES``: agents, supervisors,
  quality managers, administrators) and superusers.
* **The tier** (key 重要 / long-term 长期 / normal), which sets the SLA targets and the revisit
  duty: supervisors, administrators and superusers; a customer registered by anyone else is a
  normal customer.

Which customers a member of staff sees at all (their data scope) is decided by the readers above
(``desk.selectors.customers``, ``api.selectors.api_customers_visible``); a service is called with
a customer read through one of them.
"""

from __future__ import annotations

from aftersales.accounts.models import UNMASKED_ROLES, Role, User

TIER_ROLES = frozenset({Role.SUPERVISOR, Role.ADMINISTRATOR})


def _active_staff(user: User | None) -> User | None:
    if user is None or not user.is_authenticated or not user.is_active or user.is_customer:
        return None
    return user


def can_edit_customers(user: User | None) -> bool:
    staff = _active_staff(user)
    return staff is not None and (staff.is_superuser or staff.role in UNMASKED_ROLES)


def can_set_tier(user: User | None) -> bool:
    staff = _active_staff(user)
    return staff is not None and (staff.is_superuser or staff.role in TIER_ROLES)
