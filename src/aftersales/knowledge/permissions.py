"""Who may do what in the knowledge base, by role.

Writers (agents, technicians, quality managers and engineers, supervisors, administrators) write
drafts and see every article, drafts included; reviewers (quality managers and engineers,
supervisors, administrators) approve, send back, archive and restore. The quality engineer finds
the causes of faults and their standard solutions (SPEC §3: troubleshooting per model, standard
solutions), so they write and review the articles that carry them. Other staff read what is
published (internal articles included); a customer reads published, customer-visible articles
only.
"""

from __future__ import annotations

from aftersales.accounts.models import Role, User

WRITER_ROLES = frozenset(
    {Role.AGENT, Role.TECHNICIAN, Role.QUALITY_MANAGER, Role.QUALITY_ENGINEER, Role.SUPERVISOR, Role.ADMINISTRATOR}
)
REVIEWER_ROLES = frozenset({Role.QUALITY_MANAGER, Role.QUALITY_ENGINEER, Role.SUPERVISOR, Role.ADMINISTRATOR})


def is_writer(user: User) -> bool:
    return bool(user.is_authenticated and not user.is_customer and (user.is_superuser or user.role in WRITER_ROLES))


def is_reviewer(user: User) -> bool:
    return bool(user.is_authenticated and not user.is_customer and (user.is_superuser or user.role in REVIEWER_ROLES))
