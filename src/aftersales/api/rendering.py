"""How the API writes values in JSON: the one place for the format of times.

Every time is ISO 8601 to the second with the site's offset (``TIME_ZONE``, Asia/Shanghai:
``2026-11-24T09:30:00+08:00``), as docs/api.md promises and its examples show, whichever
operation answers: a create (also when an ``Idempotency-Key`` replays it), a read, a list.
Sub-second digits are cut (a filter such as ``updated_since`` is "at or after", so a client
that sends back a time it read misses nothing).
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


@cache
def _site_zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def api_datetime(value: dt.datetime) -> str:
    """``value`` as the API writes it: to the second, with the site's offset (a naive value —
    none is stored with USE_TZ — is written as it is, to the second)."""
    if value.tzinfo is not None and value.utcoffset() is not None:
        value = value.astimezone(_site_zone(settings.TIME_ZONE))
    return value.replace(microsecond=0).isoformat()


class ApiJSONEncoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return api_datetime(o)
        return super().default(o)


class Utf8JSONRenderer(JSONRenderer):
    """Chinese text as it is (UTF-8), not as \\u escapes: readable in curl and logs; times as
    ``api_datetime`` writes them."""

    encoder_class = ApiJSONEncoder
    json_dumps_params = {"ensure_ascii": False}
