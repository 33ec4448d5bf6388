"""Who may read the quality figures and who may work on improvement actions, by role.

Readers: quality engineers, quality managers, supervisors and administrators. Writers (raise,
edit and move improvement actions): quality engineers, quality managers and administrators.
The figures a reader sees follow their data scope (``statistics.filters_for``).
"""

from __future__ import annotations

from aftersales.accounts.models import Role, User

READER_ROLES = frozenset({Role.QUALITY_ENGINEER, Role.QUALITY_MANAGER, Role.SUPERVISOR, Role.ADMINISTRATOR})
WRITER_ROLES = frozenset({Role.QUALITY_ENGINEER, Role.QUALITY_MANAGER, Role.ADMINISTRATOR})


def _staff(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and not user.is_customer)


def can_read(user: User) -> bool:
    return _staff(user) and (user.is_superuser or user.role in READER_ROLES)


def can_write(user: User) -> bool:
    return _staff(user) and (user.is_superuser or user.role in WRITER_ROLES)
