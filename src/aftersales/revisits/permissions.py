"""Who may do what with revisits, by role.

Callers (agents, supervisors, administrators) record calls on the revisits they see; overseers
(supervisors, quality managers, administrators) also read the compliance figures and cancel
revisits. Customers never see revisits: they are the company's own work list.
"""

from __future__ import annotations

from aftersales.accounts.models import Role, User

CALLER_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMINISTRATOR})
OVERSEER_ROLES = frozenset({Role.SUPERVISOR, Role.QUALITY_MANAGER, Role.ADMINISTRATOR})
READER_ROLES = CALLER_ROLES | OVERSEER_ROLES


def _staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def reads_revisits(user: User) -> bool:
    return _staff(user) and (user.is_superuser or user.role in READER_ROLES)


def records_calls(user: User) -> bool:
    return _staff(user) and (user.is_superuser or user.role in CALLER_ROLES)


def oversees(user: User) -> bool:
    return _staff(user) and (user.is_superuser or user.role in OVERSEER_ROLES)
