"""Where webhooks may go, and the HTTP POST that goes there.

A target must be http(s) and every address its host resolves to must be public: loopback,
link-local, private, multicast, reserved and unspecified addresses are refused unless the
host, the address or a network containing it is in ``WEBHOOKS_ALLOW_PRIVATE_HOSTS``. The check
runs when a subscription is saved and again at every delivery, on the addresses actually
connected to (the connection goes to the checked address, not to a second lookup), so a DNS
answer that changes between check and use (DNS rebinding) cannot reach an internal service.
Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from aftersales.core.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
RESPONSE_EXCERPT_CHARS = 1000


class TargetRefused(Exception):
    """The target URL or one of its addresses is not allowed."""


def _allow_list() -> list[str]:
    return [str(item).strip().lower() for item in getattr(settings, "WEBHOOKS_ALLOW_PRIVATE_HOSTS", []) if str(item).strip()]


def _allowed_explicitly(host: str, address: IPAddress | None) -> bool:
    for entry in _allow_list():
        if entry == host.lower():
            return True
        if address is None:
            continue
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def _is_public(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def check_address(host: str, address: IPAddress) -> None:
    if not _is_public(address) and not _allowed_explicitly(host, address):
        raise TargetRefused(f"{host} resolves to {address}, which is not a public address")


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


def parse_target(url: str) -> Target:
    """Split a target URL; raise ``TargetRefused`` unless it is an absolute http(s) URL."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in {"http", "https"}:
        raise TargetRefused("only http and https targets are allowed")
    if not parts.hostname or parts.username or parts.password:
        raise TargetRefused("the target needs a host and no credentials in the URL")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise TargetRefused("invalid port") from exc
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=parts.hostname, port=port, path=path)


def resolve_checked(target: Target) -> list[IPAddress]:
    """Every address of the target's host, each checked; raise ``TargetRefused`` if any is not allowed."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(target.host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise TargetRefused(f"cannot resolve {target.host}: {exc}") from exc
        addresses = list(dict.fromkeys(ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos))
    for address in addresses:
        check_address(target.host, address)
    return addresses


def validate_target_url(url: str, *, field: str = "target_url") -> str:
    """For forms and services: refuse a bad scheme, and a host that resolves to a refused address.

    A host that does not resolve now is accepted (it may exist later); delivery checks again.
    """
    url = (url or "").strip()
    try:
        target = parse_target(url)
        try:
            resolve_checked(target)
        except TargetRefused as exc:
            if "cannot resolve" not in str(exc):
                raise
    except TargetRefused as exc:
        raise ValidationFailed(
            {
                field: [
                    _(
                        "Webhooks go only to public http(s) addresses; %(reason)s. An administrator can allow an "
                        "internal host in WEBHOOKS_ALLOW_PRIVATE_HOSTS."
                    )
                    % {"reason": str(exc)}
                ]
            },
            code="webhook_target_refused",
        ) from None
    return url


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to one already-checked address while sending the URL's host name."""

    def __init__(self, host: str, address: IPAddress, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = str(address)

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, address: IPAddress, port: int, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = str(address)
        self._context = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # The certificate is checked against the host name, as for any HTTPS request.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


@dataclass
class PostResult:
    status_code: int | None
    body_excerpt: str
    duration_ms: int
    error: str


def post_json(url: str, body: bytes, headers: dict[str, str], *, timeout: float | None = None) -> PostResult:
    """POST ``body`` to ``url`` after checking every address; never raises for network errors."""
    timeout = timeout if timeout is not None else float(getattr(settings, "WEBHOOKS_TIMEOUT_SECONDS", 10))
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target = parse_target(url)
        addresses = resolve_checked(target)
    except TargetRefused as exc:
        return PostResult(None, "", elapsed(), f"refused: {exc}")
    last_error = ""
    for address in addresses:
        conn: Any
        if target.scheme == "https":
            conn = _PinnedHTTPSConnection(target.host, address, target.port, timeout, ssl.create_default_context())
        else:
            conn = _PinnedHTTPConnection(target.host, address, target.port, timeout)
        try:
            conn.request("POST", target.path, body=body, headers=headers)
            response = conn.getresponse()
            raw = response.read(RESPONSE_EXCERPT_CHARS * 4)
            return PostResult(response.status, raw.decode("utf-8", "replace")[:RESPONSE_EXCERPT_CHARS], elapsed(), "")
        except ConnectionRefusedError as exc:
            # Nothing was sent: the next address of the host may answer.
            last_error = f"{type(exc).__name__}: {exc}"
        except (OSError, http.client.HTTPException) as exc:
            # The request may have arrived: no second address, the retry (same event id) decides.
            return PostResult(None, "", elapsed(), f"{type(exc).__name__}: {exc}"[:2000])
        finally:
            conn.close()
    return PostResult(None, "", elapsed(), last_error[:2000])
