"""The session and user reads of every signed-in request, without compiling them each time.

``SessionStore`` is Django's database session store; ``UserBackend`` is Django's ``ModelBackend``.
Both read their row with a statement compiled once per process (``core.precompiled``) instead of
per request. What they read, and every check on it, is Django's: the session must not have
expired, the user must be allowed to authenticate (active), and the session's auth hash is
verified by ``django.contrib.auth.get_user`` as before.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from aftersales.core.precompiled import RowByKey

from .models import User

_SESSION = RowByKey(Session, "session_key")
_USER = RowByKey(User, "pk")


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        # Django's filters ``expire_date__gt=now`` in SQL; the same test here, on the one row.
        session = _SESSION.get(self.session_key) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _USER.get(pk)
        return user if user is not None and self.user_can_authenticate(user) else None


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check in front of ``UserBackend`` (settings.AUTHENTICATION_BACKENDS): a
    sign-in over HTTP for a locked-out user name is refused before any password is compared.

    ``authenticate()`` without a request (the shell, a management command, ``Client.login`` in
    tests) comes from nobody on the network: nothing to throttle, it passes to the next backend
    instead of raising as axes' own backend does."""

    def authenticate(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)  # type: ignore[no-any-return]
