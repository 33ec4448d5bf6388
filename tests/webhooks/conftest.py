"""A real HTTP receiver on loopback for webhook tests, allowed through the private-address guard
only here (the settings override below), as an administrator would for an internal host."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Receiver:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Status codes to answer with, in order; then 200 for ever.
    script: list[int] = field(default_factory=list)

    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r["body"]) for r in self.requests]


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = ["127.0.0.1"]
    settings.WEBHOOKS_TIMEOUT_SECONDS = 5
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append({"path": self.path, "headers": dict(self.headers.items()), "body": body})
            status = state.script.pop(0) if state.script else 200
            payload = b'{"ok": true}' if status < 300 else b"upstream exploded"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/aftersales"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
