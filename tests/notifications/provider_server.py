"""A local HTTP server standing in for an SMS or WeChat provider in tests: it records every
request (method, path, query, headers, body) and answers each path with the answers queued for
it, in order (the last one again once they run out). Nothing leaves the machine."""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Answer:
    body: bytes
    status: int = 200
    content_type: str = "application/json"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def form(self) -> dict[str, str]:
        """A form-encoded body, one value per name."""
        return {key: values[0] for key, values in parse_qs(self.body.decode("utf-8"), keep_blank_values=True).items()}


@dataclass
class FakeProvider:
    requests: list[Recorded] = field(default_factory=list)
    routes: dict[str, list[Answer]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self._answer("GET")

            def do_POST(self) -> None:
                self._answer("POST")

            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                provider.requests.append(
                    Recorded(method, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, body)
                )
                answer = provider.next_answer(parts.path)
                self.send_response(answer.status)
                self.send_header("Content-Type", answer.content_type)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def host(self) -> str:
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def on(self, path: str, *answers: dict[str, Any] | Answer) -> None:
        """Answer ``path`` with these, in order (a dict: JSON, HTTP 200)."""
        self.routes[path] = [a if isinstance(a, Answer) else Answer(json.dumps(a, ensure_ascii=False).encode()) for a in answers]

    def next_answer(self, path: str) -> Answer:
        queued = self.routes.get(path)
        if not queued:
            return Answer(b'{"error": "no answer queued for this path"}', status=404)
        return queued.pop(0) if len(queued) > 1 else queued[0]

    def to(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port_url() -> str:
    """An address where nothing listens (connection refused): the provider cannot be reached."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
