"""What both loopback fakes share: the recorded request, scripted replies, and the serving machinery.

``BaseFake`` records every request, checks it with the protocol's ``_refusal`` hook (``rules``), and answers
with the next queued ``Reply`` or the default one; ``FakeOpenAI`` and ``FakeAnthropic`` (one module each)
fill in the wire format.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from werkzeug import Request, Response

from .transport import LoopbackServer

AUTO: Any = object()  # "build a realistic value" (None means: leave it out)
MAX_DELAY = 30.0  # seconds; every sleep is also cut short when the fake closes
DEFAULT_USAGE = (10, 5)  # (prompt/input tokens, completion/output tokens)
ids = itertools.count(1)


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str]  # lower-cased keys
    body: Any  # parsed JSON, or None when empty / not JSON
    raw: bytes
    method: str = "POST"
    at: float = 0.0  # time.monotonic() when the request arrived
    query: dict[str, str] = field(default_factory=dict)  # the URL's query parameters


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Build with the classmethods; ``delay`` sleeps before answering."""

    kind: str
    opts: dict[str, Any] = field(default_factory=dict)
    delay: float = 0.0

    @classmethod
    def success(
        cls,
        text: str | None = "ok",
        *,
        tool_calls: Sequence[dict] | None = None,
        finish_reason: str | None = None,
        usage: Any = AUTO,
        model: str | None = None,
        content: Any = AUTO,
        headers: dict | None = None,
        delay: float = 0.0,
    ) -> Reply:
        """tool_calls: ``[{"id"?, "name", "arguments": str}]``; usage: AUTO, None, (in, out) or a verbatim
        dict; content: replaces the whole message content verbatim (OpenAI str/None, Anthropic block list)."""
        return cls(
            "success",
            dict(
                text=text,
                tool_calls=list(tool_calls or []),
                finish_reason=finish_reason,
                usage=usage,
                model=model,
                content=content,
                headers=headers,
            ),
            delay,
        )

    @classmethod
    def error(
        cls,
        status: int,
        message: str = "fake error",
        *,
        type: str | None = None,
        headers: dict | None = None,
        delay: float = 0.0,
    ) -> Reply:
        return cls("error", dict(status=status, message=message, type=type, headers=headers), delay)

    @classmethod
    def raw(
        cls, body: dict | list | bytes | str, *, status: int = 200, headers: dict | None = None, delay: float = 0.0
    ) -> Reply:
        """Sent verbatim: a dict/list as JSON, str/bytes as given (content-type application/json unless set)."""
        return cls("raw", dict(body=body, status=status, headers=headers), delay)

    @classmethod
    def stream(
        cls,
        text: str | Sequence[str] | None = "ok",
        *,
        tool_calls: Sequence[dict] | None = None,
        finish_reason: str | None = None,
        usage: Any = AUTO,
        model: str | None = None,
        events: Sequence[dict | str | bytes] | None = None,
        drop_after: int | None = None,
        error: str | None = None,
        error_after: int = 1,
        interval: float = 0.0,
        headers: dict | None = None,
        delay: float = 0.0,
    ) -> Reply:
        """SSE. ``text`` pieces become one delta each. ``events`` replaces the generated frames (dicts are
        framed, str/bytes sent verbatim, nothing added). ``drop_after=N``: close the connection after N
        frames without terminating. ``error``: after ``error_after`` frames send the protocol's error event
        and end. ``interval``: sleep between frames."""
        pieces = [text] if isinstance(text, str) else list(text or [])
        return cls(
            "stream",
            dict(
                pieces=pieces,
                tool_calls=list(tool_calls or []),
                finish_reason=finish_reason,
                usage=usage,
                model=model,
                events=events,
                drop_after=drop_after,
                error=error,
                error_after=error_after,
                interval=interval,
                headers=headers,
            ),
            delay,
        )

    @classmethod
    def disconnect(cls, *, delay: float = 0.0) -> Reply:
        """Close the connection without sending any response."""
        return cls("disconnect", {}, delay)

    @classmethod
    def handler(cls, fn: Callable[[Recorded], Reply | str]) -> Reply:
        """``fn(recorded)`` returns the Reply to send (a str means ``Reply.success(str)``)."""
        return cls("handler", dict(fn=fn))


