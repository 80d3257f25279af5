"""Loopback fakes of the OpenAI Chat Completions and Anthropic Messages wire protocols.

Served by ``transport.LoopbackServer``: HTTP/1.1 with persistent connections, like the real APIs (pass
``keep_alive=False`` to ``running`` for the opt-in extra that closes each connection), and the providers'
response headers (``response_headers``). Every request is recorded, then checked
against ``rules.py``; a refused request gets the real API's status and error shape, is listed in
``violations`` and does not consume a scripted reply. Otherwise the next queued ``Reply`` (FIFO) answers,
or the default one (a plain "ok" completion).

``api_base`` for litellm: ``FakeOpenAI.url`` is ``http://127.0.0.1:PORT/v1`` (litellm posts to
``<api_base>/chat/completions``; ``/chat/completions`` without ``/v1`` is accepted too, like a base URL
without ``/v1``). ``FakeAnthropic.url`` is ``http://127.0.0.1:PORT`` with NO ``/v1``: litellm 1.60 and 1.110
both append ``/v1/messages`` (an api_base ending in ``/v1`` yields ``/v1/v1/messages``, refused with 404;
one ending in ``/v1/messages`` is used as is).
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from werkzeug import Request, Response

from . import rules
from .prompt_cache import AnthropicCache, OpenAICache
from .transport import LoopbackServer

AUTO: Any = object()  # "build a realistic value" (None means: leave it out)
MAX_DELAY = 30.0  # seconds; every sleep is also cut short when the fake closes
DEFAULT_USAGE = (10, 5)  # (prompt/input tokens, completion/output tokens)
_ids = itertools.count(1)


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: dict[str, str]  # lower-cased keys
    body: Any  # parsed JSON, or None when empty / not JSON
    raw: bytes
    method: str = "POST"
    at: float = 0.0  # time.monotonic() when the request arrived


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


def _usage(usage: Any, prompt_key: str, completion_key: str, total: bool) -> dict | None:
    if usage is None or isinstance(usage, dict):
        return usage
    p, c = DEFAULT_USAGE if usage is AUTO else usage
    return {prompt_key: p, completion_key: c, **({"total_tokens": p + c} if total else {})}


def _call_id(call: dict, prefix: str) -> str:
    return call.get("id") or f"{prefix}{next(_ids)}"


class _Fake:
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
        server.handler = self._handle

    # ---------------------------------------------------------------- public API
    @property
    def requests(self) -> list[Recorded]:
        with self._lock:
            return list(self._requests)

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
        rec = Recorded(request.path, headers, body, raw, request.method, time.monotonic())
        with self._lock:
            self._requests.append(rec)
        refused = self._refusal(rec, bad_json)
        if refused:
            status, messages = refused
            with self._lock:
                self._violations.extend(messages)
            return self._json(status, self._error_body(status, "; ".join(messages), None))
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


class FakeOpenAI(_Fake):
    """OpenAI Chat Completions at ``POST /v1/chat/completions`` (and ``/chat/completions``)."""

    paths = ("/v1/chat/completions", "/chat/completions")

    def __init__(self, server: LoopbackServer, expected_key: str | None = None) -> None:
        super().__init__(server, expected_key)
        self.prompt_cache = OpenAICache()
        # AUTO usage is the estimate (prompt_cache.py) for prompts of >= 1,024 tokens, else DEFAULT_USAGE;
        # True: the estimate for every prompt
        self.count_tokens = False

    def _auto_usage(self, o: dict, rec: Recorded) -> dict | None:
        if o["usage"] is not AUTO or not isinstance(rec.body, dict):
            return _usage(o["usage"], "prompt_tokens", "completion_tokens", True)
        prompt, cached = self.prompt_cache.account(rec.body)
        if not self.count_tokens and prompt < rules.OPENAI_CACHE_MINIMUM:
            return _usage(AUTO, "prompt_tokens", "completion_tokens", True)
        out = DEFAULT_USAGE[1]
        details = {"cached_tokens": cached, "audio_tokens": 0}
        return {
            "prompt_tokens": prompt,
            "completion_tokens": out,
            "total_tokens": prompt + out,
            "prompt_tokens_details": details,
        }

    @property
    def url(self) -> str:
        return self.server.url_for("/v1")

    def response_headers(self, status: int) -> dict[str, str]:
        """What api.openai.com sends besides the body's content-type (a recorded 2025 chat completion:
        DataDog/dd-trace-py tests/contrib/litellm/cassettes/completion_stream.yaml), minus Cloudflare's."""
        return {
            "openai-organization": "user-fake",
            "openai-processing-ms": "7",
            "openai-version": "2020-10-01",
            "x-request-id": f"req_{uuid.uuid4().hex}",
            "access-control-expose-headers": "X-Request-ID",
            "x-ratelimit-limit-requests": "10000",
            "x-ratelimit-limit-tokens": "2000000",
            "x-ratelimit-remaining-requests": "9999",
            "x-ratelimit-remaining-tokens": "1999990",
            "x-ratelimit-reset-requests": "6ms",
            "x-ratelimit-reset-tokens": "0s",
            "x-content-type-options": "nosniff",
        }

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        if rec.method != "POST" or rec.path not in self.paths:
            return 404, [f"Invalid URL ({rec.method} {rec.path})"]
        auth = rules.check_openai_auth(rec.headers, self.expected_key)
        if auth:
            return 401, [auth]
        if bad_json:
            return 400, ["We could not parse the JSON body of your request."]
        return (400, v) if (v := rules.check_openai(rec.body)) else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        default = {401: "invalid_request_error", 429: "requests"}.get(
            status, "server_error" if status >= 500 else "invalid_request_error"
        )
        code = {401: "invalid_api_key", 429: "rate_limit_exceeded"}.get(status)
        return {"error": {"message": message, "type": type or default, "param": None, "code": code}}

    @staticmethod
    def _calls(o: dict) -> list[dict]:
        return [
            {
                "id": _call_id(c, "call_"),
                "type": "function",
                "function": {"name": c["name"], "arguments": c.get("arguments", "{}")},
            }
            for c in o["tool_calls"]
        ]

    def _envelope(self, o: dict, rec: Recorded, obj: str) -> dict:
        model = o["model"] or (rec.body or {}).get("model") or "fake-model"
        return {
            "id": f"chatcmpl-fake{next(_ids)}",
            "object": obj,
            "created": int(time.time()),
            "model": model,
            "system_fingerprint": "fp_fake",
        }

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        calls = self._calls(o)
        message: dict = {
            "role": "assistant",
            "content": o["text"] if o["content"] is AUTO else o["content"],
            "refusal": None,
        }
        if calls:
            message["tool_calls"] = calls
        body = {
            **self._envelope(o, rec, "chat.completion"),
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "logprobs": None,
                    "finish_reason": o["finish_reason"] or ("tool_calls" if calls else "stop"),
                }
            ],
        }
        usage = self._auto_usage(o, rec)
        return body if usage is None else {**body, "usage": usage}

    def _frame(self, event: dict) -> bytes:
        return f"data: {json.dumps(event)}\n\n".encode()

    def _stream_error(self, message: str) -> bytes:
        return self._frame({"error": {"message": message, "type": "server_error", "param": None, "code": None}})

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        env = self._envelope(o, rec, "chat.completion.chunk")
        want_usage = bool(((rec.body or {}).get("stream_options") or {}).get("include_usage"))
        extra = {"usage": None} if want_usage else {}

        def chunk(delta: dict, finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
            return self._frame({**env, "choices": [choice], **extra})

        frames = [chunk({"role": "assistant", "content": "", "refusal": None})]
        frames += [chunk({"content": piece}) for piece in o["pieces"]]
        calls = self._calls(o)
        for i, call in enumerate(calls):
            args = call["function"]["arguments"]
            frames.append(
                chunk(
                    {
                        "tool_calls": [
                            {
                                "index": i,
                                "id": call["id"],
                                "type": "function",
                                "function": {"name": call["function"]["name"], "arguments": ""},
                            }
                        ]
                    }
                )
            )
            half = len(args) // 2
            frames += [
                chunk({"tool_calls": [{"index": i, "function": {"arguments": part}}]})
                for part in (args[:half], args[half:])
                if part
            ]
        frames.append(chunk({}, o["finish_reason"] or ("tool_calls" if calls else "stop")))
        usage = self._auto_usage(o, rec)
        if want_usage and usage is not None:
            frames.append(self._frame({**env, "choices": [], "usage": usage}))
        return [*frames, b"data: [DONE]\n\n"]


class FakeAnthropic(_Fake):
    """Anthropic Messages at ``POST /v1/messages``; pass ``url`` (no ``/v1``) as litellm's api_base."""

    paths = ("/v1/messages",)
    _stop = {"stop": "end_turn", "tool_calls": "tool_use", "length": "max_tokens"}

    def __init__(self, server: LoopbackServer, expected_key: str | None = None) -> None:
        super().__init__(server, expected_key)
        self.prompt_cache = AnthropicCache()
        # AUTO usage is the cache-accounted estimate (prompt_cache.py) for a request with cache_control,
        # else DEFAULT_USAGE; True: the estimate for every request
        self.count_tokens = False

    def _auto_usage(self, o: dict, rec: Recorded) -> dict | None:
        if o["usage"] is not AUTO or not isinstance(rec.body, dict):
            return _usage(o["usage"], "input_tokens", "output_tokens", False)
        if not self.count_tokens and all(mark is None for _, mark in rules.cache_blocks(rec.body)):
            return _usage(AUTO, "input_tokens", "output_tokens", False)
        return {**self.prompt_cache.account(rec.body), "output_tokens": DEFAULT_USAGE[1]}

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def response_headers(self, status: int) -> dict[str, str]:
        """What api.anthropic.com sends besides the body's content-type (a recorded 2026 message:
        DataDog/dd-trace-py tests/contrib/litellm/cassettes/completion_anthropic.yaml), minus Cloudflare's.
        The rate-limit headers are documented at docs.anthropic.com/en/api/rate-limits#response-headers."""
        reset = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 1))
        limits = {"requests": 4000, "input-tokens": 2000000, "output-tokens": 400000, "tokens": 2400000}
        hdrs = {"request-id": f"req_011C{uuid.uuid4().hex[:20]}", "anthropic-organization-id": "fake-org"}
        for name, limit in limits.items():
            hdrs[f"anthropic-ratelimit-{name}-limit"] = str(limit)
            hdrs[f"anthropic-ratelimit-{name}-remaining"] = str(limit - 1)
            hdrs[f"anthropic-ratelimit-{name}-reset"] = reset
        return hdrs

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        if rec.method != "POST" or rec.path not in self.paths:
            return 404, [f"Not Found ({rec.method} {rec.path})"]
        auth = rules.check_anthropic_auth(rec.headers, self.expected_key)
        if auth:
            return 401, [auth]
        if bad_json:
            return 400, ["The request body is not valid JSON."]
        return (400, v) if (v := rules.check_anthropic(rec.body, rec.headers)) else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        default = {
            400: "invalid_request_error",
            401: "authentication_error",
            403: "permission_error",
            404: "not_found_error",
            413: "request_too_large",
            429: "rate_limit_error",
            529: "overloaded_error",
        }.get(status, "api_error" if status >= 500 else "invalid_request_error")
        return {
            "type": "error",
            "error": {"type": type or default, "message": message},
            "request_id": f"req_fake{next(_ids)}",
        }

    @staticmethod
    def _tool_blocks(o: dict) -> list[dict]:
        blocks = []
        for c in o["tool_calls"]:
            args = c.get("arguments", "{}")
            # Anthropic's input is always an object: empty or missing arguments arrive as {}
            if args is None or (isinstance(args, str) and not args.strip()):
                args = {}
            blocks.append(
                {
                    "type": "tool_use",
                    "id": _call_id(c, "toolu_"),
                    "name": c["name"],
                    "input": json.loads(args) if isinstance(args, str) else args,
                }
            )
        return blocks

    def _head(self, o: dict, rec: Recorded) -> dict:
        model = o["model"] or (rec.body or {}).get("model") or "fake-model"
        return {"id": f"msg_fake{next(_ids)}", "type": "message", "role": "assistant", "model": model}

    def _stop_reason(self, o: dict) -> str:
        reason = o["finish_reason"] or ("tool_calls" if o["tool_calls"] else "stop")
        return self._stop.get(reason, reason)

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        content = o["content"]
        if content is AUTO:
            tools = self._tool_blocks(o)
            text = o["text"]
            content = ([{"type": "text", "text": text}] if text is not None and (text or not tools) else []) + tools
        body = {**self._head(o, rec), "content": content, "stop_reason": self._stop_reason(o), "stop_sequence": None}
        usage = self._auto_usage(o, rec)
        return body if usage is None else {**body, "usage": usage}

    def _frame(self, event: dict) -> bytes:
        return f"event: {event.get('type', 'message')}\ndata: {json.dumps(event)}\n\n".encode()

    def _stream_error(self, message: str) -> bytes:
        return self._frame({"type": "error", "error": {"type": "overloaded_error", "message": message}})

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        usage = self._auto_usage(o, rec)
        start = {**self._head(o, rec), "content": [], "stop_reason": None, "stop_sequence": None}
        if usage is not None:
            start["usage"] = {**usage, "output_tokens": 1}
        events: list[dict] = [{"type": "message_start", "message": start}, {"type": "ping"}]
        index = 0
        if o["pieces"]:
            events.append({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}})
            events += [
                {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": p}}
                for p in o["pieces"]
            ]
            events.append({"type": "content_block_stop", "index": 0})
            index = 1
        for i, block in enumerate(self._tool_blocks(o), start=index):
            args = json.dumps(block["input"])
            events.append({"type": "content_block_start", "index": i, "content_block": {**block, "input": {}}})
            events += [
                {"type": "content_block_delta", "index": i, "delta": {"type": "input_json_delta", "partial_json": part}}
                for part in (args[: len(args) // 2], args[len(args) // 2 :])
            ]
            events.append({"type": "content_block_stop", "index": i})
        delta: dict = {"type": "message_delta", "delta": {"stop_reason": self._stop_reason(o), "stop_sequence": None}}
        if usage is not None:
            delta["usage"] = {"output_tokens": usage.get("output_tokens", 0)}
        return [self._frame(e) for e in [*events, delta, {"type": "message_stop"}]]


@contextmanager
def running(cls: type[_Fake], expected_key: str | None = None, *, keep_alive: bool = True) -> Iterator[Any]:
    """Start ``cls`` on its own server at 127.0.0.1:<free port>; always stop it afterwards.

    ``keep_alive=False``: the opt-in extra that closes every connection after its response."""
    server = LoopbackServer("127.0.0.1", 0, keep_alive=keep_alive)
    fake = cls(server, expected_key=expected_key)
    server.start()
    try:
        yield fake
    finally:
        fake.close()
