"""The demo mailbox for real: Debian's dovecot serves IMAP from a temporary directory, aiosmtpd
receives what the product sends. A customer's mail appended to the INBOX becomes a ticket, its
number is mailed back through SMTP, and the customer's reply to that mail lands in the ticket's
timeline. Marked ``imap``: skipped without dovecot on a laptop, required when CI=true."""

from __future__ import annotations

import email
import grp
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email import policy
from pathlib import Path

import pytest

from aftersales.mailin.models import InboundMessage, InboundOutcome, InboundStatus
from aftersales.mailin.tasks import fetch_mailbox
from aftersales.tickets.choices import EventKind
from aftersales.tickets.models import Ticket, TicketEvent

from . import corpus

pytestmark = [pytest.mark.imap, pytest.mark.django_db]

IMAP_USER = corpus.SUPPORT
IMAP_PASSWORD = "imap-test-password"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _dovecot_binary() -> str:
    return shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass
class Mailbox:
    port: int

    def connect(self) -> imaplib.IMAP4:
        conn = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        conn.login(IMAP_USER, IMAP_PASSWORD)
        return conn

    def append(self, raw: bytes) -> None:
        conn = self.connect()
        try:
            status, _ = conn.append("INBOX", None, None, raw)
            assert status == "OK"
        finally:
            conn.logout()

    def count(self) -> int:
        conn = self.connect()
        try:
            conn.select("INBOX")
            _, data = conn.uid("SEARCH", "ALL")  # type: ignore[arg-type]
            return len((data[0] or b"").split())
        finally:
            conn.logout()


def _dovecot_config(root: Path, port: int) -> str:
    """A private dovecot: own base/state dirs, one passwd-file user, plain IMAP on loopback.

    As root (CI, this container) dovecot's own service users run it and own the mail; as an
    unprivileged user everything runs as that user (no chroot for the login process, which
    needs root).
    """
    if os.geteuid() == 0:
        internal, login = "dovecot", "dovenull"
        mail_user = pwd.getpwnam("dovecot")
    else:
        mail_user = pwd.getpwuid(os.geteuid())
        internal = login = mail_user.pw_name
    uid, gid = mail_user.pw_uid, mail_user.pw_gid
    group = grp.getgrgid(gid).gr_name
    (root / "users").write_text(f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}\n")
    for name in ("run", "state", "mail"):
        (root / name).mkdir()
    os.chown(root / "mail", uid, gid)
    return f"""
base_dir = {root}/run
state_dir = {root}/state
instance_name = aftersales-test-{port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = {root}/dovecot.log
mail_location = maildir:{root}/mail/%n
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = 1
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%n
}}
"""


@pytest.fixture
def dovecot() -> Iterator[Mailbox]:
    root = Path(tempfile.mkdtemp(prefix="aftersales-dovecot-"))
    root.chmod(0o755)  # dovecot's own users must reach the mail directory
    port = _free_port()
    config = root / "dovecot.conf"
    config.write_text(_dovecot_config(root, port))
    subprocess.run([_dovecot_binary(), "-c", str(config)], check=True, timeout=30)  # noqa: S603 - our own binary and config
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
                    pytest.fail(f"dovecot did not start: {log}")
                time.sleep(0.1)
        yield Mailbox(port)
    finally:
        subprocess.run([_dovecot_binary(), "-c", str(config), "stop"], check=False, timeout=30)  # noqa: S603
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def smtp_received() -> Iterator[tuple[str, int, list[email.message.Message]]]:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list[email.message.Message] = []

    class Collect(Message):
        def handle_message(self, message):  # type: ignore[no-untyped-def]
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port, received
    finally:
        controller.stop()


def test_mail_to_the_mailbox_becomes_a_ticket_and_the_reply_lands_in_the_timeline(
    settings, dovecot, smtp_received, django_capture_on_commit_callbacks
):
    smtp_host, smtp_port, received = smtp_received
    settings.MAILIN_IMAP_HOST, settings.MAILIN_IMAP_PORT, settings.MAILIN_IMAP_SSL = "127.0.0.1", dovecot.port, False
    settings.MAILIN_IMAP_USER, settings.MAILIN_IMAP_PASSWORD = IMAP_USER, IMAP_PASSWORD
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = smtp_host, smtp_port
    # Jobs run at once when enqueued (after commit), as a worker would run them.
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default", "notifications"]}
    }

    # 1. A customer writes to the service mailbox.
    dovecot.append(corpus.plain(sender="李娜 <li.na@example.com>", subject="空调漏水", body="您好，空调室内机一直滴水。"))
    with django_capture_on_commit_callbacks(execute=True):
        assert fetch_mailbox.call() == 1
    assert dovecot.count() == 0  # removed from the server only after it was stored
    message = InboundMessage.objects.get()
    assert (message.status, message.outcome) == (InboundStatus.PROCESSED, InboundOutcome.TICKET_CREATED)
    ticket = Ticket.objects.get()
    assert ticket.contact_email == "li.na@example.com"

    # 2. The ticket number went back to the customer through the SMTP server.
    deadline = time.monotonic() + 10
    while not received and time.monotonic() < deadline:
        time.sleep(0.05)
    (sent,) = received
    sent = email.message_from_bytes(sent.as_bytes(), policy=policy.default)
    assert sent["To"] == "li.na@example.com"
    assert ticket.number in str(sent["Subject"])
    assert ticket.number in sent.get_body(preferencelist=("plain",)).get_content()

    # 3. The customer answers that mail; the answer is appended to the mailbox and fetched.
    dovecot.append(corpus.reply(to_message=sent, sender="李娜 <li.na@example.com>", body="明天上午家里有人。", via="both"))
    # The same first mail delivered again (a provider retry) is recognised as a duplicate.
    dovecot.append(bytes(message.raw))
    with django_capture_on_commit_callbacks(execute=True):
        assert fetch_mailbox.call() == 1
    assert dovecot.count() == 0
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.MESSAGE_IN)
    assert event.body == "明天上午家里有人。" and event.public
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 2
    assert len(received) == 1  # the reply got no automatic answer


def test_a_message_stays_on_the_server_until_it_is_stored(settings, dovecot, monkeypatch):
    from aftersales.mailin import imap

    settings.MAILIN_IMAP_HOST, settings.MAILIN_IMAP_PORT, settings.MAILIN_IMAP_SSL = "127.0.0.1", dovecot.port, False
    settings.MAILIN_IMAP_USER, settings.MAILIN_IMAP_PASSWORD = IMAP_USER, IMAP_PASSWORD
    dovecot.append(corpus.plain())

    def database_down(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database unavailable")

    monkeypatch.setattr(imap, "mailin_store", database_down)
    with pytest.raises(RuntimeError):
        imap.mailin_fetch_imap()
    assert dovecot.count() == 1  # not acknowledged, not lost
    monkeypatch.undo()
    from django.core.management import call_command

    call_command("mailin_fetch", "--process")
    assert dovecot.count() == 0
    assert InboundMessage.objects.get().status == InboundStatus.PROCESSED