def _kill(sock: socket.socket | None) -> None:
    try:
        if sock is not None:
            sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def usage_object(usage: Any, prompt_key: str, completion_key: str, total: bool) -> dict | None:
    if usage is None or isinstance(usage, dict):
        return usage
    p, c = DEFAULT_USAGE if usage is AUTO else usage
    return {prompt_key: p, completion_key: c, **({"total_tokens": p + c} if total else {})}


def call_id(call: dict, prefix: str) -> str:
    return call.get("id") or f"{prefix}{next(ids)}"


class BaseFake:
    paths: tuple[str, ...] = ()

    def __init__(self, server: LoopbackServer, expected_key: str | None = None) -> None:
        self.server = server
        self.expected_key = expected_key
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._default = Reply.success("ok")
        self._requests: list[Recorded] = []
        self._violations: list[str] = []
        self._closing = threading.Event()
        # the model's input window in the fake's token estimate (rules.context): one for every model, or
        # {model: window} (a model not named has none); None: no limit
        self.context_window: int | dict[str, int] | None = None
        self._over_window: list[Recorded] = []
        server.handler = self._handle

    # ---------------------------------------------------------------- public API
    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

    @property
    def over_window(self) -> list[Recorded]:
        """The requests refused for a prompt over ``context_window`` (not rule violations)."""
        with self._lock:
            return list(self._over_window)

    @property
    def violations(self) -> list[str]:
        with self._lock:
            return list(self._violations)

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def reply(
        self,
        text: str | None = "ok",
        *,
        raw_body: Any = None,
        status: int = 200,
        handler: Callable[[Recorded], Reply | str] | None = None,
        **success_kw: Any,
    ) -> None:
        """Queue a success body (kwargs as ``Reply.success``), a verbatim ``raw_body`` (with ``status``,
        ``headers``, ``delay``), or ``handler(recorded) -> Reply``."""
        self.enqueue(self._make(text, raw_body, status, handler, success_kw))

    def default(
        self,
        reply: Reply | None = None,
        *,
        text: str | None = "ok",
        raw_body: Any = None,
        status: int = 200,
        handler: Callable | None = None,
        **success_kw: Any,
    ) -> None:
        """Set the answer used when the queue is empty (same arguments as ``reply``, or a Reply)."""
        self._default = reply or self._make(text, raw_body, status, handler, success_kw)

    def reply_error(
        self,
        status: int,
        message: str = "fake error",
        *,
        type: str | None = None,
        headers: dict | None = None,
        delay: float = 0.0,
    ) -> None:
        self.enqueue(Reply.error(status, message, type=type, headers=headers, delay=delay))

    def reply_stream(self, text: str | Sequence[str] | None = "ok", **stream_kw: Any) -> None:
        """Queue an SSE answer; keyword arguments as ``Reply.stream``."""
        self.enqueue(Reply.stream(text, **stream_kw))

    def reply_delay(self, seconds: float, then: Reply | None = None) -> None:
        self.enqueue(replace(then or Reply.success("ok"), delay=seconds))

    def reply_disconnect(self, *, delay: float = 0.0) -> None:
        self.enqueue(Reply.disconnect(delay=delay))

    @property
    def connections(self) -> int:
        """TCP connections the server has accepted (keep-alive: a reused connection counts once)."""
        return self.server.connections

    def close(self) -> None:
        """Wake sleeping handlers, stop the server and drop its open connections (bounded)."""
        self._closing.set()
        self.server.stop()

    # protocol hooks, defined by FakeOpenAI / FakeAnthropic
    url: str  # the api_base to give litellm
    _refusal: Callable[[Recorded, bool], tuple[int, list[str]] | None]  # (status, violations) or None
    _error_body: Callable[[int, str, str | None], dict]  # (status, message, type) -> error body
    _window_error: Callable[[dict, int], dict | None]  # (body, window) -> the 400 body for a prompt over it
    _success_body: Callable[[dict, Recorded], dict]
    _frames: Callable[[dict, Recorded], list[bytes]]  # generated SSE frames
    _frame: Callable[[dict], bytes]  # one event dict -> SSE frame
    _stream_error: Callable[[str], bytes]  # mid-stream error frame
    response_headers: Callable[[int], dict[str, str]]  # the provider's response headers for one response (by status)

    # ---------------------------------------------------------------- machinery
    @staticmethod
    def _make(text: Any, raw_body: Any, status: int, handler: Any, kw: dict) -> Reply:
        if handler is not None:
            return Reply.handler(handler)
        if raw_body is not None:
            return Reply.raw(raw_body, status=status, headers=kw.get("headers"), delay=kw.get("delay", 0.0))
        return Reply.success(text, **kw)

    def _handle(self, request: Request) -> Response:
        raw = request.get_data()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            body, bad_json = (json.loads(raw) if raw else None), False
        except ValueError:
            body, bad_json = None, True
        rec = Recorded(request.path, headers, body, raw, request.method, time.monotonic(), dict(request.args))
        with self._lock:
            self._requests.append(rec)
        refused = self._refusal(rec, bad_json)
        if refused:
            status, messages = refused
            with self._lock:
                self._violations.extend(messages)
            return self._json(status, self._error_body(status, "; ".join(messages), None))
        over, window = None, self.context_window
        if isinstance(window, dict) and isinstance(rec.body, dict):
            window = window.get(str(rec.body.get("model")))
        if isinstance(window, int) and isinstance(rec.body, dict):
            over = self._window_error(rec.body, window)
        if over is not None:
            with self._lock:
                self._over_window.append(rec)
            return self._json(400, over)
        with self._lock:
            reply = self._queue.popleft() if self._queue else self._default
        while reply.kind == "handler":
            got = reply.opts["fn"](rec)
            reply = Reply.success(got) if isinstance(got, str) else got
        sock = request.environ.get("werkzeug.socket")
        if reply.delay and self._closing.wait(min(reply.delay, MAX_DELAY)):
            reply = Reply.disconnect()
        return self._render(reply, rec, sock)

    def _json(self, status: int, body: Any, headers: dict | None = None) -> Response:
        data = body if isinstance(body, (bytes, str)) else json.dumps(body)
        hdrs = {**self.response_headers(status), "content-type": "application/json"}
        hdrs.update({k.lower(): v for k, v in (headers or {}).items()})
        return Response(data, status=status, headers=hdrs)

    def _render(self, reply: Reply, rec: Recorded, sock: socket.socket | None) -> Response:
        o = reply.opts
        if reply.kind == "success" and isinstance(rec.body, dict) and rec.body.get("stream") is True:
            # a streaming request gets the same answer as SSE, as the real APIs do
            keep = ("tool_calls", "finish_reason", "usage", "model", "headers")
            return self._render(Reply.stream(o["text"], **{k: o[k] for k in keep}), rec, sock)
        if reply.kind == "success":
            return self._json(200, self._success_body(o, rec), o["headers"])
        if reply.kind == "error":
            return self._json(o["status"], self._error_body(o["status"], o["message"], o["type"]), o["headers"])
        if reply.kind == "raw":
            return self._json(o["status"], o["body"], o["headers"])
        if reply.kind == "disconnect":
            _kill(sock)
            return Response(b"")
        assert reply.kind == "stream", reply.kind
        if o["events"] is not None:
            frames = [
                self._frame(e) if isinstance(e, dict) else e.encode() if isinstance(e, str) else e for e in o["events"]
            ]
        else:
            frames = self._frames(o, rec)
        if o["error"] is not None:
            frames = [*frames[: o["error_after"]], self._stream_error(o["error"])]
        drop_after = o["drop_after"]

        def gen() -> Iterator[bytes]:
            for i, frame in enumerate(frames):
                if drop_after is not None and i >= drop_after:
                    break
                if i and o["interval"] and self._closing.wait(min(o["interval"], MAX_DELAY)):
                    _kill(sock)
                    return
                yield frame
            if drop_after is not None:
                _kill(sock)  # werkzeug flushes each frame before asking for the next one

        hdrs = {
            **self.response_headers(200),
            "content-type": "text/event-stream; charset=utf-8",
            "cache-control": "no-cache",
        }
        hdrs.update({k.lower(): v for k, v in (o["headers"] or {}).items()})
        return Response(gen(), status=200, headers=hdrs)  # no length: sent with Transfer-Encoding: chunked
