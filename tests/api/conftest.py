"""Fixtures for API tests: keys for users of every kind, and clients that send them."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from aftersales.accounts.models import DataScope, Region, Role, User
from aftersales.api.models import ALL_SCOPES
from aftersales.api.services import api_key_create
from aftersales.customers.models import Customer
from aftersales.tickets.models import Ticket
from tests.factories import RegionFactory, UserFactory, make_ticket

STAFF_SCOPES = tuple(ALL_SCOPES)
CUSTOMER_SCOPES = ("tickets:read", "tickets:write", "catalog:read", "surveys:read", "surveys:write")


class ApiClient:
    """A Django test client that sends ``Authorization: Bearer <key>`` and JSON bodies."""

    def __init__(self, secret: str | None, *, language: str = "en") -> None:
        self.client = Client()
        self.secret = secret
        self.language = language

    def _headers(self, headers: dict[str, str] | None) -> dict[str, str]:
        merged = {"Accept-Language": self.language}
        if self.secret:
            merged["Authorization"] = f"Bearer {self.secret}"
        merged.update(headers or {})
        return merged

    def get(self, path: str, params: dict[str, Any] | None = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self._headers(headers))

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            path, json if json is not None else {}, content_type="application/json", headers=self._headers(headers)
        )

    def upload(self, path: str, data: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
        return self.client.post(path, data, headers=self._headers(headers))


def key_for(user: User, scopes: Iterable[str] = STAFF_SCOPES, region: Region | None = None, **kwargs: Any) -> str:
    return api_key_create(name=f"test {user.username}", owner=user, scopes=scopes, region=region, actor=None, **kwargs).secret


def api_client(user: User, scopes: Iterable[str] | None = None, region: Region | None = None, **kwargs: Any) -> ApiClient:
    if scopes is None:
        scopes = CUSTOMER_SCOPES if user.is_customer else STAFF_SCOPES
    return ApiClient(key_for(user, scopes, region, **kwargs))


def customer_user(ticket: Ticket, username: str | None = None) -> User:
    """Give the ticket's customer a portal login (role customer) and return it."""
    user = UserFactory(role=Role.CUSTOMER, data_scope=DataScope.OWN, **({"username": username} if username else {}))
    Customer.objects.filter(pk=ticket.customer_id).update(user=user)
    return user


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def world(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two regions, each with a ticket of its own customer; staff of every reach."""
    east = RegionFactory(code="east", name="华东")
    south = RegionFactory(code="south", name="华南")
    east_ticket = make_ticket(region=east, phone="13800000001", customer_name="张伟")
    south_ticket = make_ticket(region=south, phone="13800000002", customer_name="李娜")
    admin_agent = UserFactory(role=Role.AGENT, data_scope=DataScope.ALL, username="all-agent")
    east_agent = UserFactory(role=Role.AGENT, data_scope=DataScope.REGION, region=east, username="east-agent")
    return {
        "east": east,
        "south": south,
        "east_ticket": east_ticket,
        "south_ticket": south_ticket,
        "agent": admin_agent,
        "east_agent": east_agent,
        "east_customer": customer_user(east_ticket, "east-customer"),
        "south_customer": customer_user(south_ticket, "south-customer"),
    }
