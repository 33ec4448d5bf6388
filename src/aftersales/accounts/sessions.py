"""Sign out everywhere (issue 21, item 4): end every session of a user at once — the user's own
"sign out on my other devices" after a lost phone, and an administrator's action for a leaving
employee or a stolen account.

Sessions are not indexed by user, so they are not searched: ``User.session_epoch`` is part of
the session's auth hash (``User._get_session_auth_hash``); raising it makes every existing
session's stored hash wrong, and Django's ``get_user`` ends such a session at its next request,
whichever session engine is used. The session that asked may be kept (its hash is renewed).
"""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.db.models import F
from django.http import HttpRequest

from .models import User


def sign_out_everywhere(*, user: User, keep: HttpRequest | None = None) -> None:
    """End every session of ``user``; with ``keep`` (the request of one of them), all but that one."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    user.refresh_from_db(fields=["session_epoch"])
    if keep is not None:
        update_session_auth_hash(keep, user)
