"""Fixtures for the web pages: signed-in clients and helpers for real uploads."""

from __future__ import annotations

import struct
import zlib

import pytest
from django.test import Client

from aftersales.accounts.models import DataScope, Role, User
from tests.factories import UserFactory


@pytest.fixture
def agent(db) -> User:  # type: ignore[no-untyped-def]
    return UserFactory(role=Role.AGENT, data_scope=DataScope.OWN)


@pytest.fixture
def agent_client(agent: User) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, valid PNG image (grey pixels), built by hand so the tests need no image library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
