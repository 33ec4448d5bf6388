"""Shared pieces of the scheduled reports tests: people, a subscription, moments in Beijing
time, and a real SMTP server (aiosmtpd) on a free loopback port."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import socket
import zoneinfo
from dataclasses import dataclass, field
from email.message import EmailMessage as ParsedMessage
from typing import Any

import openpyxl
from aiosmtpd.controller import Controller

from aftersales.accounts.models import DataScope, Role, User
from aftersales.reports.models import ReportSubscription
from aftersales.reports.services import SubscriptionInput, report_subscription_create
from tests.clock import freeze_time
from tests.factories import UserFactory

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(text: str) -> dt.datetime:
    """A moment in Beijing time: ``at("2026-03-02 08:00")``."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def staff(*, role: str = Role.AGENT, scope: str = DataScope.OWN, **kwargs: Any) -> User:
    return UserFactory(role=role, data_scope=scope, **kwargs)


def subscribe(owner: User, *, created: str = "2026-03-01 00:00", **overrides: Any) -> ReportSubscription:
    """A subscription created at ``created`` (Beijing time) through the service."""
    values: dict[str, Any] = {"kind": "tickets", "recipients": [owner.email], "name": "我的工单"}
    values.update(overrides)
    with freeze_time(at(created)):
        return report_subscription_create(actor=owner, data=SubscriptionInput(**values))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    envelope_from: str
    recipients: list[str]
    message: ParsedMessage


@dataclass
class SmtpServer:
    port: int
    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


def start_smtp() -> tuple[SmtpServer, Controller]:
    server = SmtpServer(port=free_port())
    controller = Controller(server, hostname="127.0.0.1", port=server.port)
    controller.start()
    return server, controller


def smtp_settings(settings: Any, port: int) -> None:
    """Point Django's SMTP backend at 127.0.0.1:``port`` (the pytest-django ``settings`` fixture)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5


def xlsx_attachments(message: Any) -> list[tuple[str, openpyxl.Workbook]]:
    """The .xlsx attachments of a parsed message or a Django ``EmailMessage``, opened."""
    found = []
    if hasattr(message, "iter_attachments"):
        for part in message.iter_attachments():
            name = part.get_filename() or ""
            if name.endswith(".xlsx"):
                found.append((name, openpyxl.load_workbook(io.BytesIO(part.get_content()), read_only=True)))
    else:
        for name, content, _mime in message.attachments:
            if name.endswith(".xlsx"):
                found.append((name, openpyxl.load_workbook(io.BytesIO(content), read_only=True)))
    return found


def sheet_rows(workbook: openpyxl.Workbook) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
