"""A loopback server that replays recorded provider responses byte for byte.

Each payload lives in ``payloads/<provider>/<name>.body`` with a sidecar
``<name>.meta.json`` (status, headers, format, source). A request to
``/p/<provider>/<name>/<anything>`` is answered with that payload, whatever the
``<anything>`` is (``/chat/completions``, ``/v1/messages``, Azure's deployment path):
the test points ``api_base`` at ``<server>/p/<provider>/<name>``.

Like the real APIs, the server speaks HTTP/1.1 and keeps connections alive. JSON
bodies go out with a ``Content-Length``; SSE bodies with ``Transfer-Encoding:
chunked``, one chunk per SSE event, as a real streaming API sends them. The headers
recorded with a payload are replayed, except the ones the transport must recompute
(hop-by-hop headers, length, encoding: bodies are stored decoded).

Bounded: a connection idle for ``idle_timeout`` seconds is closed, the server serves
at most ``max_requests`` requests and stops by itself after ``lifetime`` seconds.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"

# recomputed by this server, or meaningless once replayed (RFC 9110 section 7.6.1 hop-by-hop, plus length/encoding)
_NOT_REPLAYED = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "transfer-encoding",
        "te",
        "trailer",
        "upgrade",
        "content-length",
        "content-encoding",
    }
)


@dataclass(frozen=True)
class Payload:
    """One recorded response: its body bytes and its sidecar."""

    provider: str
    name: str
    body: bytes
    meta: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.provider}/{self.name}"

    @property
    def format(self) -> str:
        return str(self.meta["format"])

    @property
    def status(self) -> int:
        return int(self.meta["status"])

    @property
    def wire(self) -> str:
        return str(self.meta["wire"])

    @property
    def kinds(self) -> list[str]:
        return list(self.meta["kinds"])

    @property
    def headers(self) -> list[tuple[str, str]]:
        return [(str(k), str(v)) for k, v in self.meta.get("headers", [])]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


def load_payloads() -> dict[str, Payload]:
    """Every payload under ``payloads/``, keyed ``provider/name``."""
    found: dict[str, Payload] = {}
    for meta_path in sorted(PAYLOADS.glob("*/*.meta.json")):
        name = meta_path.name.removesuffix(".meta.json")
        provider = meta_path.parent.name
        body = (meta_path.parent / f"{name}.body").read_bytes()
        found[f"{provider}/{name}"] = Payload(provider, name, body, json.loads(meta_path.read_text()))
    return found


def sse_events(body: bytes) -> list[bytes]:
    """The body cut after each blank line (the end of an SSE event), keeping every byte."""
    events: list[bytes] = []
    start = 0
    normalized = body.replace(b"\r\n", b"\n")
    if normalized != body:  # keep CRLF bodies whole: cut on the original bytes
        return [body]
    while True:
        end = body.find(b"\n\n", start)
        if end < 0:
            break
        events.append(body[start : end + 2])
        start = end + 2
    if start < len(body):
        events.append(body[start:])
    return events


@dataclass
class Seen:
    """What the server received: one entry per request."""

    path: str
    client: tuple[str, int]
    body: bytes
    headers: dict[str, str]


@dataclass
class _State:
    payloads: dict[str, Payload]
    max_requests: int
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as every real API
    server_version = "replay"
    sys_version = ""

    server: _Server

    def setup(self) -> None:
        super().setup()
        # one small write per SSE event: without TCP_NODELAY, Nagle's algorithm meets the client's
        # delayed ACK and every event waits ~40 ms (real APIs disable Nagle too)
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self) -> None:
        body = self._read_body()
        state = self.server.state
        with state.lock:
            state.seen.append(Seen(self.path, self.client_address, body, dict(self.headers.items())))
            too_many = len(state.seen) > state.max_requests
        payload = self._payload()
        if too_many or payload is None:
            self._send_plain(503 if too_many else 404, b'{"error":{"message":"no such payload"}}')
            return
        self.send_response(payload.status)
        for key, value in payload.headers:
            if key.lower() not in _NOT_REPLAYED:
                self.send_header(key, value)
        if payload.format == "sse":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for event in sse_events(payload.body):
                self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_header("Content-Length", str(len(payload.body)))
            self.end_headers()
            self.wfile.write(payload.body)
        self.wfile.flush()

    do_GET = do_POST

    def _payload(self) -> Payload | None:
        parts = self.path.split("?", 1)[0].strip("/").split("/")
        if len(parts) < 3 or parts[0] != "p":
            return None
        # litellm 1.60's gemini/ route posts to ``{api_base}:generateContent``: the name ends at the colon
        return self.server.state.payloads.get(f"{parts[1]}/{parts[2].split(':', 1)[0]}")

    def _send_plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: _State

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that drops its connection is ordinary here; say nothing."""


class ReplayServer:
    """``with ReplayServer() as server: server.base(payload)`` -> an ``api_base`` replaying it."""

    def __init__(
        self,
        payloads: dict[str, Payload] | None = None,
        *,
        idle_timeout: float = 10.0,
        max_requests: int = 5000,
        lifetime: float = 300.0,
    ) -> None:
        self.payloads = load_payloads() if payloads is None else payloads

        class Handler(_Handler):
            timeout = idle_timeout  # an idle keep-alive connection is closed after this

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.state = _State(self.payloads, max_requests)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._timer = threading.Timer(lifetime, self.stop)
        self._timer.daemon = True
        self._stopped = False

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def seen(self) -> list[Seen]:
        with self._server.state.lock:
            return list(self._server.state.seen)

    def base(self, payload: Payload | str) -> str:
        key = payload.key if isinstance(payload, Payload) else payload
        return f"{self.url}/p/{key}"

    def start(self) -> ReplayServer:
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._timer.cancel()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


__all__ = ["PAYLOADS", "Payload", "ReplayServer", "Seen", "load_payloads", "sse_events"]
