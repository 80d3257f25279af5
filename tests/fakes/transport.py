"""The fakes' HTTP/1.1 transport: persistent connections like the real APIs, and a bounded shutdown.

Why not werkzeug's development server (what pytest-httpserver runs): it answers every request with
``Connection: close``, so a client never reuses a connection. api.openai.com and api.anthropic.com keep
connections alive (their responses carry ``Connection: keep-alive``; SSE and JSON bodies arrive with
``Transfer-Encoding: chunked``), and HTTP clients pool them. Bugs that only show on a reused connection (a
pooled connection bound to an event loop that has since closed, for one) stay invisible against a server
that closes every connection.

``LoopbackServer`` is a stdlib ``ThreadingHTTPServer`` on 127.0.0.1 with one thread per connection:

- HTTP/1.1; a connection serves requests until the client closes it, sends ``Connection: close``, stays
  idle for ``IDLE_TIMEOUT`` seconds, or the server stops. ``keep_alive=False`` is the opt-in extra that
  closes the connection after each response (``Connection: close``), like werkzeug's server.
- The application is ``handler(werkzeug.Request) -> werkzeug.Response``. A response with a known length
  goes out with ``Content-Length``; a streamed one (a generator body, e.g. SSE) with
  ``Transfer-Encoding: chunked``, one chunk per item, flushed as it is produced.
- ``environ["werkzeug.socket"]`` is the connection's socket (the fakes shut it down to simulate a drop).
- ``connections`` counts accepted TCP connections: the tests' proof of reuse.
- ``TCP_NODELAY`` on every connection, as production servers set it (nginx's default ``tcp_nodelay on``,
  Go's net.TCPConn, asyncio's transports): each write goes out at once, so an SSE frame is not held
  back by Nagle's algorithm, and a response's body does not wait 40 ms for the client's delayed ACK of
  its head (conformance/replay.py's server does the same).
- ``stop()`` is bounded: it stops accepting, shuts down every open connection (waking handlers blocked
  on an idle keep-alive read) and joins the connection threads for at most ``STOP_JOIN`` seconds.
"""

from __future__ import annotations

import contextlib
import io
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from werkzeug import Request, Response

IDLE_TIMEOUT = 30.0  # seconds a kept-alive connection may sit idle (also bounds reading one request)
STOP_JOIN = 3.0  # seconds stop() waits, in all, for connection threads to end
# seconds between serve_forever's checks for stop(): every fake's stop() waits up to this long, and the
# suite starts and stops hundreds of fakes (0.05 cost ~25 s in all; a check is a few microseconds)
POLL_INTERVAL = 0.005
MAX_BODY = 64 * 1024 * 1024  # bytes; a larger request body is refused (413) and the connection closed

logger = logging.getLogger("tests.fakes.transport")

Handler = Callable[[Request], Response]


def _refuse(request: Request) -> Response:
    return Response(b"no handler", status=500)


