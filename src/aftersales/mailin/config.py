"""The intake's security settings, read where they are used (tests change them with ``settings``).

Each is a Django setting; where the settings module does not define it, the environment variable
of the same name is read, then the default.
"""

from __future__ import annotations

import os

from django.conf import settings


def _setting(name: str, default: str) -> object:
    value = getattr(settings, name, None)
    if value is None:
        return os.environ.get(name, default)
    return value


def trusted_authserv_ids() -> frozenset[str]:
    """``MAILIN_TRUSTED_AUTHSERV_IDS``: the authserv-ids (RFC 8601) of the receiving mail servers
    whose ``Authentication-Results`` are trusted, lower-case. Empty: replies are not checked."""
    value = _setting("MAILIN_TRUSTED_AUTHSERV_IDS", "")
    items = value.split(",") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return frozenset(str(item).strip().lower() for item in items if str(item).strip())


def _int(name: str, default: int) -> int:
    value = _setting(name, str(default))
    try:
        return max(0, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default


def sender_limit() -> int:
    """``MAILIN_SENDER_LIMIT``: mails one sender may send within the window before the next ones
    are held (no ticket, no acknowledgement); 0 switches the loop break off."""
    return _int("MAILIN_SENDER_LIMIT", 10)


def sender_window_minutes() -> int:
    """``MAILIN_SENDER_WINDOW_MINUTES``: the window of the per-sender loop break."""
    return _int("MAILIN_SENDER_WINDOW_MINUTES", 60) or 60


def keep_days() -> int:
    """``MAILIN_KEEP_DAYS``: days a received message's raw bytes, addresses and text are kept
    (held mail included); then ``purge_old_messages`` empties them. The ticket's copy stays."""
    return _int("MAILIN_KEEP_DAYS", 90) or 90
