"""The audit app's own actions: refused access (issue 21).

Refusals are recorded against the request (``object_type`` ``"request"``, ``object_id`` the path),
not an object: a refused read names nothing the caller may learn about.
"""

from __future__ import annotations

from .actions import AuditAction


class AccessAudit(AuditAction):
    # A signed-in user (or an API key) was answered 403 or, for an addressed object, 404.
    REFUSED = "access.refused"
    # A lookup or request was over its per-user throttle (429 or a throttled page fragment).
    THROTTLED = "access.throttled"
    # A lookup answered without the object because it is outside the user's data scope.
    OUT_OF_SCOPE = "access.out_of_scope"
    # Sign-in refused because of too many failed attempts (django-axes lockout).
    LOGIN_LOCKED_OUT = "access.login_locked_out"
    # Two-factor sign-in (accounts/two_factor.py): set up, turned off, a wrong code.
    SECOND_FACTOR_ON = "access.second_factor_on"
    SECOND_FACTOR_OFF = "access.second_factor_off"
    SECOND_FACTOR_WRONG = "access.second_factor_wrong"
    # Every other session of the user ended (by the user, or an administrator for them).
    SIGNED_OUT_EVERYWHERE = "access.signed_out_everywhere"


class AccountAudit(AuditAction):
    """Changes of a member of staff's account that are recorded here because ``accounts`` sits
    below the audit app (its hooks name the receivers in ``audit.receivers``)."""

    # A member of staff left: their work handed over, the account deactivated, every session
    # ended (accounts/offboarding.py; the reason, the successor and the counts moved per kind).
    OFFBOARDED = "account.offboarded"
    # An administrator made, or an account promoted to one, from the command line
    # (``manage.py create_administrator``).
    ADMINISTRATOR_CREATED = "account.administrator_created"
    ADMINISTRATOR_PROMOTED = "account.administrator_promoted"
