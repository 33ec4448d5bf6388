"""WeChat Official Account template messages (微信公众号模板消息), through wechatpy.

The recipient is the customer's openid for the Official Account (``WeChatContact``, bound by the
WeChat backend through ``services.wechat_contact_bind``); the message is the kind's approved
template (``WECHAT_TEMPLATES``: kind → ``{"template": "<template id>", "data": {"thing2":
"value key", "phrase3": "=已受理"}}``), filled from the message's values, and opens the
message's link (the portal page, absolute under ``AFTERSALES_SITE_URL``) when it has one.

Settings: ``WECHAT_APP_ID``, ``WECHAT_APP_SECRET`` (the Official Account's AppID and AppSecret; the
server's address must be on the account's IP allow-list), ``WECHAT_API_BASE_URL``
(https://api.weixin.qq.com/cgi-bin/), ``WECHAT_TEMPLATES``.

The access token is kept in Django's cache (``REDIS_URL``: one token for all workers) until five
minutes before WeChat expires it; a token WeChat calls invalid (another process fetched a new
one) is dropped and fetched again, once.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.core.cache import cache
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException
from wechatpy.session import SessionStorage

from ..models import Notification
from ..senders import PermanentSendError, TransientSendError
from .common import filled_fields, message_values, required, setting, template_or_skip, timeout_seconds

logger = logging.getLogger("aftersales.notifications")

DEFAULT_API_BASE_URL = "https://api.weixin.qq.com/cgi-bin/"
REQUIRED_SETTINGS = ("WECHAT_APP_ID", "WECHAT_APP_SECRET")
CACHE_PREFIX = "notifications:wechat:"
TOKEN_MARGIN_SECONDS = 300
# The access token is invalid (40001, 40014) or expired (42001): fetch a new one and try again.
TOKEN_ERRORS = frozenset({40001, 40014, 42001})
# Worth another try later: WeChat busy (-1), the API's call limits (45009, 45011).
TRANSIENT_ERRORS = frozenset({-1, 45009, 45011})
# The longest value per keyword type (the name's letters before its number: ``thing2``), as
# WeChat's template message rules allow; longer text is cut (a diagnosis, a name).
FIELD_LIMITS = {"thing": 20, "name": 10, "phrase": 5, "character_string": 32, "number": 32, "letter": 32, "symbol": 5}
ELLIPSIS_TYPES = frozenset({"thing", "name"})


class CacheTokenStorage(SessionStorage):
    """wechatpy's token storage in Django's cache, shared by every worker that shares the cache."""

    def get(self, key: str, default: Any = None) -> Any:
        return cache.get(CACHE_PREFIX + key, default)

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        if value is None:
            return
        timeout = max(60, int(ttl) - TOKEN_MARGIN_SECONDS) if ttl else None
        cache.set(CACHE_PREFIX + key, value, timeout)

    def delete(self, key: str) -> None:
        cache.delete(CACHE_PREFIX + key)


class _TimeoutSession(requests.Session):
    """wechatpy fetches the token without a timeout: every request gets ours."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(*args, **kwargs)


class OfficialAccountClient(WeChatClient):
    """wechatpy's client on the configured API address (the token too, which wechatpy fetches
    from a fixed address), with our timeout, the token in the cache and no silent retries."""

    def __init__(self, appid: str, secret: str, *, base_url: str, timeout: float) -> None:
        super().__init__(appid, secret, session=CacheTokenStorage(), timeout=timeout, auto_retry=False)
        self.API_BASE_URL = base_url if base_url.endswith("/") else base_url + "/"
        self._http = _TimeoutSession(timeout)

    def fetch_access_token(self) -> dict[str, Any]:
        params = {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret}
        result: dict[str, Any] = self._fetch_access_token(url=self.API_BASE_URL + "token", params=params)
        return result


def official_account_client() -> OfficialAccountClient:
    config = required(*REQUIRED_SETTINGS)
    return OfficialAccountClient(
        config["WECHAT_APP_ID"],
        config["WECHAT_APP_SECRET"],
        base_url=setting("WECHAT_API_BASE_URL", DEFAULT_API_BASE_URL) or DEFAULT_API_BASE_URL,
        timeout=timeout_seconds(),
    )


def fitted(field: str, value: str) -> str:
    """The value within its keyword type's length (``thing3``: 20 characters)."""
    kind = field.rstrip("0123456789")
    limit = FIELD_LIMITS.get(kind)
    if limit is None or len(value) <= limit:
        return value
    return value[: limit - 1] + "…" if kind in ELLIPSIS_TYPES else value[:limit]


class WeChatTemplateSender:
    """Sends the kind's template message (``WECHAT_TEMPLATES``) to the bound openid."""

    def send(self, notification: Notification) -> None:
        template = template_or_skip("WECHAT_TEMPLATES", notification, fields_key="data", what="WeChat")
        openid = (notification.recipient or "").strip()
        if not openid:
            raise PermanentSendError("no WeChat openid to send to", "no_openid")
        values = message_values(notification)
        data = {name: {"value": fitted(name, value)} for name, value in filled_fields(template, values)}
        client = official_account_client()
        try:
            result = self._send(client, openid, template.code, data, values.get("link") or None)
        except requests.RequestException as exc:
            raise TransientSendError(f"WeChat unreachable: {exc}") from exc
        except WeChatClientException as exc:
            text = f"WeChat {exc.errcode}: {exc.errmsg}"
            if exc.errcode is None or exc.errcode in TRANSIENT_ERRORS | TOKEN_ERRORS:
                raise TransientSendError(text) from exc
            raise PermanentSendError(text, str(exc.errcode)) from exc
        # The template message's result event (TEMPLATESENDJOBFINISH) names it by its msgid.
        notification.provider_ref = str(result.get("msgid", "") or "")[:64]
        logger.info("WeChat: notification %s accepted, msgid %s", notification.pk, notification.provider_ref)

    @staticmethod
    def _send(client: OfficialAccountClient, openid: str, code: str, data: dict[str, Any], url: str | None) -> dict[str, Any]:
        """Send once; when WeChat calls the cached token invalid, drop it and send once more."""
        try:
            result: dict[str, Any] = client.message.send_template(openid, code, data, url=url)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRORS:
                raise
            client.session.delete(client.access_token_key)
            result = client.message.send_template(openid, code, data, url=url)
        return result
