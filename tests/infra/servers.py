"""A PostgreSQL cluster and a Redis server that a test starts, stops and starts again itself, on
a free port in a temporary folder: the outage tests never touch the shared servers.

PostgreSQL: Debian's binaries (``/usr/lib/postgresql/<version>/bin``); the server refuses to run
as root, so under root it runs as the ``postgres`` user (``runuser``) in a folder it owns.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from conftest import CI

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def missing(what: str) -> None:
    """Skip on a laptop without the binaries; fail in CI, which must run the test."""
    import pytest

    if CI:
        pytest.fail(f"CI=true: {what}", pytrace=False)
    pytest.skip(what)


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


class OwnPostgres:
    """``initdb`` in a temporary folder, ``start()`` / ``stop()`` at will."""

    def __init__(self) -> None:
        bindir = postgres_bin()
        if bindir is None:
            missing("needs Debian's PostgreSQL server binaries (/usr/lib/postgresql/*/bin): apt-get install postgresql")
        assert bindir is not None
        self.bin = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="aftersales-pg-"))
        self.data = self.root / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions"
        )

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True, cwd=self.root, timeout=120)  # noqa: S603 - fixed tools

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop", check=False)

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class OwnRedis:
    """``redis-server`` on a free port without persistence; ``start()`` / ``stop()`` at will."""

    def __init__(self) -> None:
        self.binary = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
        )
        if self.binary is None:
            missing("needs Debian's redis-server: apt-get install redis-server")
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.binary is not None
        self.process = subprocess.Popen(  # noqa: S603 - redis-server, fixed arguments
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=20)
            self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


def manage(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """A real ``manage.py`` process (the worker, the scheduler) with ``env`` over the test's own."""
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, str(REPO / "manage.py"), *args],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": f"{REPO / 'src'}:{REPO}", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"not within {seconds:.0f} s: {what}")