class _Connection(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_TIMEOUT  # socketserver applies it to the accepted socket
    server: _HTTPServer

    def setup(self) -> None:
        super().setup()
        # a response goes out in two writes (head, then body): with Nagle's algorithm on, the body waits for
        # the client's delayed ACK of the head, 40 ms per request on Linux
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, add=False)

    def log_message(self, format: str, *args: Any) -> None:
        """No access log: not on stderr, and not in a test's caplog (a URL may carry a test's canary)."""

    def _serve(self) -> None:
        try:
            body = self._read_body()
        except ValueError as exc:
            self.close_connection = True
            self.send_error(413 if "large" in str(exc) else 400, str(exc))
            return
        environ = self._environ(body)
        try:
            response = self.server.handler(Request(environ))
        except Exception:  # a bug in a test's handler: answer 500 (as werkzeug did) and say why at DEBUG
            logger.warning("fake handler failed", exc_info=True)
            self.close_connection = True
            response = Response(b"fake handler failed", status=500)
        status: list[str] = []
        headers: list[tuple[str, str]] = []

        def start_response(s: str, h: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[:] = [s]
            headers[:] = h
            return None

        chunks = response(environ, start_response)
        try:
            self._write(status[0], headers, chunks)
        except OSError:  # the client went away, or the fake dropped the connection on purpose
            self.close_connection = True
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts, total = [], 0
            while True:
                size = int(self.rfile.readline(1024).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                total += size
                if total > MAX_BODY:
                    raise ValueError("request body too large")
                parts.append(self.rfile.read(size))
                self.rfile.readline(3)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    def _environ(self, body: bytes) -> dict[str, Any]:
        path, _, query = self.path.partition("?")
        host, port = self.server.server_address[:2]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.command,
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": host,
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": self.request_version,
            "REMOTE_ADDR": self.client_address[0],
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "werkzeug.socket": self.connection,
        }
        for key, value in self.headers.items():
            name = key.upper().replace("-", "_")
            if name == "CONTENT_TYPE":
                environ[name] = value
            elif name != "CONTENT_LENGTH":
                environ.setdefault(f"HTTP_{name}", value)
        return environ

    def _write(self, status: str, headers: list[tuple[str, str]], chunks: Iterable[bytes]) -> None:
        code, _, reason = status.partition(" ")
        self.send_response(int(code), reason or None)
        names = {k.lower() for k, _ in headers}
        for key, value in headers:
            if key.lower() not in ("connection", "transfer-encoding", "keep-alive"):
                self.send_header(key, value)
        if not self.server.keep_alive:
            self.close_connection = True
        chunked = "content-length" not in names and self.command != "HEAD" and int(code) not in (204, 304)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close" if self.close_connection else "keep-alive")
        self.end_headers()
        for data in chunks:
            if not data or self.command == "HEAD":
                continue
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)
            self.wfile.flush()
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() joins connection threads itself, with a deadline
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], keep_alive: bool) -> None:
        self.handler: Handler = _refuse
        self.keep_alive = keep_alive
        self.connections = 0
        self._open: dict[socket.socket, threading.Thread] = {}
        self._lock = threading.Lock()
        super().__init__(address, _Connection)

    def track(self, sock: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self.connections += 1
                self._open[sock] = threading.current_thread()
            else:
                self._open.pop(sock, None)

    def open_connections(self) -> int:
        with self._lock:
            return len(self._open)

    def drop_all(self) -> list[threading.Thread]:
        """Shut down every open connection; returns their threads (to join)."""
        with self._lock:
            items = list(self._open.items())
        for sock, _ in items:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        return [thread for _, thread in items]

    def handle_error(self, request: Any, client_address: Any) -> None:  # a dropped client is routine
        logger.debug("error on a connection from %s", client_address, exc_info=True)


class LoopbackServer:
    """Start/stop wrapper with the bits of pytest-httpserver's API the fakes used (``url_for``)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, keep_alive: bool = True) -> None:
        self.host = host
        self.port = port
        self.keep_alive = keep_alive
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._handler: Handler = _refuse

    @property
    def handler(self) -> Handler:
        return self._handler

    @handler.setter
    def handler(self, fn: Handler) -> None:
        self._handler = fn
        if self._httpd is not None:
            self._httpd.handler = fn

    @property
    def connections(self) -> int:
        """TCP connections accepted so far."""
        return self._httpd.connections if self._httpd is not None else 0

    def open_connections(self) -> int:
        return self._httpd.open_connections() if self._httpd is not None else 0

    def start(self) -> None:
        assert self._httpd is None, "already running"
        httpd = _HTTPServer((self.host, self.port), self.keep_alive)
        httpd.handler = self._handler
        self.port = httpd.server_address[1]
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": POLL_INTERVAL}, name=f"fake-{self.port}", daemon=True
        )
        self._thread.start()

    def is_running(self) -> bool:
        return self._httpd is not None

    def url_for(self, suffix: str) -> str:
        return f"http://{self.host}:{self.port}/{suffix.lstrip('/')}"

    def stop(self) -> None:
        """Stop accepting, drop every open connection, join the threads; bounded by ``STOP_JOIN``."""
        httpd, thread = self._httpd, self._thread
        if httpd is None:
            return
        self._httpd = self._thread = None
        httpd.shutdown()  # returns within one POLL_INTERVAL
        httpd.server_close()
        deadline = time.monotonic() + STOP_JOIN
        for worker in [*httpd.drop_all(), *([thread] if thread else [])]:
            if worker is not threading.current_thread():
                worker.join(max(0.0, deadline - time.monotonic()))
        if httpd.open_connections():
            logger.warning("fake server on port %d: connections still open after stop()", self.port)
