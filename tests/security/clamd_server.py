"""A real ClamAV daemon (Debian's ``clamav-daemon``) started by the test itself, in a temporary
directory, with a signature database the test writes (the EICAR test string as an ``.ndb`` body
signature: no freshclam download, starts in well under a second).

Under CI (``CI=true``) a missing clamd fails the test: CI installs it (``.ci/run``). On a laptop
without it the test is skipped with the line to install it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from aftersales.core.upload_checks import EICAR_SIGNATURE

SIGNATURE_NAME = "Aftersales.Test.EICAR"
INSTALL = "apt-get install -y -qq clamav-daemon"
START_SECONDS = 30


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def clamd_binary() -> str | None:
    return shutil.which("clamd") or next((p for p in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if Path(p).exists()), None)


def require_clamd() -> str:
    binary = clamd_binary()
    if binary is None:
        message = f"ClamAV's clamd is not installed ({INSTALL}): the real-clamd upload test cannot run"
        if in_ci():
            pytest.fail(message + " — CI must install it", pytrace=False)
        pytest.skip(message)
    return binary


@dataclass(frozen=True)
class Clamd:
    socket_path: str = ""
    host: str = ""
    port: int = 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _ping(server: Clamd) -> bool:
    try:
        if server.socket_path:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(1)
            conn.connect(server.socket_path)
        else:
            conn = socket.create_connection((server.host, server.port), timeout=1)
        with conn:
            conn.sendall(b"zPING\0")
            return conn.recv(16).startswith(b"PONG")
    except OSError:
        return False


@contextmanager
def running_clamd(directory: Path, *, tcp: bool = False) -> Iterator[Clamd]:
    """Start clamd in ``directory`` (a Unix socket there, or 127.0.0.1 on a free port), wait for
    its PONG, stop it afterwards."""
    binary = require_clamd()
    database = directory / "db"
    database.mkdir()
    (database / "aftersales-test.ndb").write_text(f"{SIGNATURE_NAME}:0:*:{EICAR_SIGNATURE.hex()}\n")
    server = Clamd(host="127.0.0.1", port=_free_port()) if tcp else Clamd(socket_path=str(directory / "clamd.sock"))
    listen = f"TCPSocket {server.port}\nTCPAddr 127.0.0.1\n" if tcp else f"LocalSocket {server.socket_path}\n"
    config = directory / "clamd.conf"
    config.write_text(
        f"{listen}DatabaseDirectory {database}\nTemporaryDirectory {directory}\nForeground yes\n"
        f"LogFile {directory / 'clamd.log'}\nPidFile {directory / 'clamd.pid'}\n"
    )
    process = subprocess.Popen(  # noqa: S603 - our own command line
        [binary, "--config-file", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _ping(server):
            if process.poll() is not None:
                log = (directory / "clamd.log").read_text() if (directory / "clamd.log").exists() else ""
                raise RuntimeError(f"clamd exited ({process.returncode}): {process.stderr.read().decode()[-2000:]} {log[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"clamd did not answer within {START_SECONDS} s")
            time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
